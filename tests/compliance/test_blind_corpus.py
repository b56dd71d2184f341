"""The blind corpus of search reasons (tests/compliance/README_blind.md): frozen, and
shaped as its brief asks, so precision and recall measured on it mean what they say."""

import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).with_name("reason_blind.csv")

# The corpus is measured as written. Any edit, even a fix, changes this digest: rows
# written after the terms have been read belong in a new file, never in this one.
FROZEN_SHA256 = "6484b0fe91b6678ac0da38cee6e8253f489254b2a7788fdf5fd9612fdf7dcd08"

MINIMUM_ROWS = 400
MINIMUM_PER_LABEL = {
    "immigration": 100,
    "health_care": 70,
    "vague": 50,
    "sensitive_data": 30,
    "none": 190,
}

# The words a plain keyword search catches; the corpus must hold enough purpose
# written without them. Prefixes count too ("deported", "immigrant").
IMMIGRATION_KEYWORDS = re.compile(
    r"\b(?:ice|hsi|ero|cbp|dhs)\b|\bimmigra\w*|\bdeport\w*|\bborder\s+patrol\b",
    re.IGNORECASE,
)
MINIMUM_IMMIGRATION_WITHOUT_KEYWORDS = 40
HEALTH_CARE_KEYWORDS = re.compile(r"\b(?:abortion|clinic|reproductive)\w*", re.IGNORECASE)
MINIMUM_HEALTH_CARE_WITHOUT_KEYWORDS = 25
MINIMUM_HARD_NEGATIVES = 90


def corpus_rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["reason", "label", "note"]
        return list(reader)


def reasons_labelled(label: str) -> list[dict[str, str]]:
    return [row for row in corpus_rows() if row["label"] == label]


def test_the_blind_corpus_is_unchanged_since_it_was_frozen() -> None:
    digest = hashlib.sha256(CORPUS.read_bytes()).hexdigest()
    assert digest == FROZEN_SHA256, "the blind corpus is frozen; write a new file"


def test_every_row_has_one_of_the_five_labels() -> None:
    rows = corpus_rows()
    assert len(rows) >= MINIMUM_ROWS
    assert {row["label"] for row in rows} <= set(MINIMUM_PER_LABEL)
    assert all(row["reason"].strip() for row in rows)


def test_no_reason_is_written_twice_even_in_other_case_or_spacing() -> None:
    normalised = Counter(" ".join(row["reason"].casefold().split()) for row in corpus_rows())
    assert [reason for reason, count in normalised.items() if count > 1] == []


def test_each_label_has_at_least_its_minimum_of_rows() -> None:
    counts = Counter(row["label"] for row in corpus_rows())
    short = {
        label: counts[label]
        for label, minimum in MINIMUM_PER_LABEL.items()
        if counts[label] < minimum
    }
    assert short == {}


def test_enough_immigration_reasons_avoid_every_immigration_keyword() -> None:
    reasons = [row["reason"] for row in reasons_labelled("immigration")]
    without = [reason for reason in reasons if not IMMIGRATION_KEYWORDS.search(reason)]
    assert len(without) >= MINIMUM_IMMIGRATION_WITHOUT_KEYWORDS


def test_enough_health_care_reasons_avoid_abortion_clinic_and_reproductive() -> None:
    reasons = [row["reason"] for row in reasons_labelled("health_care")]
    without = [reason for reason in reasons if not HEALTH_CARE_KEYWORDS.search(reason)]
    assert len(without) >= MINIMUM_HEALTH_CARE_WITHOUT_KEYWORDS


def test_enough_unflagged_reasons_are_hard_negatives() -> None:
    hard = [row for row in reasons_labelled("none") if row["note"].startswith("hard negative")]
    assert len(hard) >= MINIMUM_HARD_NEGATIVES


def test_the_keyword_patterns_catch_what_they_stand_for() -> None:
    # Without this, a pattern that matched nothing would pass the two tests above.
    assert IMMIGRATION_KEYWORDS.search("Assist ICE")
    assert IMMIGRATION_KEYWORDS.search("subject deported 2019")
    assert IMMIGRATION_KEYWORDS.search("Boarder patrol") is None
    assert IMMIGRATION_KEYWORDS.search("police service office") is None
    assert HEALTH_CARE_KEYWORDS.search("visited Clinics")
    assert HEALTH_CARE_KEYWORDS.search("mifepristone") is None
