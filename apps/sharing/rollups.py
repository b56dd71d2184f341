"""The searches rollup (`SearchDay`): searches per municipality, local day, agency and
reason label.

Everything that changes searches recounts the days it touched, in its own transaction,
so the rollup is never behind the searches a reader can see:

- a load recounts the days of the rows it staged (`apps.vendors.loading`);
- a reclassification recounts the days of the searches it relabelled;
- an agency merge recounts the days the merged agency searched.

Loads of different municipalities run side by side; a reclassification or a merge
rewrites searches of many municipalities at once, so it takes the searches lock
(`apps.core.locks.SEARCHES`) exclusively and loads take it shared.
"""

from django.conf import settings
from django.db import connection, transaction

from apps.compliance.vocabulary import sql_template
from apps.core import locks

# A timestamp column's local day, in the portal's time zone (%(tz)s).
LOCAL_DAY = "(({column}) AT TIME ZONE %(tz)s)::date"


# Recounting the days in `rollup_days`: their rows go, and are counted afresh.
_DAYS_RECOUNT = [
    sql_template(
        "DELETE FROM {search_day} r USING rollup_days d"
        " WHERE r.{search_day.municipality} = d.municipality_id"
        " AND r.{search_day.day} = d.day"
    ),
    sql_template(
        "INSERT INTO {search_day} ({search_day.municipality}, {search_day.day},"
        " {search_day.agency}, {search_day.reason_label}, {search_day.searches})"
        " SELECT s.{search.municipality}, d.day, s.{search.agency}, s.{search.reason_label},"
        " count(*)"
        " FROM rollup_days d JOIN {search} s"
        "  ON s.{search.municipality} = d.municipality_id"
        "  AND s.{search.searched_at} >= (d.day::timestamp AT TIME ZONE %(tz)s)"
        "  AND s.{search.searched_at} < ((d.day + 1)::timestamp AT TIME ZONE %(tz)s)"
        " GROUP BY s.{search.municipality}, d.day, s.{search.agency}, s.{search.reason_label}"
    ),
]
# Recounting every day of some municipalities (`True`: the %(ids)s), or of all.
_REBUILD_DELETE = {
    False: sql_template("DELETE FROM {search_day}"),
    True: sql_template("DELETE FROM {search_day} WHERE {search_day.municipality} = ANY(%(ids)s)"),
}
_REBUILD_COUNT = {
    only: sql_template(
        "INSERT INTO {search_day} ({search_day.municipality}, {search_day.day},"  # noqa: S608 - constant SQL, values bound # nosec B608
        " {search_day.agency}, {search_day.reason_label}, {search_day.searches})"
        " SELECT {search.municipality}, LOCAL_DAY, {search.agency}, {search.reason_label},"
        " count(*) FROM {search}"
        + (" WHERE {search.municipality} = ANY(%(ids)s)" if only else "")
        + " GROUP BY {search.municipality}, LOCAL_DAY, {search.agency}, {search.reason_label}"
    ).replace("LOCAL_DAY", LOCAL_DAY.format(column=sql_template("{search.searched_at}")))
    for only in (False, True)
}


def search_days_refresh(cursor, days_sql: str, params: dict | None = None) -> int:
    """Recount the (municipality_id, day) pairs that `days_sql` selects; returns how many
    pairs were recounted. `days_sql` may use `LOCAL_DAY` (its %(tz)s is supplied)."""
    params = {**(params or {}), "tz": settings.TIME_ZONE}
    cursor.execute("DROP TABLE IF EXISTS rollup_days")
    cursor.execute(
        "CREATE TEMP TABLE rollup_days ON COMMIT DROP AS"  # noqa: S608 - constant SQL, values bound # nosec B608
        f" SELECT DISTINCT municipality_id, day FROM ({days_sql}) picked",
        params,
    )
    # Without statistics the planner guesses thousands of days and joins them to every
    # search of the municipality (a million comparisons per day) instead of reading
    # each day's searches by index: 5 s instead of 1 for a load of 100,000 searches.
    cursor.execute("ANALYZE rollup_days")
    cursor.execute("SELECT count(*) FROM rollup_days")
    (pairs,) = cursor.fetchone()
    if pairs:
        delete, insert = _DAYS_RECOUNT
        cursor.execute(delete)
        cursor.execute(insert, {"tz": settings.TIME_ZONE})
    cursor.execute("DROP TABLE rollup_days")
    return pairs


def search_days_rebuild(*, municipality_ids: list[int] | None = None) -> int:
    """Recount every day of the given municipalities (all when None) in one pass; returns
    the rows written. For a migration, a repair, or a benchmark's generated state: the
    running portal keeps the rollup day by day and never needs it."""
    only = municipality_ids is not None
    params = {"tz": settings.TIME_ZONE, "ids": municipality_ids}
    with transaction.atomic(), connection.cursor() as cursor:
        locks.SEARCHES.take()
        cursor.execute(_REBUILD_DELETE[only], params)
        cursor.execute(_REBUILD_COUNT[only], params)
        return cursor.rowcount
