"""What a change to the reason terms would do, before an administrator saves it.

The term editor classifies every row of the labelled corpora named in the
``PORTAL_REASON_CORPORA`` setting twice, with the active terms and with the terms as the
change would leave them, and lists the rows whose label differs: a row the change fixes
(its new label is the gold one), breaks (its old label was) or moves from one wrong label
to another.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .classifier import NONE, PRIORITY, ReasonClassifier, Term
from .corpora import CorpusColumnsMissing, CorpusRow, load
from .models import ReasonTerm
from .terms import term_of

LABEL_NAMES = {**dict(ReasonTerm.Label.choices), NONE: "None"}

#: The most flips the page lists per corpus; the counts still cover every flip. A change
#: such as a new one-word term can flip thousands of rows, and a page of thousands of
#: table rows is slow to build and to read.
FLIPS_SHOWN = 200


@dataclass(frozen=True)
class CorpusFile:
    """What one installed corpus file gave the preview: its rows with a known label, how
    many rows it skipped for an unknown label, or why it could not be read at all."""

    rows: list[CorpusRow] = field(default_factory=list)
    unknown_labels: int = 0
    error: str = ""


# Read corpus files of this process, by path: (modification time, what was read). A file
# rewritten on disk (a new training corpus) is read again.
_parsed: dict[Path, tuple[int, CorpusFile]] = {}


@dataclass(frozen=True)
class Flip:
    """A corpus row whose label the change would alter."""

    corpus: str
    file: str
    line: int
    reason: str
    gold: str
    before: str
    after: str

    @property
    def fixes(self) -> bool:
        return self.after == self.gold

    @property
    def breaks(self) -> bool:
        return self.before == self.gold

    @property
    def effect(self) -> str:
        if self.fixes:
            return "fixes"
        return "breaks" if self.breaks else "still wrong"

    @property
    def gold_name(self) -> str:
        return LABEL_NAMES.get(self.gold, self.gold)

    @property
    def before_name(self) -> str:
        return LABEL_NAMES.get(self.before, self.before)

    @property
    def after_name(self) -> str:
        return LABEL_NAMES.get(self.after, self.after)


@dataclass(frozen=True)
class CorpusFlips:
    """One configured corpus in the preview: its flips, how many rows were read, and
    which of its files are not installed."""

    name: str
    rows: int
    flips: list[Flip] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: Each installed file that could not be read, as "<file> could not be read: <why>".
    unreadable: list[str] = field(default_factory=list)
    unknown_labels: int = 0

    @property
    def fixed(self) -> int:
        return sum(flip.fixes for flip in self.flips)

    @property
    def broken(self) -> int:
        return sum(flip.breaks for flip in self.flips)

    @property
    def shown(self) -> list[Flip]:
        return self.flips[:FLIPS_SHOWN]

    @property
    def not_shown(self) -> int:
        return max(len(self.flips) - FLIPS_SHOWN, 0)


def _configured() -> dict[str, list[Path]]:
    return {
        name: [Path(path) for path in paths]
        for name, paths in settings.PORTAL_REASON_CORPORA.items()
    }


def _read(path: Path) -> CorpusFile:
    """One corpus file as the preview uses it. A file that cannot be read is reported,
    not raised: one bad file (a spreadsheet's Latin-1 export, a wrong header, a folder
    where a file should be) must not take the whole preview down."""
    try:
        rows = load(path, path.name)
    except (OSError, UnicodeError, csv.Error, CorpusColumnsMissing) as error:
        return CorpusFile(error=_why(error))
    known = [row for row in rows if row.label in PRIORITY and row.reason is not None]
    return CorpusFile(rows=known, unknown_labels=len(rows) - len(known))


def _why(error: Exception) -> str:
    if isinstance(error, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(error, UnicodeDecodeError):
        # Its position counts from the decoder's last chunk, not the file: not worth showing.
        return "it is not UTF-8 text"
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return str(error)


def _rows_of(path: Path) -> CorpusFile | None:
    """What one corpus file gave, read once per version of the file; None when the file
    is not installed."""
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    except OSError as error:
        return CorpusFile(error=_why(error))
    cached = _parsed.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, _read(path))
        _parsed[path] = cached
    return cached[1]


def term_change_flips(*, before: list[Term], after: list[Term]) -> list[Flip]:
    """Every row of the configured corpora that ``after`` labels differently from
    ``before``, in the order of the setting, then of the files and their lines.

    Each distinct reason is classified once per side: the corpora repeat few reasons,
    but a classifier per side (not per row) is what keeps a preview well under a second.
    """
    classify_before = ReasonClassifier(before).classify
    classify_after = ReasonClassifier(after).classify
    labels: dict[str, tuple[str, str]] = {}
    flips: list[Flip] = []
    for name, paths in _configured().items():
        for path in paths:
            read = _rows_of(path)
            for row in read.rows if read else ():
                if row.reason not in labels:
                    labels[row.reason] = (
                        classify_before(row.reason).label,
                        classify_after(row.reason).label,
                    )
                old, new = labels[row.reason]
                if old != new:
                    flips.append(Flip(name, row.corpus, row.line, row.reason, row.label, old, new))
    return flips


def flips_by_corpus(flips: list[Flip]) -> list[CorpusFlips]:
    """The flips grouped under every configured corpus, a corpus without flips included,
    with the files of each that are not installed or could not be read (so the page can
    say a corpus was not read, rather than that nothing in it flips)."""
    grouped = []
    for name, paths in _configured().items():
        read = {path: _rows_of(path) for path in paths}
        found = [file for file in read.values() if file is not None]
        grouped.append(
            CorpusFlips(
                name=name,
                rows=sum(len(file.rows) for file in found),
                flips=[flip for flip in flips if flip.corpus == name],
                missing=[path.name for path, file in read.items() if file is None],
                unreadable=[
                    f"{path.name} could not be read: {file.error}"
                    for path, file in read.items()
                    if file and file.error
                ],
                unknown_labels=sum(file.unknown_labels for file in found),
            )
        )
    return grouped


def flips_summary(groups: list[CorpusFlips]) -> str:
    """One sentence of counts, e.g. "3 rows flip in development: 2 fixed, 1 broken; 0 in
    held-out"."""
    parts = []
    for corpus in groups:
        count = len(corpus.flips)
        text = f"{count} in {corpus.name}"
        if not parts:
            text = f"{count} {'row flips' if count == 1 else 'rows flip'} in {corpus.name}"
        if count:
            text += f": {corpus.fixed} fixed, {corpus.broken} broken"
        if not corpus.rows and corpus.unreadable:
            text += " (not read)"
        elif not corpus.rows and corpus.missing:
            text += " (not installed)"
        parts.append(text)
    return "; ".join(parts) or "No labelled corpus is configured"


def reason_terms_with_change(*, term: ReasonTerm) -> tuple[list[Term], list[Term]]:
    """The active terms as stored, and as they would be with ``term`` (new or edited,
    not yet saved) in place: replacing its stored version, added, or, when it is
    inactive, left out."""
    active = list(ReasonTerm.objects.filter(is_active=True))
    before = [term_of(row) for row in active]
    after = [term_of(row) for row in active if row.pk != term.pk]
    if term.is_active:
        after.append(term_of(term))
    return before, after
