"""Cell values: times, counts, redaction, plates."""

import functools
import hashlib
import hmac
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

CENTRAL = ZoneInfo("America/Chicago")


def is_redacted(cell: str) -> bool:
    stripped = cell.strip()
    return stripped == "***" or (len(stripped) == 8 and stripped.lower() == "redacted")


def parse_flock_time(text: str) -> datetime:
    """`11/14/2025, 09:53:36 AM UTC` as an aware UTC datetime; ValueError otherwise.

    The fixed-width form is sliced by hand, its date and its time of day each looked up
    in a cache (a file holds a few hundred days, and a day has 86,400 seconds): this
    runs three times for every row of files with millions of rows, and `strptime` is
    ten times slower.
    """
    if (
        len(text) == 27
        and text[2] == "/"
        and text[5] == "/"
        and text[10:12] == ", "
        and text[23:] == " UTC"
    ):
        return datetime(*_flock_day(text[:10]), *_flock_clock(text[12:23]), tzinfo=UTC)
    stripped = text.strip()
    if not stripped.endswith(" UTC"):
        raise ValueError(text)
    return datetime.strptime(stripped, "%m/%d/%Y, %I:%M:%S %p UTC").replace(tzinfo=UTC)


@functools.lru_cache(maxsize=4096)
def _flock_day(text: str) -> tuple[int, int, int]:
    """`11/14/2025` as (year, month, day); the date itself is checked by `datetime`."""
    return int(text[6:10]), int(text[0:2]), int(text[3:5])


@functools.lru_cache(maxsize=90_000)
def _flock_clock(text: str) -> tuple[int, int, int]:
    """`09:53:36 AM` as (hour, minute, second) on the 24-hour clock."""
    hour = int(text[0:2])
    meridiem = text[9:]
    if not 1 <= hour <= 12 or meridiem not in ("AM", "PM") or text[2] != ":":
        raise ValueError(text)
    return hour % 12 + (12 if meridiem == "PM" else 0), int(text[3:5]), int(text[6:8])


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
    digest = _plate_hmac(settings.PORTAL_PLATE_HASH_KEY).copy()
    digest.update(_PLATE_NOISE.sub("", plate).upper().encode())
    return digest.hexdigest()


def split_search_type(text: str) -> tuple[str, bool]:
    """`search - Mobile` → ("search", True): the base type and whether it was mobile."""
    text = text.strip()
    if text.endswith(" - Mobile"):
        return text[: -len(" - Mobile")].strip(), True
    return text, False
