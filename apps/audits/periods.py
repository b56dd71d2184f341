"""How long a finding's condition held, in words: the one place that counts its months.

Dates are the portal's local dates (settings.TIME_ZONE), as every page shows them.
"""

from datetime import date, datetime

from django.utils import timezone


def _local_date(moment: datetime) -> date:
    # The default time zone, read from a cache: a batch's evaluation words tens of
    # thousands of periods, and `localtime` looks up the active zone each time.
    return moment.astimezone(timezone.get_default_timezone()).date()


def months_between(start: datetime, end: datetime) -> int:
    """Whole calendar months from `start` to `end`: Apr 16, 2024 to Sep 23, 2025 is 17,
    to Sep 15, 2025 is 16."""
    first, last = _local_date(start), _local_date(end)
    months = (last.year - first.year) * 12 + last.month - first.month
    if last.day < first.day:
        months -= 1
    return max(months, 0)


def duration_text(start: datetime, end: datetime) -> str:
    months = months_between(start, end)
    if months == 0:
        return "less than a month"
    return f"{months} month{'s' if months != 1 else ''}"


def search_period_text(start: datetime, end: datetime | None) -> str:
    """What a summary says of the time a partner could search the data:
    `could search from April 16, 2024 to September 23, 2025 (17 months)` once it ended,
    `could search since April 16, 2024` while it lasts (no count that ages every night)."""
    if end is None:
        return f"could search since {_local_date(start):%B %-d, %Y}"
    return (
        f"could search from {_local_date(start):%B %-d, %Y} to {_local_date(end):%B %-d, %Y} "
        f"({duration_text(start, end)})"
    )


def period_label(start: datetime | None, end: datetime | None) -> str:
    """A finding's period as lists and pages show it: `Apr 16, 2024 to Sep 23, 2025
    (17 months)`, `Jun 3, 2025` within one day, `since Apr 16, 2024` while it holds."""
    if start is None:
        return ""
    first = _local_date(start)
    if end is None:
        return f"since {first:%b %-d, %Y}"
    last = _local_date(end)
    if first == last:
        return f"{first:%b %-d, %Y}"
    return f"{first:%b %-d, %Y} to {last:%b %-d, %Y} ({duration_text(start, end)})"
