"""The learned reason signal (``apps.compliance.learned``): the shipped model reads the
purpose the terms miss and names the words that drove it, leaves the look-alikes alone,
and is a JSON artifact built from the corpora, the same bytes every time."""

import gzip
import hashlib
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command

from apps.compliance import corpora
from apps.compliance.classifier import HEALTH_CARE, IMMIGRATION, NONE, SENSITIVE_DATA, VAGUE
from apps.compliance.learned import (
    ARTIFACT,
    HEALTH_CARE_REVIEW,
    IMMIGRATION_REVIEW,
    Reading,
    ReasonModel,
    artifact_bytes,
    artifact_read,
    combine,
    reason_model,
    reason_model_fit,
)


@pytest.fixture(scope="module")
def model() -> ReasonModel:
    return reason_model()


def driver_words(reading: Reading) -> list[str]:
    return [text for text, _ in reading.drivers]


# --- the shipped model ---------------------------------------------------------------------

# Reasons written for this test, in none of the corpora, that the term lists pass as
# "none": status and law vocabulary, hand-offs, out-of-state care. Each with a word the
# model must name as a driver.
PURPOSE_WITHOUT_TERMS = [
    ("subj entered without inspection, check residence", IMMIGRATION, "entered"),
    ("Title 8 case - locate subject", IMMIGRATION, "Title 8"),
    ("TPS expired, subject removable", IMMIGRATION, "removable"),
    ("out of state clinic visit - TX request", HEALTH_CARE, "clinic"),
    ("drove girlfriend to Carbondale for procedure", HEALTH_CARE, "procedure"),
]


@pytest.mark.parametrize(("reason", "label", "driver"), PURPOSE_WITHOUT_TERMS)
def test_a_purpose_written_without_terms_reads_as_its_label_with_what_drove_it(
    model, reason, label, driver
):
    reading = model.read(reason)
    assert reading.label == label
    assert reading.score >= model.thresholds[label]
    assert driver in driver_words(reading)
    assert 0 < len(reading.drivers) <= 5
    amounts = [amount for _, amount in reading.drivers]
    assert amounts == sorted(amounts, reverse=True) and amounts[-1] > 0
    # Quoted as the officer wrote it, so the auditor finds it in the reason.
    assert all(text in reason for text in driver_words(reading))


@pytest.mark.parametrize(
    "reason",
    [
        "ice fishing trip - stolen auger",
        "hate crime at immigrant-owned store",
        "ICE arena parking lot theft",
        "Ice Works LLC burglary",
        "robbery of immigrant day laborers",
        "meth - ice sale suspect",
        "vandalism at clinic",
        "hospital ER - stolen wallet",
        "stolen catalytic converter 24-01234",
    ],
)
def test_look_alikes_and_ordinary_reasons_read_as_none(model, reason):
    reading = model.read(reason)
    assert (reading.label, reading.drivers) == (NONE, ())
    assert reading.score < min(model.thresholds.values())


def test_reading_many_at_once_equals_reading_each(model):
    reasons = [reason for reason, _, _ in PURPOSE_WITHOUT_TERMS] + [
        "ice fishing trip - stolen auger",
        "",
        "I.C.E. hold",
        "Inmigración - orden de deportación",
    ]
    assert model.read_many(reasons) == [model.read(reason) for reason in reasons]


def test_the_version_names_the_release_and_the_artifacts_digest(model):
    digest = hashlib.sha256(ARTIFACT.read_bytes()).hexdigest()
    assert model.version == f"{artifact_read(ARTIFACT)['release']}+{digest[:12]}"


def test_the_shipped_artifact_was_built_from_the_corpora_as_they_are():
    recorded = artifact_read(ARTIFACT)["corpora"]
    current = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in corpora.training_files()
    }
    assert recorded == current, "a corpus changed: run `manage.py build_reason_model`"


def test_the_shipped_artifact_was_built_from_the_names_as_they_are():
    recorded = artifact_read(ARTIFACT)["names"]
    current = {corpora.NAMES.name: hashlib.sha256(corpora.NAMES.read_bytes()).hexdigest()}
    assert recorded == current, "names.csv changed: run `manage.py build_reason_model`"


def test_the_shipped_artifact_is_small_gzipped_json():
    data = ARTIFACT.read_bytes()
    assert len(data) < 5_000_000
    document = json.loads(gzip.decompress(data))
    assert document["classes"] == [HEALTH_CARE, IMMIGRATION, "other"]


def test_a_web_process_importing_the_module_does_not_load_scikit_learn():
    probe = (
        "import sys, apps.compliance.learned; "
        "print(sorted({'sklearn', 'scipy', 'numpy'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


# --- combining the terms' label and the model's --------------------------------------------

IMMIGRATION_READING = Reading(IMMIGRATION, 0.97, (("fed pickup", 2.0),))
HEALTH_CARE_READING = Reading(HEALTH_CARE, 0.99, (("procedure", 2.0),))
NOTHING = Reading(NONE, 0.1, ())


@pytest.mark.parametrize(
    ("term_label", "reading", "combined"),
    [
        # A term decided: its label stands, the critical path, whatever the model reads.
        (IMMIGRATION, NOTHING, IMMIGRATION),
        (IMMIGRATION, HEALTH_CARE_READING, IMMIGRATION),
        (HEALTH_CARE, IMMIGRATION_READING, HEALTH_CARE),
        # The terms found nothing (or nothing but generic words): the model's label, for review.
        (NONE, IMMIGRATION_READING, IMMIGRATION_REVIEW),
        (NONE, HEALTH_CARE_READING, HEALTH_CARE_REVIEW),
        (VAGUE, IMMIGRATION_READING, IMMIGRATION_REVIEW),
        (NONE, NOTHING, NONE),
        (VAGUE, NOTHING, VAGUE),
        # Personal data in the reason does not hide the purpose the model reads in it.
        (SENSITIVE_DATA, IMMIGRATION_READING, IMMIGRATION_REVIEW),
        (SENSITIVE_DATA, NOTHING, SENSITIVE_DATA),
    ],
)
def test_combine_keeps_a_terms_label_and_sends_the_models_to_review(term_label, reading, combined):
    assert combine(term_label, reading) == combined


# --- building the artifact -----------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "reason_model.json.gz"
    output = io.StringIO()
    call_command("build_reason_model", output=path, stdout=output)
    return path, output.getvalue()


@pytest.fixture(scope="module")
def fitted():
    return reason_model_fit()


def test_the_command_builds_a_working_model_at_the_path_given(built, model):
    path, output = built
    rebuilt = ReasonModel.load(path)
    assert rebuilt.version in output
    assert rebuilt.read("TPS expired, subject removable").label == IMMIGRATION
    # What the code builds from today's corpora is what ships.
    reasons = [row.reason for row in corpora.load(corpora.HOLDOUT)]
    assert np.allclose(rebuilt.probabilities(reasons), model.probabilities(reasons), atol=1e-4)


def test_the_same_corpora_build_the_same_bytes(built, fitted):
    path, _ = built
    assert artifact_bytes(fitted.document) == path.read_bytes()


def test_a_loaded_model_gives_the_freshly_trained_ones_probabilities(fitted):
    reasons = [row.reason for path in corpora.training_files() for row in corpora.load(path)]
    loaded = ReasonModel(fitted.document, "test")
    assert np.allclose(loaded.probabilities(reasons), fitted.probabilities(reasons), atol=1e-5)


def test_an_artifact_of_another_format_is_refused(tmp_path, fitted):
    path = tmp_path / "model.json.gz"
    path.write_bytes(artifact_bytes({**fitted.document, "format": 99}))
    with pytest.raises(ValueError, match="format 99"):
        ReasonModel.load(path)
