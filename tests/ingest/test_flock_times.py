"""Flock's times (`11/14/2025, 09:53:36 AM UTC`) read by the sliced, cached parser give
the instants `strptime` gives, and are refused where `strptime` refuses them."""

from datetime import UTC, datetime

import pytest

from apps.vendors.parsing.values import parse_flock_time

FORMAT = "%m/%d/%Y, %I:%M:%S %p UTC"


def by_strptime(text: str) -> datetime:
    return datetime.strptime(text, FORMAT).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "11/14/2025, 09:53:36 AM UTC",
        "11/14/2025, 12:00:00 AM UTC",  # midnight
        "11/14/2025, 12:59:59 AM UTC",
        "11/14/2025, 01:00:00 AM UTC",
        "11/14/2025, 11:59:59 AM UTC",
        "11/14/2025, 12:00:00 PM UTC",  # noon
        "11/14/2025, 12:30:15 PM UTC",
        "11/14/2025, 01:00:00 PM UTC",
        "11/14/2025, 11:59:59 PM UTC",
        "02/29/2024, 06:15:00 PM UTC",  # leap day
        "12/31/2025, 11:59:59 PM UTC",  # the last second of a year
        "01/01/2026, 12:00:00 AM UTC",
        # Central time changes (UTC has none): the hours around them stay one hour apart.
        "03/08/2026, 07:59:59 AM UTC",
        "03/08/2026, 08:00:00 AM UTC",
        "11/01/2026, 06:30:00 AM UTC",
        "11/01/2026, 07:30:00 AM UTC",
        " 11/14/2025, 09:53:36 AM UTC ",  # padded: the strptime path
    ],
)
def test_a_flock_time_is_the_instant_strptime_reads(text):
    # Twice: the second read comes from the caches of days and times of day.
    assert parse_flock_time(text) == by_strptime(text.strip())
    assert parse_flock_time(text) == by_strptime(text.strip())
    assert parse_flock_time(text).tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "11/14/2025, 13:00:00 PM UTC",  # no 13 on a 12-hour clock
        "11/14/2025, 00:30:00 AM UTC",  # nor 0
        "11/14/2025, 09:60:00 AM UTC",
        "11/14/2025, 09:53:61 AM UTC",
        "02/29/2025, 09:53:36 AM UTC",  # not a leap year
        "13/14/2025, 09:53:36 AM UTC",
        "11/31/2025, 09:53:36 AM UTC",
        "11/14/2025, 09:53:36 XM UTC",
        "11/14/2025, 09-53:36 AM UTC",
        "11/14/2025, 09:53:36 AM CST",
        "2025-11-14 09:53:36",
        "",
    ],
)
def test_a_time_strptime_refuses_is_refused(text):
    with pytest.raises(ValueError):
        by_strptime(text.strip())
    with pytest.raises(ValueError):
        parse_flock_time(text)


def test_the_same_day_at_another_time_is_another_instant():
    # The caches key the date and the time of day apart: neither answers for the other.
    assert parse_flock_time("11/14/2025, 09:53:36 AM UTC") != parse_flock_time(
        "11/14/2025, 09:53:36 PM UTC"
    )
    assert parse_flock_time("11/15/2025, 09:53:36 AM UTC") == datetime(
        2025, 11, 15, 9, 53, 36, tzinfo=UTC
    )
