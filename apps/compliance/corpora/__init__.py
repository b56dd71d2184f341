"""The labelled reason corpora the portal is measured and trained on.

Each file has the columns ``reason,label,note`` (UTF-8, comma-separated), one label of
``apps.compliance.classifier.PRIORITY`` per reason:

- ``reason_corpus.csv``: the development corpus, read while the term lists were written;
- ``reason_holdout.csv``: written before the classifier existed, not tuned on;
- ``reason_train.csv``: written to train the learned signal (`apps.compliance.learned`);
- ``reason_contrast.csv``: written to train it too, hard negatives that share words with
  immigration or health-care purposes, and those purposes written without the obvious words;
- ``reason_ordinary.csv``: ordinary police work the learned signal once flagged (status
  checks, other states' plates and agencies, people located for warrants, by many names).

``names.csv`` is no corpus: first names and surnames of many origins, in equal numbers,
that the learned signal's training puts into copies of every reason so that a person's
name carries no purpose (``apps.compliance.learned``, "Names").

The held-out corpus written blind lives with the tests (``tests/compliance/
reason_blind.csv``, frozen): nothing is trained or tuned on it. The term editor reads it
too, through the ``PORTAL_REASON_CORPORA`` setting, to show what a change would flip.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEVELOPMENT = HERE / "reason_corpus.csv"
HOLDOUT = HERE / "reason_holdout.csv"
TRAINING = HERE / "reason_train.csv"
CONTRAST = HERE / "reason_contrast.csv"
ORDINARY = HERE / "reason_ordinary.csv"
NAMES = HERE / "names.csv"


@dataclass(frozen=True)
class CorpusRow:
    """One labelled reason: where it is (file name and line), its text and label."""

    corpus: str
    line: int
    reason: str
    label: str
    note: str


class CorpusColumnsMissing(ValueError):
    """A corpus file whose header lacks the ``reason`` or ``label`` column."""


def load(path: Path, name: str | None = None) -> list[CorpusRow]:
    """The rows of one corpus file; ``line`` counts the header as line 1.

    A byte-order mark (a spreadsheet's UTF-8 export) is not part of the first column's
    name. Raises ``CorpusColumnsMissing`` for a header without ``reason`` or ``label``,
    and what opening, decoding (``UnicodeError``) or parsing (``csv.Error``) raises.
    """
    name = name or path.stem
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [
            column for column in ("reason", "label") if column not in (reader.fieldnames or ())
        ]
        if missing:
            raise CorpusColumnsMissing(f"no {' or '.join(missing)} column in its header")
        return [
            CorpusRow(name, line, row["reason"], row["label"], row.get("note") or "")
            for line, row in enumerate(reader, start=2)
        ]


def training_files() -> list[Path]:
    """The corpora the learned signal is trained on: every labelled file in the app."""
    return [path for path in (DEVELOPMENT, HOLDOUT, TRAINING, CONTRAST, ORDINARY) if path.exists()]


@dataclass(frozen=True)
class Names:
    """Person names by part (``first``, ``surname``), each in the file's order, and the
    origin of each name (``name,part,origin`` columns of ``names.csv``)."""

    first: tuple[str, ...]
    surname: tuple[str, ...]
    origin: dict[str, str]


def names_load(path: Path = NAMES) -> Names:
    """The person names of ``names.csv`` (or ``path``)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return Names(
        first=tuple(row["name"] for row in rows if row["part"] == "first"),
        surname=tuple(row["name"] for row in rows if row["part"] == "surname"),
        origin={row["name"]: row["origin"] for row in rows},
    )
