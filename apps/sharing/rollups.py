"""The searches rollup (`SearchDay`): searches per municipality, local day, agency and
reason label.

Everything that changes searches recounts the days it touched, in its own transaction,
so the rollup is never behind the searches a reader can see:

- a load recounts the days of the rows it staged (`apps.vendors.loading`);
- a reclassification recounts the days of the searches it relabelled;
- an agency merge recounts the days the merged agency searched.

Loads of different municipalities run side by side; a reclassification or a merge
rewrites searches of many municipalities at once, so it takes `SEARCHES_LOCK`
exclusively and loads take it shared (see `searches_lock`).
"""

from django.conf import settings
from django.db import connection, transaction

# Advisory lock over all searches: loads hold it shared, statewide rewrites exclusively.
SEARCHES_LOCK = 7303

# A timestamp column's local day, in the portal's time zone (%(tz)s).
LOCAL_DAY = "(({column}) AT TIME ZONE %(tz)s)::date"


def searches_lock(cursor, *, exclusive: bool) -> None:
    """Take the statewide searches lock for the current transaction."""
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    cursor.execute(f"SELECT {function}(%s)", [SEARCHES_LOCK])


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
    cursor.execute("SELECT count(*) FROM rollup_days")
    (pairs,) = cursor.fetchone()
    if pairs:
        cursor.execute(
            "DELETE FROM sharing_searchday r USING rollup_days d"
            " WHERE r.municipality_id = d.municipality_id AND r.day = d.day"
        )
        cursor.execute(
            "INSERT INTO sharing_searchday"
            " (municipality_id, day, agency_id, reason_label, searches)"
            " SELECT s.municipality_id, d.day, s.agency_id, s.reason_label, count(*)"
            " FROM rollup_days d JOIN sharing_searchevent s"
            "  ON s.municipality_id = d.municipality_id"
            "  AND s.searched_at >= (d.day::timestamp AT TIME ZONE %(tz)s)"
            "  AND s.searched_at < ((d.day + 1)::timestamp AT TIME ZONE %(tz)s)"
            " GROUP BY s.municipality_id, d.day, s.agency_id, s.reason_label",
            {"tz": settings.TIME_ZONE},
        )
    cursor.execute("DROP TABLE rollup_days")
    return pairs


def search_days_rebuild(*, municipality_ids: list[int] | None = None) -> int:
    """Recount every day of the given municipalities (all when None) in one pass; returns
    the rows written. For a migration, a repair, or a benchmark's generated state: the
    running portal keeps the rollup day by day and never needs it."""
    where, params = "", {"tz": settings.TIME_ZONE}
    if municipality_ids is not None:
        where, params["ids"] = " WHERE municipality_id = ANY(%(ids)s)", municipality_ids
    day = LOCAL_DAY.format(column="searched_at")
    with transaction.atomic(), connection.cursor() as cursor:
        searches_lock(cursor, exclusive=True)
        cursor.execute("DELETE FROM sharing_searchday" + where, params)  # noqa: S608 - constant SQL, values bound # nosec B608
        cursor.execute(
            "INSERT INTO sharing_searchday"  # noqa: S608 - constant SQL, values bound # nosec B608
            " (municipality_id, day, agency_id, reason_label, searches)"
            f" SELECT municipality_id, {day}, agency_id, reason_label, count(*)"
            f" FROM sharing_searchevent{where}"
            f" GROUP BY municipality_id, {day}, agency_id, reason_label",
            params,
        )
        return cursor.rowcount
