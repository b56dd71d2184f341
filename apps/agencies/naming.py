"""Agency names as vendors write them, reduced to a comparable form.

`parse_agency_name("Ward County TX SO")` gives the name `ward county sheriffs office`
in state `TX`; `"ICE ERO Chicago [Federal]"` gives `ice ero chicago` with the tag
`federal`. Only exact equality of that form counts as the same agency: similar names
("Ward County" and "Howard County") are suggestions for a person, never a match.
"""

import re
from dataclasses import dataclass, field

_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
)
US_STATES = frozenset(_STATE_CODES.split())

# Bracketed or trailing markers that describe the account, not the agency.
_BRACKET_TAG = re.compile(r"\[([^\]]+)\]|\((turned off|inactive)\)", re.IGNORECASE)
_TRAILING_TAGS = re.compile(
    r"\s*-\s*(duplicate\s*-\s*do not use|dnu|do not use)\s*$", re.IGNORECASE
)
_TAG_NAMES = {
    "federal": "federal",
    "inactive": "inactive",
    "turned off": "turned_off",
    "dnu": "dnu",
    "do not use": "dnu",
    "duplicate - do not use": "duplicate",
}

# Abbreviations vendors use for the kind of agency, as whole words at the end.
_SUFFIXES = {
    "pd": "police department",
    "police dept": "police department",
    "so": "sheriffs office",
    "sheriff": "sheriffs office",
    "sheriffs dept": "sheriffs office",
    "sheriffs department": "sheriffs office",
    "da": "district attorney",
    "sp": "state police",
    "hp": "highway patrol",
}
_SUFFIX_WORDS = ("police department", "sheriffs office", "district attorney", "state police")


@dataclass(frozen=True)
class ParsedName:
    display: str
    normalized: str
    state: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def match_key(self) -> str:
        return f"{self.state}|{self.normalized}"


def _tag_name(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    return _TAG_NAMES.get(text, re.sub(r"[^a-z0-9]+", "_", text).strip("_"))


def normalize_words(text: str) -> str:
    """Lower case, `&` as `and`, `U.S.` as `us`, punctuation to spaces, single spaces."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"\bu\.\s?s\.", "us ", text)
    text = re.sub("['\u2019`]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def parse_agency_name(raw: str) -> ParsedName:
    tags: list[str] = []
    text = raw.strip()

    def take_bracket(match: re.Match) -> str:
        tags.append(_tag_name(match.group(1) or match.group(2)))
        return " "

    text = _BRACKET_TAG.sub(take_bracket, text)
    trailing = _TRAILING_TAGS.search(text)
    if trailing:
        tags.append(_tag_name(trailing.group(1)))
        text = text[: trailing.start()]
    display = " ".join(text.split()).strip(" -")

    words = normalize_words(display).split()
    state = ""
    # A state code stands last, or just before the kind of agency: "Ward County TX SO",
    # "Pleasant Valley IL Police Department".
    for position in range(len(words) - 1, 0, -1):
        after = " ".join(words[position + 1 :])
        if words[position].upper() in US_STATES and (
            not after or after in _SUFFIXES or after in _SUFFIX_WORDS
        ):
            state = words.pop(position).upper()
            break
    normalized = " ".join(words)
    for short, long in _SUFFIXES.items():
        if normalized.endswith(" " + short):
            normalized = normalized[: -len(short)] + long
            break
    if normalized.startswith("united states "):
        normalized = "us " + normalized[len("united states ") :]
    return ParsedName(display=display, normalized=normalized, state=state, tags=tuple(tags))


_LEVEL_HINTS: tuple[tuple[str, str], ...] = (
    (r"\b(tribal|nation|band of)\b", "tribal"),
    (r"\b(state police|highway patrol|state university police|state patrol)\b", "state"),
    (r"\b(sheriffs office|county)\b", "county"),
    (r"\b(police department|police|village|city|town)\b", "local"),
    (
        r"\b(inc|llc|corp|company|home centers|home depot|property group|hoa|apartments|"
        r"mall|security|stores|walmart|lowes)\b",
        "private",
    ),
)


def guess_level(parsed: ParsedName) -> str:
    """A first guess at the agency's level for the review queue; people confirm it."""
    if "federal" in parsed.tags or parsed.normalized.startswith("us "):
        return "federal"
    for pattern, level in _LEVEL_HINTS:
        if re.search(pattern, parsed.normalized):
            return level
    return "other"
