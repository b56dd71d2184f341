"""The contrast corpus (apps/compliance/corpora/README.md): hard negatives and purposes
written without the obvious words. It parses, carries the classifier's labels, is mostly
hard negatives, and repeats none of the other corpora."""

import csv
import re
from collections import Counter

from apps.compliance import corpora
from apps.compliance.classifier import PRIORITY

MINIMUM_ROWS = 700
MINIMUM_HARD_NEGATIVES = 400
MINIMUM_PER_LABEL = {"none": 420, "immigration": 140, "health_care": 120}

# The words the immigration and health-care rows here are written without.
IMMIGRATION_WORDS = re.compile(r"\b(ice|hsi|ero|cbp|dhs)\b|immigra|deport|border\s+patrol", re.I)
HEALTH_CARE_WORDS = re.compile(r"abortion|clinic|reproductive|planned\s+parenthood", re.I)


def normalised(reason: str) -> str:
    return " ".join(reason.casefold().split())


def contrast_rows() -> list[corpora.CorpusRow]:
    return corpora.load(corpora.CONTRAST)


def test_the_contrast_corpus_parses_with_its_three_columns() -> None:
    with corpora.CONTRAST.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        widths = {len(row) for row in reader}
    assert header == ["reason", "label", "note"]
    assert widths == {3}
    assert b"\r" not in corpora.CONTRAST.read_bytes()


def test_every_row_has_a_reason_and_a_label_the_classifier_knows() -> None:
    rows = contrast_rows()
    assert len(rows) >= MINIMUM_ROWS
    assert {row.label for row in rows} <= set(PRIORITY)
    assert [row.line for row in rows if not row.reason.strip()] == []


def test_each_contrasted_label_has_its_minimum_of_rows() -> None:
    counts = Counter(row.label for row in contrast_rows())
    short = {
        label: counts[label] for label, least in MINIMUM_PER_LABEL.items() if counts[label] < least
    }
    assert short == {}


def test_the_unflagged_reasons_are_hard_negatives() -> None:
    rows = contrast_rows()
    hard = [row for row in rows if row.note.startswith("hard negative")]
    assert len(hard) >= MINIMUM_HARD_NEGATIVES
    assert [row.line for row in hard if row.label != "none"] == []


def test_the_purposes_are_written_without_the_obvious_words() -> None:
    rows = contrast_rows()
    obvious = [
        row.line
        for row in rows
        if (row.label == "immigration" and IMMIGRATION_WORDS.search(row.reason))
        or (row.label == "health_care" and HEALTH_CARE_WORDS.search(row.reason))
    ]
    assert obvious == []


def test_the_obvious_word_patterns_catch_what_they_stand_for() -> None:
    # Without this, patterns that matched nothing would pass the test above.
    assert IMMIGRATION_WORDS.search("ICE hold")
    assert IMMIGRATION_WORDS.search("for ERO")
    assert IMMIGRATION_WORDS.search("deportation order")
    assert IMMIGRATION_WORDS.search("Border  Patrol agent")
    assert IMMIGRATION_WORDS.search("police service office") is None
    assert HEALTH_CARE_WORDS.search("Planned Parenthood patient")
    assert HEALTH_CARE_WORDS.search("the pills") is None


def test_no_reason_is_written_twice_even_in_other_case_or_spacing() -> None:
    counts = Counter(normalised(row.reason) for row in contrast_rows())
    assert [reason for reason, count in counts.items() if count > 1] == []


def test_no_reason_repeats_the_other_corpora() -> None:
    others = {
        normalised(row.reason)
        for path in (corpora.DEVELOPMENT, corpora.HOLDOUT, corpora.TRAINING)
        for row in corpora.load(path)
    }
    repeated = [row.line for row in contrast_rows() if normalised(row.reason) in others]
    assert repeated == []


def test_the_training_files_include_the_contrast_corpus_after_the_training_corpus() -> None:
    files = corpora.training_files()
    assert files.index(corpora.CONTRAST) == files.index(corpora.TRAINING) + 1
