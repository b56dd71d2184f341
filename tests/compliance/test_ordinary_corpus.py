"""The ordinary corpus (apps/compliance/corpora/README.md): ordinary police work the
learned signal once flagged, and the names it is trained to ignore. Both parse; the corpus
carries the classifier's labels, is mostly ordinary, and repeats none of the other
corpora; the names are of many origins in equal numbers."""

import csv
from collections import Counter

from apps.compliance import corpora
from apps.compliance.classifier import PRIORITY

MINIMUM_ROWS = 150
MINIMUM_PER_LABEL = {"none": 130, "vague": 5, "immigration": 5, "health_care": 5}
MINIMUM_ORIGINS = 10


def normalised(reason: str) -> str:
    return " ".join(reason.casefold().split())


def ordinary_rows() -> list[corpora.CorpusRow]:
    return corpora.load(corpora.ORDINARY)


def test_the_ordinary_corpus_parses_with_its_three_columns() -> None:
    with corpora.ORDINARY.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        widths = {len(row) for row in reader}
    assert header == ["reason", "label", "note"]
    assert widths == {3}
    assert b"\r" not in corpora.ORDINARY.read_bytes()


def test_every_row_has_a_reason_a_label_the_classifier_knows_and_a_note() -> None:
    rows = ordinary_rows()
    assert len(rows) >= MINIMUM_ROWS
    assert {row.label for row in rows} <= set(PRIORITY)
    assert [row.line for row in rows if not (row.reason.strip() and row.note.strip())] == []


def test_each_label_has_its_minimum_of_rows_and_ordinary_ones_are_none_or_vague() -> None:
    rows = ordinary_rows()
    counts = Counter(row.label for row in rows)
    short = {
        label: counts[label] for label, least in MINIMUM_PER_LABEL.items() if counts[label] < least
    }
    assert short == {}
    ordinary = [row for row in rows if row.note.startswith("ordinary")]
    assert [row.line for row in ordinary if row.label not in ("none", "vague")] == []


def test_no_reason_is_written_twice_nor_repeats_the_other_corpora() -> None:
    counts = Counter(normalised(row.reason) for row in ordinary_rows())
    assert [reason for reason, count in counts.items() if count > 1] == []
    others = {
        normalised(row.reason)
        for path in (corpora.DEVELOPMENT, corpora.HOLDOUT, corpora.TRAINING, corpora.CONTRAST)
        for row in corpora.load(path)
    }
    assert [row.line for row in ordinary_rows() if normalised(row.reason) in others] == []


def test_the_training_files_end_with_the_ordinary_corpus() -> None:
    assert corpora.training_files()[-1] == corpora.ORDINARY


def test_the_names_are_of_many_origins_in_equal_numbers() -> None:
    names = corpora.names_load()
    assert len(set(names.first)) == len(names.first)
    assert len(set(names.surname)) == len(names.surname)
    for part in (names.first, names.surname):
        per_origin = Counter(names.origin[name] for name in part)
        assert len(per_origin) >= MINIMUM_ORIGINS
        assert len(set(per_origin.values())) == 1, per_origin
