"""Cell values: times, counts, redaction, plates."""

import functools
import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

CENTRAL = ZoneInfo("America/Chicago")


def is_redacted(cell: str) -> bool:
    stripped = cell.strip()
    return stripped == "***" or (len(stripped) == 8 and stripped.lower() == "redacted")


def parse_flock_time(text: str) -> datetime:
    """`11/14/2025, 09:53:36 AM UTC` as an aware UTC datetime; ValueError otherwise.

    The fixed-width form is sliced by hand: its date is looked up as a UTC midnight and
    its time of day as the time since midnight, each checked once when first met (a
    file holds a few hundred days, and a day has 86,400 seconds). This runs three times
    for every row of files with millions of rows: one addition costs a third of
    building the datetime from its six numbers, and `strptime` is ten times slower.
    """
    if len(text) == 27 and text[23:] == " UTC":
        day = _FLOCK_DAYS.get(text[:12])
        clock = _FLOCK_CLOCKS.get(text[12:23])
        if day is not None and clock is not None:
            return day + clock
        if text[2] == "/" and text[5] == "/" and text[10:12] == ", ":
            return _flock_day(text[:12]) + _flock_clock(text[12:23])
    stripped = text.strip()
    if not stripped.endswith(" UTC"):
        raise ValueError(text)
    return datetime.strptime(stripped, "%m/%d/%Y, %I:%M:%S %p UTC").replace(tzinfo=UTC)


# Days (`11/14/2025, `) and times of day (`09:53:36 AM`) already checked. Only valid
# ones are kept: at most 86,400 times of day, and days up to a bound, then afresh.
_FLOCK_DAYS: dict[str, datetime] = {}
_FLOCK_CLOCKS: dict[str, timedelta] = {}
_FLOCK_DAYS_KEPT = 4096


def _flock_day(text: str) -> datetime:
    """`11/14/2025, ` as its UTC midnight; `datetime` checks the date itself."""
    value = datetime(int(text[6:10]), int(text[0:2]), int(text[3:5]), tzinfo=UTC)
    if len(_FLOCK_DAYS) >= _FLOCK_DAYS_KEPT:
        _FLOCK_DAYS.clear()
    _FLOCK_DAYS[text] = value
    return value


def _flock_clock(text: str) -> timedelta:
    """`09:53:36 AM` as the time since midnight on the 24-hour clock."""
    hour = int(text[0:2])
    meridiem = text[9:]
    if not 1 <= hour <= 12 or meridiem not in ("AM", "PM") or text[2] != ":" or text[5] != ":":
        raise ValueError(text)
    minute, second = int(text[3:5]), int(text[6:8])
    if not (0 <= minute <= 59 and 0 <= second <= 59):
        raise ValueError(text)
    value = timedelta(hours=hour % 12 + (12 if meridiem == "PM" else 0), minutes=minute,
                      seconds=second)  # fmt: skip
    _FLOCK_CLOCKS[text] = value
    return value


def parse_iso_time(text: str) -> datetime:
    """ISO 8601 with `Z` or an offset; a time without a zone is refused, not guessed."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise ValueError("no time zone")
    return _in_utc(value)


def parse_central_time(text: str) -> datetime:
    """`MM/DD/YYYY HH:MM`, 24-hour Central time (the first of a repeated fall-back hour)."""
    local = datetime.strptime(text.strip(), "%m/%d/%Y %H:%M")
    return _in_utc(local.replace(tzinfo=CENTRAL))


def _in_utc(value: datetime) -> datetime:
    """ValueError, not OverflowError, for a time whose UTC date is past year 9999 or
    before year 1 (`12/31/9999 20:00` Central, `0001-01-01T00:00:00+01:00`)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None


def parse_us_date(text: str) -> date:
    """`MM/DD/YYYY`, anything after the date ignored."""
    return datetime.strptime(text.strip().split()[0], "%m/%d/%Y").date()


def parse_count(text: str) -> int | None:
    """`1,836` → 1836; blank → None; anything else → ValueError."""
    stripped = text.strip().replace(",", "")
    if not stripped:
        return None
    if not stripped.isdigit():
        raise ValueError(text)
    return int(stripped)


_BOOLEAN = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False,
            "false": False, "0": False, "": False}  # fmt: skip


def parse_boolean(text: str) -> bool:
    try:
        return _BOOLEAN[text.strip().lower()]
    except KeyError:
        raise ValueError(text) from None


_ORI = re.compile(r"^[A-Z0-9]{9}$")


def normalize_ori(text: str) -> str:
    """An NCIC ORI in upper case, or "" when the text is not 9 letters and digits."""
    ori = text.strip().upper()
    return ori if _ORI.match(ori) else ""


_PLATE_NOISE = re.compile(r"[\s\-]+")


@functools.cache
def _plate_hmac(key: str) -> "hmac.HMAC":
    if not key:
        raise RuntimeError("PORTAL_PLATE_HASH_KEY is not set")
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def plate_hash(plate: str) -> str:
    """Keyed hash of a normalised plate: counts repeats without keeping the plate."""
    return plate_hasher()(plate)


def plate_hasher() -> Callable[[str], str]:
    """`plate_hash` with the key read once, for a parser's million rows."""
    key = settings.PORTAL_PLATE_HASH_KEY
    noise = _PLATE_NOISE.sub

    def hash_plate(plate: str) -> str:
        digest = _plate_hmac(key).copy()
        digest.update(noise("", plate).upper().encode())
        return digest.hexdigest()

    return hash_plate


def split_search_type(text: str) -> tuple[str, bool]:
    """`search - Mobile` → ("search", True): the base type and whether it was mobile."""
    text = text.strip()
    if text.endswith(" - Mobile"):
        return text[: -len(" - Mobile")].strip(), True
    return text, False
