"""The corpus the learned reason signal is trained on (apps/compliance/corpora/README.md):
it parses, carries the classifier's labels, and repeats none of the other corpora."""

import csv
import re
from collections import Counter

from apps.compliance import corpora
from apps.compliance.classifier import PRIORITY

MINIMUM_ROWS = 1400
MINIMUM_PER_LABEL = 100
MINIMUM_HARD_NEGATIVES = 250


def normalised(reason: str) -> str:
    return " ".join(reason.casefold().split())


def training_rows() -> list[corpora.CorpusRow]:
    return corpora.load(corpora.TRAINING)


def test_the_training_corpus_parses_with_its_three_columns() -> None:
    with corpora.TRAINING.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        widths = {len(row) for row in reader}
    assert header == ["reason", "label", "note"]
    assert widths == {3}
    assert b"\r" not in corpora.TRAINING.read_bytes()


def test_every_row_has_a_reason_and_a_label_the_classifier_knows() -> None:
    rows = training_rows()
    assert len(rows) >= MINIMUM_ROWS
    assert {row.label for row in rows} <= set(PRIORITY)
    assert [row.line for row in rows if not row.reason.strip()] == []


def test_each_label_has_at_least_a_hundred_rows() -> None:
    counts = Counter(row.label for row in training_rows())
    assert {label: counts[label] for label in PRIORITY if counts[label] < MINIMUM_PER_LABEL} == {}


def test_enough_unflagged_reasons_are_hard_negatives() -> None:
    hard = [
        row
        for row in training_rows()
        if row.label == "none" and row.note.startswith("hard negative")
    ]
    assert len(hard) >= MINIMUM_HARD_NEGATIVES


def test_no_reason_is_written_twice_even_in_other_case_or_spacing() -> None:
    counts = Counter(normalised(row.reason) for row in training_rows())
    assert [reason for reason, count in counts.items() if count > 1] == []


def test_no_reason_repeats_the_development_corpus_or_the_holdout() -> None:
    others = {
        normalised(row.reason): row
        for path in (corpora.DEVELOPMENT, corpora.HOLDOUT)
        for row in corpora.load(path)
    }
    repeated = [row.line for row in training_rows() if normalised(row.reason) in others]
    assert repeated == []


def test_the_training_files_include_this_corpus() -> None:
    assert corpora.TRAINING in corpora.training_files()


# Personal data in the corpus is invented: SSNs start with 9, phone numbers are 555-01xx.
SSN = re.compile(r"(?<![\w-])(\d{3})[- ]?\d{2}[- ]?\d{4}(?![\w-])")
PHONE = re.compile(r"\b555[-. ]?(\d{4})\b")


def test_personal_numbers_in_the_corpus_are_invented_ones() -> None:
    real_looking = [
        row.line
        for row in training_rows()
        if any(not match.group(1).startswith("9") for match in SSN.finditer(row.reason))
        or any(not match.group(1).startswith("01") for match in PHONE.finditer(row.reason))
    ]
    assert real_looking == []


def test_the_number_patterns_catch_what_they_stand_for() -> None:
    # Without this, patterns that matched nothing would pass the test above.
    assert SSN.search("burglary - SSN 123-45-6789").group(1) == "123"
    assert SSN.search("ss# 987654321").group(1) == "987"
    assert SSN.search("RD# 25-04411") is None
    assert PHONE.search("cell (312) 555-0199").group(1) == "0199"
    assert PHONE.search("call 773-555-2368").group(1) == "2368"
