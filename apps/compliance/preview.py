"""What a change to the reason terms would do, before an administrator saves it.

The term editor classifies every row of the labelled corpora named in the
``PORTAL_REASON_CORPORA`` setting twice, with the active terms and with the terms as the
change would leave them, and lists the rows whose label differs: a row the change fixes
(its new label is the gold one), breaks (its old label was) or moves from one wrong label
to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .classifier import NONE, ReasonClassifier, Term
from .corpora import CorpusRow, load
from .models import ReasonTerm
from .terms import term_of

LABEL_NAMES = {**dict(ReasonTerm.Label.choices), NONE: "None"}

# Parsed corpus files of this process, by path: (modification time, rows). A file
# rewritten on disk (a new training corpus) is read again.
_parsed: dict[Path, tuple[int, list[CorpusRow]]] = {}


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

    @property
    def fixed(self) -> int:
        return sum(flip.fixes for flip in self.flips)

    @property
    def broken(self) -> int:
        return sum(flip.breaks for flip in self.flips)


def _configured() -> dict[str, list[Path]]:
    return {
        name: [Path(path) for path in paths]
        for name, paths in settings.PORTAL_REASON_CORPORA.items()
    }


def _rows_of(path: Path) -> list[CorpusRow] | None:
    """The rows of one corpus file, parsed once per version of the file; None when the
    file is not installed."""
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    cached = _parsed.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, load(path, path.name))
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
            for row in _rows_of(path) or ():
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
    with the files of each that are not installed (so the page can say a corpus was not
    read, rather than that nothing in it flips)."""
    grouped = []
    for name, paths in _configured().items():
        rows = [_rows_of(path) for path in paths]
        grouped.append(
            CorpusFlips(
                name=name,
                rows=sum(len(found) for found in rows if found is not None),
                flips=[flip for flip in flips if flip.corpus == name],
                missing=[
                    path.name for path, found in zip(paths, rows, strict=True) if found is None
                ],
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
        if corpus.missing and not corpus.rows:
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
