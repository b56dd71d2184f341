"""The searches table's monthly partitions (migration 0008_partition_searches).

`sharing_searchevent` is partitioned by RANGE on `searched_at`: one partition per
calendar month, bounds at midnight UTC on the first, named `sharing_searchevent_yYYYYmMM`,
and a DEFAULT partition that takes any row whose month has no partition yet, so an
insert never fails for want of one.

- `searches_partitions_ensure` (a daily beat job) creates the coming months ahead;
- a searches load reads whether its file's months exist (a catalog read); rows of a
  month without a partition load into DEFAULT, and `searches_months_ensure` gives them
  their month right after the load commits, in its own short transaction;
- `searches_retention` (the `searches_retention` command) detaches and drops the months
  entirely older than the retention period.

Creating a month whose rows already sit in DEFAULT would fail PostgreSQL's check of the
DEFAULT partition, so those rows are first moved out, the month created, and the rows
inserted again through the parent, which routes them to it (the way the PostgreSQL
manual's "Partition Maintenance" describes, without detaching DEFAULT). Creating or
dropping a partition takes an ACCESS EXCLUSIVE lock on the parent until the transaction
commits, which every other load and every reader of searches waits behind: so it is
never done inside a load's long transaction.
"""

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from apps.compliance.reading import learned_readings_purge
from apps.core import activity, locks

from .models import SearchEvent, SearchRetention
from .rollups import search_days_refresh
from .ungranted import ungranted_retention

PARENT = SearchEvent._meta.db_table
DEFAULT = f"{PARENT}_default"
_MONTH_NAME = re.compile(rf"^{PARENT}_y(\d{{4}})m(\d{{2}})$")


def month_of(moment: datetime) -> date:
    """The first day of `moment`'s calendar month in UTC (the partitions' bounds)."""
    return moment.astimezone(UTC).date().replace(day=1)


def month_after(month: date, months: int = 1) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    following = month_after(month)
    return start, datetime(following.year, following.month, 1, tzinfo=UTC)


def partition_name(month: date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def searches_partitions() -> dict[date, str]:
    """The monthly partitions that exist, by month (DEFAULT left out), oldest first."""
    with connection.cursor() as reader:
        reader.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        names = [name for (name,) in reader.fetchall()]
    months = {}
    for name in names:
        if matched := _MONTH_NAME.match(name):
            months[date(int(matched[1]), int(matched[2]), 1)] = name
    return dict(sorted(months.items()))


def searches_months_ensure(*, months: Iterable[date]) -> list[str]:
    """Create the partitions of `months` (first days) that do not exist yet, moving any
    of their rows out of DEFAULT; returns the names created. Idempotent, and only a
    catalog read when every month exists. Runs in the caller's transaction if any."""
    wanted = sorted({month.replace(day=1) for month in months})
    if not wanted:
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        if not set(wanted) - set(searches_partitions()):
            return []
        locks.PARTITIONS.take()
        existing = searches_partitions()  # again: another job may have made some
        created = []
        for month in wanted:
            if month not in existing:
                _month_create(cursor, month)
                created.append(partition_name(month))
    return created


def searches_partitions_ensure(*, months_ahead: int = 3, now: datetime | None = None) -> list[str]:
    """Create the current month's partition and the next `months_ahead`, and the month
    of any row waiting in DEFAULT (moving it there); returns the names created (none
    when they all exist). DEFAULT is empty but for rows written outside a load (a data
    fix, the demo's date shift) or a load whose after-commit step failed, so reading it
    costs nothing in the usual case."""
    current = month_of(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT date_trunc('month', searched_at AT TIME ZONE 'UTC')::date"  # noqa: S608 # nosec B608 - constant name
            f" FROM {DEFAULT}"
        )
        waiting = [month for (month,) in cursor.fetchall()]
    return searches_months_ensure(
        months=[month_after(current, offset) for offset in range(months_ahead + 1)] + waiting
    )


def _month_create(cursor, month: date) -> None:
    start, end = month_bounds(month)
    # The parent first, always, as loads and readers take it before any partition.
    cursor.execute(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE")
    bounds = {"start": start, "end": end}
    in_default = f"FROM {DEFAULT} WHERE searched_at >= %(start)s AND searched_at < %(end)s"
    cursor.execute(f"SELECT EXISTS (SELECT 1 {in_default})", bounds)  # nosec B608 - constant names, values bound
    (held,) = cursor.fetchone()
    if held:
        cursor.execute(f"CREATE TEMP TABLE partition_moving (LIKE {PARENT}) ON COMMIT DROP")
        cursor.execute(
            f"WITH moved AS (DELETE {in_default} RETURNING *)"  # noqa: S608 # nosec B608 - constant names, values bound
            " INSERT INTO partition_moving SELECT * FROM moved",
            bounds,
        )
    # DDL takes no bound parameters: the bounds are composed as literals.
    cursor.execute(
        sql.SQL("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})").format(
            sql.Identifier(partition_name(month)),
            sql.Identifier(PARENT),
            sql.Literal(start.isoformat()),
            sql.Literal(end.isoformat()),
        )
    )
    if held:
        cursor.execute(f"INSERT INTO {PARENT} SELECT * FROM partition_moving")  # noqa: S608 # nosec B608 - constant names
        cursor.execute("DROP TABLE partition_moving")


@dataclass(frozen=True)
class Retention:
    cutoff: datetime  # searches before it are past the retention period
    partitions: list[str]  # dropped (or, in a dry run, to drop), oldest first
    searches: int  # the searches they held


def searches_retention(
    *, older_than_months: int, dry_run: bool = False, now: datetime | None = None
) -> Retention:
    """Detach and drop the monthly partitions that end on or before `older_than_months`
    months ago, and recount the search-day rollup over their days.

    Searches of such months still in DEFAULT are first moved to their own partition,
    so they go too. Findings, their evidence and the exports are not touched: a
    finding keeps the file names and lines it cites, and evaluations after it keep
    them too (a `SearchRetention` row records where the searches now start). One
    transaction, under the statewide searches lock (loads wait) and the partitions
    lock; an entry in the activity log records what was dropped. A dry run only counts.
    """
    if older_than_months < 1:
        raise ValueError("older_than_months must be at least 1")
    now = (now or timezone.now()).astimezone(UTC)
    cutoff_month = month_after(month_of(now), -older_than_months)
    last_day = calendar.monthrange(cutoff_month.year, cutoff_month.month)[1]
    cutoff = now.replace(
        year=cutoff_month.year, month=cutoff_month.month, day=min(now.day, last_day)
    )
    # Rows before the cutoff's month belong to months that ended before the cutoff.
    cutoff_start, _ = month_bounds(cutoff_month)
    with transaction.atomic(), connection.cursor() as cursor:
        locks.SEARCHES.take()
        if not dry_run:
            # Before reading any partition: the daily job holds this lock while it locks
            # the searches table ACCESS EXCLUSIVE, which waits for every reader of a
            # partition. Read first and wait for this lock after, and the two deadlock.
            locks.PARTITIONS.take()
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', searched_at AT TIME ZONE 'UTC')::date"  # noqa: S608 # nosec B608 - constant names, values bound
            f" FROM {DEFAULT} WHERE searched_at < %s",
            [cutoff_start],
        )
        stray = [month for (month,) in cursor.fetchall()]
        if dry_run:
            cursor.execute(f"SELECT count(*) FROM {DEFAULT} WHERE searched_at < %s", [cutoff_start])  # noqa: S608 # nosec B608
            (searches,) = cursor.fetchone()
        else:
            searches_months_ensure(months=stray)
            searches = 0
        expired = {
            month: name
            for month, name in searches_partitions().items()
            if month_bounds(month)[1] <= cutoff
        }
        for name in expired.values():
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
            searches += cursor.fetchone()[0]
        names = list(expired.values())
        if dry_run:
            names += [partition_name(month) for month in stray if month not in expired]
            return Retention(cutoff=cutoff, partitions=sorted(names), searches=searches)
        if not expired:
            return Retention(cutoff=cutoff, partitions=[], searches=0)
        for name in names:
            cursor.execute(
                sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                    sql.Identifier(PARENT), sql.Identifier(name)
                )
            )
            cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))
        _, last_end = month_bounds(max(expired))
        # The rollup counts what is left on every day the dropped months touched.
        search_days_refresh(
            cursor,
            "SELECT municipality_id, day FROM sharing_searchday WHERE day <= %(until)s",
            {"until": timezone.localtime(last_end).date()},
        )
        # And the searches without a grant: the dropped days go, the cut one is recounted.
        ungranted_retention(cursor, kept_from=last_end)
        # Evaluation keeps what findings recorded of the searches before it.
        SearchRetention.objects.create(kept_from=last_end, partitions=names, searches=searches)
        # The learned signal's cached readings of that time go with them (a reason seen
        # again is read again).
        readings = learned_readings_purge(before=last_end)
        activity.record(
            "searches.retention_dropped",
            subject_label=f"Searches before {cutoff:%Y-%m-%d}",
            detail={
                "older_than_months": older_than_months,
                "cutoff": cutoff.isoformat(),
                "partitions": names,
                "searches": searches,
                "learned readings": readings,
            },
        )
    return Retention(cutoff=cutoff, partitions=names, searches=searches)
