"""Classify the free-text reason typed for an ALPR search.

Labels, in priority order (the first that applies wins): ``immigration``, ``health_care``,
``sensitive_data``, ``vague``, ``none``. Each answer carries the text that matched and a
plain-English explanation an auditor can quote as evidence.

Algorithm
---------
1. **Normalise** the reason (``normalise``): Unicode compatibility form with accents
   dropped (``inmigración`` -> ``inmigracion``), lower case, apostrophes removed
   (``women's`` -> ``womens``), ``&`` spelled ``and``, acronyms written with dots or single
   spaces collapsed (``I.C.E.``, ``I. C. E.``, ``I C E`` -> ``ice``; ``D.O.B.`` -> ``dob``),
   runs of white space made one space. Every character of the normalised text remembers
   where it came from, so a hit can be quoted in the officer's own spelling.
2. **Tokenise**: the words are the runs of letters and digits of the normalised text;
   all other characters are separators, so ``ICE/ERO`` is two words, ``border-patrol``
   matches the phrase ``border patrol`` and ``police`` never contains the word ``ice``.
3. **Find hits** of every ``Term``:
   - ``word``: the phrase's words, whole and consecutive (case-insensitive);
   - ``prefix``: as ``word``, but the last word only has to start the text's word
     (``deport`` finds ``deported``, ``deportation``);
   - ``fuzzy``: as ``word``, but each phrase word of 6 letters or more may be misspelt:
     optimal-string-alignment distance 1 for 6-9 letters, 2 for 10 or more, same first
     letter (``immigraton``, ``abortoin``, ``boarder patrol``); shorter words are exact;
   - ``regex``: a Python regular expression searched (case-insensitively) in the
     normalised text of step 1, punctuation included.
4. **Cancel** a hit when one of its ``unless_near`` words (whole words, or consecutive
   words for a phrase) stands within two words before or after it: ``ice`` next to
   ``possession`` is the drug, next to ``cream`` the dessert, next to ``fishing`` the lake.
   An entry ending in ``~N`` (N from 1 to 8) reaches N words instead of two, for context
   that sits further off: with ``hate crime ~6`` on ``immigrant``, "hate crime: slurs
   painted on an immigrant family's store" is a crime against immigrants, not enforcement.
5. **Decide**: the first of ``immigration``, ``health_care``, ``sensitive_data`` with a
   surviving hit wins; among several hits of that label the earliest, then the longest,
   is quoted (term order does not matter, so the answer is the same whatever order a
   database returns the terms in).
6. **Vague** (only if none of the above): the reason is vague when nothing in it states a
   purpose, i.e. every word is covered by a surviving ``vague`` term hit (generic words
   such as ``inv``, ``investigation``, ``test``, ``case``, ``criminal justice purpose``) or by
   the built-in fillers: words holding a digit (case numbers), single letters
   (``n/a``, ``f/u``, ``x``) and a few function words (``a``, ``of``, ``per``, ...). An empty
   or punctuation-only reason is vague. So ``inv 24-00123`` and ``Investigation -`` are
   vague, ``inv - agg battery`` is not.
7. Otherwise ``none``; its explanation names any cancelled hit (why ``ice`` was not read
   as the agency) or the words that state the purpose.

For ``sensitive_data`` the quoted term has its digits masked (``DOB XX/XX/XXXX``) so the
evidence does not repeat the personal data. The classifier is pure Python: build it once
(all patterns are compiled in ``__init__``) and call ``classify`` for each distinct reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

IMMIGRATION = "immigration"
HEALTH_CARE = "health_care"
SENSITIVE_DATA = "sensitive_data"
VAGUE = "vague"
NONE = "none"

#: The labels in priority order: when several apply, the first wins.
PRIORITY: tuple[str, ...] = (IMMIGRATION, HEALTH_CARE, SENSITIVE_DATA, VAGUE, NONE)
#: The labels a ``Term`` may carry.
TERM_LABELS: tuple[str, ...] = (IMMIGRATION, HEALTH_CARE, SENSITIVE_DATA, VAGUE)
MATCH_MODES: tuple[str, ...] = ("word", "prefix", "fuzzy", "regex")

#: Phrase words shorter than this are matched exactly by ``fuzzy`` terms.
FUZZY_MIN_LENGTH = 6
#: How far (in words) an ``unless_near`` word may stand from a hit to cancel it.
NEAR_WORDS = 2
#: The farthest an ``unless_near`` entry may reach with ``~N``.
MAX_NEAR_WORDS = 8
_REACH = re.compile(r"^(.*?)\s*~\s*(\d+)\s*$")

#: What kind of evidence a term is (``ReasonTerm.Category``): not used for matching, it
#: groups the lists administrators keep current and says where a term comes from.
TERM_CATEGORIES: tuple[str, ...] = (
    "agency", "status_law", "operation", "handoff", "dropdown", "health_care", "health_law",
    "clinic", "personal_data", "generic", "other",
)  # fmt: skip

LABEL_DESCRIPTIONS = {
    IMMIGRATION: "immigration term",
    HEALTH_CARE: "reproductive or gender-affirming health-care term",
    SENSITIVE_DATA: "personal data in the reason",
    VAGUE: "generic word",
}

#: Built-in filler words of the vague test: they state no purpose on their own.
FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "of", "for", "to", "on", "in", "at", "by", "w", "with", "and", "or",
     "per", "re", "from", "as", "is", "was", "no", "not"}
)  # fmt: skip


@dataclass(frozen=True)
class Term:
    """A word, phrase or pattern the classifier looks for.

    ``label``: immigration / health_care / sensitive_data / vague.
    ``phrase``: a word, a phrase, or (``match="regex"``) a Python regular expression run on
    the normalised text (lower case, accents dropped, apostrophes removed, ``&`` -> ``and``,
    dotted or spaced acronyms collapsed, single spaces; punctuation kept).
    ``match``: ``word`` (whole words, case-insensitive), ``prefix`` (last word starts a
    word), ``fuzzy`` (whole words within a small edit distance, for words of 6+ letters),
    ``regex``.
    ``unless_near``: words that, within 2 words of the hit, cancel it (``"hate crime ~6"``:
    within 6 words).
    ``note``: why the term is there, shown to administrators and in explanations.
    ``category``: one of ``TERM_CATEGORIES``; ``source``: the statute, form or public
    report the term comes from. Neither is used for matching.
    """

    label: str
    phrase: str
    match: str = "word"
    unless_near: tuple[str, ...] = ()
    note: str = ""
    category: str = "other"
    source: str = ""


@dataclass(frozen=True)
class Classification:
    """The label of a reason, the text that decided it and why, in plain English."""

    label: str
    term: str
    explanation: str


@dataclass(frozen=True)
class Normalised:
    """A normalised reason: its text, the source index of each character, its words."""

    text: str
    source: tuple[int, ...]
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]


# --- normalisation -----------------------------------------------------------------------

_APOSTROPHES = frozenset("'\u2018\u2019\u02bc`\u00b4")
_DOTTED_ACRONYM = re.compile(r"(?<![a-z0-9])[a-z]\.(?: ?[a-z](?:\.|(?![a-z0-9])))+")
_SPACED_ACRONYM = re.compile(r"(?<![a-z0-9.])[a-z](?: [a-z]){2,}(?![a-z0-9])")
_SPACE = re.compile(r"\s+")
_ASCII_SLOW = re.compile(r"['`&]")
_WORD = re.compile(r"[a-z0-9]+")


def _rewrite(
    text: str, source: list[int], pattern: re.Pattern[str], keep_letters: bool
) -> tuple[str, list[int]]:
    """Apply ``pattern`` to ``text``; each match keeps only its letters (acronyms) or
    becomes one space (white space), the source map following along."""
    out: list[str] = []
    out_source: list[int] = []
    last = 0
    for found in pattern.finditer(text):
        start, end = found.span()
        out.append(text[last:start])
        out_source.extend(source[last:start])
        if keep_letters:
            for index in range(start, end):
                if text[index].isalpha():
                    out.append(text[index])
                    out_source.append(source[index])
        else:
            out.append(" ")
            out_source.append(source[start])
        last = end
    out.append(text[last:])
    out_source.extend(source[last:])
    return "".join(out), out_source


def normalise(reason: str) -> Normalised:
    """Normalise a reason as described in step 1 of the module docstring."""
    if reason.isascii() and not _ASCII_SLOW.search(reason):
        text, source = reason.lower(), list(range(len(reason)))
    else:
        text, source = _fold(reason)
    text, source = _rewrite(text, source, _DOTTED_ACRONYM, keep_letters=True)
    text, source = _rewrite(text, source, _SPACED_ACRONYM, keep_letters=True)
    text, source = _rewrite(text, source, _SPACE, keep_letters=False)
    if text.startswith(" "):
        text, source = text[1:], source[1:]
    if text.endswith(" "):
        text, source = text[:-1], source[:-1]
    found = list(_WORD.finditer(text))
    return Normalised(
        text=text,
        source=tuple(source),
        words=tuple(match.group() for match in found),
        spans=tuple(match.span() for match in found),
    )


def _fold(reason: str) -> tuple[str, list[int]]:
    """Accents dropped, lower case, apostrophes removed, ``&`` spelled out; with the
    source index of every character."""
    chars: list[str] = []
    source: list[int] = []
    for index, char in enumerate(reason):
        if char in _APOSTROPHES:
            continue
        if char == "&":
            chars.extend(" and ")
            source.extend([index] * 5)
            continue
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for lower in part.lower():
                if not unicodedata.combining(lower):
                    chars.append(lower)
                    source.append(index)
    return "".join(chars), source


@lru_cache(maxsize=4096)
def _phrase_words(phrase: str) -> tuple[str, ...]:
    # Cached: the same cancel words (drug words, victim words...) serve many terms.
    return normalise(phrase).words


# --- fuzzy matching ----------------------------------------------------------------------


def fuzzy_limit(length: int) -> int:
    """How many edits a phrase word of ``length`` letters tolerates."""
    if length < FUZZY_MIN_LENGTH:
        return 0
    return 1 if length < 10 else 2


@lru_cache(maxsize=200_000)
def _distance(expected: str, seen: str, limit: int) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions),
    giving up early with ``limit + 1`` once the distance must exceed ``limit``."""
    if abs(len(expected) - len(seen)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(seen) + 1))
    for i in range(1, len(expected) + 1):
        current = [i] + [0] * len(seen)
        for j in range(1, len(seen) + 1):
            cost = 0 if expected[i - 1] == seen[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (
                i > 1
                and j > 1
                and expected[i - 1] == seen[j - 2]
                and expected[i - 2] == seen[j - 1]
            ):
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _fuzzy_word(expected: str, seen: str) -> int | None:
    """Edits between a phrase word and a text word, or None when they do not match."""
    if expected == seen:
        return 0
    limit = fuzzy_limit(len(expected))
    if not limit or seen[:1] != expected[:1] or seen.isdigit():
        return None
    edits = _distance(expected, seen, limit)
    return edits if edits <= limit else None


# --- compiled terms ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    term: Term
    words: tuple[str, ...]
    pattern: re.Pattern[str] | None
    # The unless_near entries by their first word, each as (words, reach); and the
    # farthest reach among them.
    unless: dict[str, tuple[tuple[tuple[str, ...], int], ...]]
    reach: int


@dataclass(frozen=True)
class _Hit:
    compiled: _Compiled
    first: int  # first word index
    last: int  # one past the last word index
    start: int  # character span in the normalised text
    end: int
    edits: int = 0


_MODE_RANK = {"word": 0, "fuzzy": 1, "regex": 2, "prefix": 3}
_NUMBER = re.compile(r"[\w#/.-]*\d[\w#/.-]*")


def _quote_order(hit: _Hit) -> tuple[int, int, int, int, str]:
    """Which of several hits of a label to quote: earliest, longest, then the most
    specific kind of match (whole word before typo before pattern before prefix)."""
    term = hit.compiled.term
    return (hit.start, hit.start - hit.end, _MODE_RANK[term.match], hit.edits, term.phrase)


def _unless(term: Term, near: str) -> tuple[tuple[str, ...], int]:
    """The words of one ``unless_near`` entry and how far they reach (``~N``)."""
    found = _REACH.match(near)
    if found is None:
        return _phrase_words(near), NEAR_WORDS
    reach = int(found.group(2))
    if not 1 <= reach <= MAX_NEAR_WORDS:
        raise ValueError(
            f"term {term.phrase!r}: {near!r} may reach 1 to {MAX_NEAR_WORDS} words, not {reach}"
        )
    return _phrase_words(found.group(1)), reach


def near_entry(text: str) -> tuple[tuple[str, ...], int]:
    """The words of one ``unless_near`` entry as an administrator writes it, and how far
    they reach, as the classifier reads them; ValueError, in words for the form, for an
    entry the classifier would read otherwise than it looks: one without words, a reach
    out of range, or a "~" that is not a whole-number reach at the end ("~3" alone,
    "word ~-1", "word~3.5", which would silently become other words)."""
    found = _REACH.match(text)
    words_text = found.group(1) if found else text
    if "~" in words_text:
        raise ValueError(f'"{text}": "~" may only end an entry, followed by a whole number')
    words = _phrase_words(words_text)
    if not words:
        raise ValueError(f'"{text}" has no words to cancel a hit')
    if found is None:
        return words, NEAR_WORDS
    reach = int(found.group(2))
    if not 1 <= reach <= MAX_NEAR_WORDS:
        raise ValueError(f'"{text}" may reach 1 to {MAX_NEAR_WORDS} words, not {reach}')
    return words, reach


def _unless_index(
    term: Term,
) -> tuple[dict[str, tuple[tuple[tuple[str, ...], int], ...]], int]:
    """A term's ``unless_near`` entries by their first word, and their farthest reach: a
    hit then looks up the words around it instead of trying every entry."""
    index: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    farthest = 0
    for near in term.unless_near:
        words, reach = _unless(term, near)
        if words:
            index.setdefault(words[0], []).append((words, reach))
            farthest = max(farthest, reach)
    return {first: tuple(entries) for first, entries in index.items()}, farthest


def _validate(term: Term) -> None:
    if term.label not in TERM_LABELS:
        raise ValueError(f"term {term.phrase!r}: label must be one of {TERM_LABELS}")
    if term.match not in MATCH_MODES:
        raise ValueError(f"term {term.phrase!r}: match must be one of {MATCH_MODES}")
    if not term.phrase.strip():
        raise ValueError("a term needs a phrase")


class ReasonClassifier:
    """Labels reasons from a list of ``Term``; see the module docstring for the steps."""

    def __init__(self, terms: Iterable[Term]) -> None:
        # Word terms by their first word; prefix and fuzzy terms by the first letter of
        # their first word (a fuzzy word keeps its first letter), so a text word is only
        # compared with the terms that can start at it.
        self._word_index: dict[str, list[_Compiled]] = {}
        self._prefix_index: dict[str, list[_Compiled]] = {}
        self._fuzzy_index: dict[str, list[_Compiled]] = {}
        self._regex: list[tuple[_Compiled, re.Pattern[str]]] = []
        self.terms: tuple[Term, ...] = tuple(terms)
        for term in self.terms:
            _validate(term)
            unless, reach = _unless_index(term)
            if term.match == "regex":
                try:
                    pattern = re.compile(term.phrase, re.IGNORECASE)
                except re.error as error:
                    raise ValueError(
                        f"term {term.phrase!r}: bad regular expression: {error}"
                    ) from error
                self._regex.append((_Compiled(term, (), pattern, unless, reach), pattern))
                continue
            words = _phrase_words(term.phrase)
            if not words:
                raise ValueError(f"term {term.phrase!r}: no letters or digits to match")
            compiled = _Compiled(term, words, None, unless, reach)
            if term.match == "word":
                self._word_index.setdefault(words[0], []).append(compiled)
            elif term.match == "prefix":
                self._prefix_index.setdefault(words[0][0], []).append(compiled)
            else:
                self._fuzzy_index.setdefault(words[0][0], []).append(compiled)

    # -- hits --

    def _hits(self, norm: Normalised) -> list[_Hit]:
        words, spans = norm.words, norm.spans
        count = len(words)
        hits: list[_Hit] = []

        def add(compiled: _Compiled, first: int, last: int, edits: int = 0) -> None:
            hits.append(_Hit(compiled, first, last, spans[first][0], spans[last - 1][1], edits))

        for first, word in enumerate(words):
            for compiled in self._word_index.get(word, ()):
                size = len(compiled.words)
                if words[first : first + size] == compiled.words:
                    add(compiled, first, first + size)
            for compiled in self._prefix_index.get(word[0], ()):
                size = len(compiled.words)
                last = first + size
                if (
                    last <= count
                    and words[last - 1].startswith(compiled.words[-1])
                    and words[first : last - 1] == compiled.words[:-1]
                ):
                    add(compiled, first, last)
            for compiled in self._fuzzy_index.get(word[0], ()):
                size = len(compiled.words)
                if first + size > count:
                    continue
                edits = 0
                for offset, expected in enumerate(compiled.words):
                    found = _fuzzy_word(expected, words[first + offset])
                    if found is None:
                        break
                    edits += found
                else:
                    add(compiled, first, first + size, edits)
        for compiled, pattern in self._regex:
            for found in pattern.finditer(norm.text):
                start, end = found.span()
                if start == end:
                    continue
                inside = [i for i, (s, e) in enumerate(spans) if s < end and e > start]
                if inside:
                    first, last = inside[0], inside[-1] + 1
                else:  # punctuation only: anchor on the next word
                    first = next((i for i, (s, _) in enumerate(spans) if s >= end), count)
                    last = first
                hits.append(_Hit(compiled, first, last, start, end))
        return hits

    @staticmethod
    def _canceller(hit: _Hit, words: Sequence[str]) -> str | None:
        """The nearest ``unless_near`` words that cancel this hit, if any stand near it:
        an entry of ``size`` words reaching ``reach`` must lie wholly within ``reach``
        words before or after the hit, and not overlap it."""
        unless = hit.compiled.unless
        if not unless:
            return None
        count = len(words)
        found: list[tuple[int, int, str]] = []
        for first in range(max(0, hit.first - hit.compiled.reach), hit.last + hit.compiled.reach):
            if first >= count:
                break
            for near, reach in unless.get(words[first], ()):
                size = len(near)
                if first < hit.first - reach or first + size > min(count, hit.last + reach):
                    continue
                if first < hit.last and first + size > hit.first:
                    continue  # overlaps the hit itself
                if tuple(words[first : first + size]) == near:
                    gap = hit.first - (first + size) if first < hit.first else first - hit.last
                    found.append((gap, first, " ".join(near)))
        return min(found)[2] if found else None

    # -- quoting --

    @staticmethod
    def _quote(reason: str, norm: Normalised, start: int, end: int) -> str:
        if start >= end:
            return ""
        return reason[norm.source[start] : norm.source[end - 1] + 1].strip()

    @staticmethod
    def _mask(text: str) -> str:
        return re.sub(r"\d", "X", text)

    @staticmethod
    def _how(hit: _Hit) -> str:
        term = hit.compiled.term
        if term.match == "word":
            return "whole word" if len(hit.compiled.words) == 1 else "whole phrase"
        if term.match == "prefix":
            return f'word starting with "{" ".join(hit.compiled.words)}"'
        if term.match == "fuzzy":
            spelled = " ".join(hit.compiled.words)
            if hit.edits == 0:
                return "whole word" if len(hit.compiled.words) == 1 else "whole phrase"
            letters = "letter" if hit.edits == 1 else "letters"
            return f'close spelling of "{spelled}", {hit.edits} {letters} off'
        return "pattern"

    # -- classify --

    def classify(self, reason: str) -> Classification:
        """Label one reason (see the module docstring for the steps)."""
        reason = reason or ""
        norm = normalise(reason)
        words = norm.words
        by_label: dict[str, list[_Hit]] = {label: [] for label in TERM_LABELS}
        cancelled: list[tuple[_Hit, str]] = []
        for hit in self._hits(norm):
            near = self._canceller(hit, words)
            if near is None:
                by_label[hit.compiled.term.label].append(hit)
            else:
                cancelled.append((hit, near))

        for label in (IMMIGRATION, HEALTH_CARE, SENSITIVE_DATA):
            hits = by_label[label]
            if not hits:
                continue
            hit = min(hits, key=_quote_order)
            quoted = self._quote(reason, norm, hit.start, hit.end)
            if label == SENSITIVE_DATA:
                quoted = self._mask(quoted)
            term = hit.compiled.term
            explanation = f'matched "{quoted}" ({LABEL_DESCRIPTIONS[label]}, {self._how(hit)})'
            if term.note:
                explanation += f": {term.note}"
            return Classification(
                label, quoted, explanation + self._ignored(reason, norm, cancelled, label)
            )

        vague = self._vague(reason, norm, by_label[VAGUE])
        if vague is not None:
            return Classification(
                vague.label,
                vague.term,
                vague.explanation + self._ignored(reason, norm, cancelled, VAGUE),
            )

        purpose = " ".join(words[i] for i in self._content(norm, by_label[VAGUE]))
        if cancelled:
            hit, near = min(
                cancelled,
                key=lambda item: (PRIORITY.index(item[0].compiled.term.label), item[0].start),
            )
            explanation = self._cancel_text(reason, norm, hit, near)
        else:
            explanation = (
                "no immigration, health-care or personal-data term, and the reason states a "
                f'purpose ("{purpose}")'
            )
        return Classification(NONE, "", explanation)

    def _cancel_text(self, reason: str, norm: Normalised, hit: _Hit, near: str) -> str:
        term = hit.compiled.term
        quoted = self._quote(reason, norm, hit.start, hit.end)
        text = f'"{quoted}" next to "{near}" is not read as an {LABEL_DESCRIPTIONS[term.label]}'
        return text + (f" ({term.note})" if term.note else "")

    def _ignored(
        self, reason: str, norm: Normalised, cancelled: list[tuple[_Hit, str]], label: str
    ) -> str:
        """Mention a hit of a higher-priority label that was cancelled."""
        rank = PRIORITY.index(label)
        higher = [c for c in cancelled if PRIORITY.index(c[0].compiled.term.label) < rank]
        if not higher:
            return ""
        hit, near = min(higher, key=lambda c: (c[0].start, c[0].end, c[1]))
        quoted = self._quote(reason, norm, hit.start, hit.end)
        return f'; "{quoted}" next to "{near}" was not counted'

    @staticmethod
    def _filler(word: str) -> bool:
        return len(word) == 1 or word in FUNCTION_WORDS or any(c.isdigit() for c in word)

    def _content(self, norm: Normalised, vague_hits: list[_Hit]) -> list[int]:
        """Indexes of the words that state something: not generic, not filler."""
        covered: set[int] = set()
        for hit in vague_hits:
            covered.update(range(hit.first, hit.last))
        return [
            i for i, word in enumerate(norm.words) if i not in covered and not self._filler(word)
        ]

    def _vague(
        self, reason: str, norm: Normalised, vague_hits: list[_Hit]
    ) -> Classification | None:
        if not norm.words:
            shown = reason.strip()
            if not shown:
                return Classification(VAGUE, "", "empty reason: no purpose stated")
            return Classification(VAGUE, shown, f'only punctuation ("{shown}"): no purpose stated')
        if self._content(norm, vague_hits):
            return None
        generic = sorted({self._quote(reason, norm, h.start, h.end) for h in vague_hits})
        generic = [g for g in generic if g]
        parts = []
        if generic:
            parts.append("generic words " + ", ".join(f'"{g}"' for g in generic))
        others = [
            self._quote(reason, norm, *norm.spans[i])
            for i, _ in enumerate(norm.words)
            if not any(h.first <= i < h.last for h in vague_hits)
        ]
        numbers = _NUMBER.findall(reason)
        if numbers:
            parts.append("case numbers " + ", ".join(f'"{n}"' for n in numbers))
        letters = [w for w in others if not any(c.isdigit() for c in w)]
        if letters:
            parts.append("filler " + ", ".join(f'"{w}"' for w in letters))
        shown = reason.strip()
        explanation = (
            f'vague: "{shown}" has only {" and ".join(parts)}; no offence or purpose stated'
        )
        return Classification(VAGUE, shown, explanation)
