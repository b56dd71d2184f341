"""The rollup of searches no grant let in (`UngrantedSearchDay`), read by the "search
without a grant" rule instead of every search of the municipality.

Whatever changes what it is made of rewrites it in its own transaction, under the same
locks as the searches rollup (`apps.sharing.rollups`):

- a load of searches adds its own new rows (`ungranted_export_add`): every search it
  inserted carries its export, so the rows are read back by export, whatever the file
  repeated of earlier ones;
- a change to a municipality's grants (a sharing list or event log load, a reload)
  recomputes that municipality (`ungranted_refresh`);
- an agency merge recomputes the merged agency's searches, and a change of an agency's
  state its searches where a statewide pool decides (`ungranted_agencies_refresh`);
- the retention of old months drops their days and recounts the day the cutoff cuts
  (`ungranted_retention`).

`ungranted_rebuild` recomputes everything, for a migration, a repair or a benchmark's
generated state. The home state (`PORTAL_HOME_STATE`) is read when the rows are written:
after changing it, rebuild.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.compliance import vocabulary
from apps.core import locks

from .rollups import LOCAL_DAY

# Line numbers kept per row: the rule's evidence cites at most this many per file.
LINES_KEPT = 50

# Which grants can cover a search: the outgoing detections grants, accepted or revoked,
# of the municipalities in {grant_filter}; each reduced to the instants it let its
# partner in (an accepted grant from its decision on, a revoked one from its request
# until its revocation), so the check is a hash anti-join, not a subquery per search.
# The searches are those {search_filter} picks; a broad-mode grant covers every searcher
# (national) or those of the home state (statewide, similar laws).
_INSERT = """
WITH windows AS (
    SELECT {grant.municipality} AS municipality_id, {grant.agency} AS agency_id,
           {grant.mode} AS mode,
           CASE WHEN {grant.status} = %(accepted)s
                THEN coalesce({grant.decided_at}, {grant.requested_at}, '-infinity')
                ELSE coalesce({grant.requested_at}, '-infinity') END AS from_at,
           CASE WHEN {grant.status} = %(accepted)s THEN 'infinity'
                ELSE {grant.status_changed_at} END AS until_at
    FROM {grant}
    WHERE {grant.direction} = %(outgoing)s AND {grant.data_type} = %(detections)s
      AND {grant.status} IN (%(accepted)s, %(revoked)s) GRANT_FILTER
), pools AS (
    SELECT * FROM windows WHERE mode = ANY(%(broad_modes)s)
)
INSERT INTO {ungranted} ({ungranted.municipality}, {ungranted.day}, {ungranted.agency},
    {ungranted.source_export}, {ungranted.searches}, {ungranted.first_searched_at},
    {ungranted.last_searched_at}, {ungranted.source_lines})
SELECT s.{search.municipality}, LOCAL_DAY, s.{search.agency}, s.{search.source_export},
       count(*), min(s.{search.searched_at}), max(s.{search.searched_at}),
       (array_agg(s.{search.source_line} ORDER BY s.{search.source_line}))[1:%(lines)s]
FROM {search} s
JOIN {agency} searcher ON searcher.id = s.{search.agency}
WHERE s.{search.origin} = %(network)s SEARCH_FILTER
  AND NOT EXISTS (
      SELECT 1 FROM windows w
      WHERE w.municipality_id = s.{search.municipality} AND w.agency_id = s.{search.agency}
        AND s.{search.searched_at} >= w.from_at AND s.{search.searched_at} < w.until_at)
  AND NOT EXISTS (
      SELECT 1 FROM pools p
      WHERE p.municipality_id = s.{search.municipality}
        AND (p.mode = %(national)s OR IN_HOME_STATE)
        AND s.{search.searched_at} >= p.from_at AND s.{search.searched_at} < p.until_at)
GROUP BY s.{search.municipality}, LOCAL_DAY, s.{search.agency}, s.{search.source_export}
"""


def _statements(*, delete: str, grants: str, searches: str) -> tuple[str, str]:
    """The DELETE (rows matching `delete`) and the INSERT (searches matching `searches`,
    grants matching `grants`; each an SQL condition, "" for all) of one rewrite."""
    insert = (
        _INSERT.replace("GRANT_FILTER", f"AND {grants}" if grants else "")
        .replace("SEARCH_FILTER", f"AND {searches}" if searches else "")
        .replace("IN_HOME_STATE", vocabulary.in_home_state_sql("searcher").sql)
        .replace("LOCAL_DAY", LOCAL_DAY.format(column="s.{search.searched_at}"))
    )
    return (
        vocabulary.sql_template(f"DELETE FROM {{ungranted}} WHERE {delete or 'true'}"),  # noqa: S608 - constant SQL, values bound # nosec B608
        vocabulary.sql_template(insert),
    )


_IN_MUNICIPALITIES = {
    "delete": "{ungranted.municipality} = ANY(%(ids)s)",
    "grants": "{grant.municipality} = ANY(%(ids)s)",
    "searches": "s.{search.municipality} = ANY(%(ids)s)",
}
_BY_AGENCIES = {
    "delete": " AND {ungranted.agency} = ANY(%(agencies)s)",
    # Only their grants and the pools can cover their searches.
    "grants": " AND ({grant.agency} = ANY(%(agencies)s) OR {grant.mode} = ANY(%(broad_modes)s))",
    "searches": " AND s.{search.agency} = ANY(%(agencies)s)",
}
_REWRITES = {
    "all": _statements(delete="", grants="", searches=""),
    "municipalities": _statements(**_IN_MUNICIPALITIES),
    "agencies": _statements(**{k: v + _BY_AGENCIES[k] for k, v in _IN_MUNICIPALITIES.items()}),
    # A load's own rows: its export's, within the period of its file (an index range).
    "export": _statements(
        delete=_IN_MUNICIPALITIES["delete"] + " AND {ungranted.source_export} = %(export)s",
        grants=_IN_MUNICIPALITIES["grants"],
        searches=_IN_MUNICIPALITIES["searches"] + " AND s.{search.source_export} = %(export)s"
        " AND s.{search.searched_at} BETWEEN %(first)s AND %(last)s",
    ),
    # The days up to the retention's cutoff: what is left of them is at or after it.
    "retention": _statements(
        delete="{ungranted.day} <= %(day)s",
        grants="",
        searches="s.{search.searched_at} >= %(since)s AND s.{search.searched_at} < %(until)s",
    ),
}


def _rewrite(cursor, kind: str, **params) -> int:
    """Run one rewrite of `_REWRITES`; returns the rows written."""
    delete, insert = _REWRITES[kind]
    params = {
        **vocabulary.sql_params(blocked=[]),
        **vocabulary.in_home_state_sql("searcher").params,
        "tz": settings.TIME_ZONE,
        "lines": LINES_KEPT,
        **params,
    }
    cursor.execute(delete, params)
    cursor.execute(insert, params)
    return cursor.rowcount


def ungranted_refresh(cursor, *, municipality_ids: list[int]) -> int:
    """Recompute the municipalities' rows from their searches and grants, in the
    transaction that changed their grants (holding their load locks)."""
    return _rewrite(cursor, "municipalities", ids=sorted(set(municipality_ids)))


def ungranted_export_add(cursor, *, municipality_id: int, export_id: int, staged: str) -> int:
    """Add the rows of the searches a load just inserted for `export_id`; `staged` is the
    load's staging table (its `searched_at` bounds the period read)."""
    cursor.execute(f"SELECT min(searched_at), max(searched_at) FROM {staged}")  # noqa: S608 - a table name of the loader's, no value # nosec B608
    first, last = cursor.fetchone()
    if first is None:
        return 0
    return _rewrite(
        cursor, "export", ids=[municipality_id], export=export_id, first=first, last=last
    )


def ungranted_agencies_refresh(cursor, *, agency_ids: list[int], pools_only: bool) -> int:
    """Recompute the rows of these agencies' searches, in every municipality they searched
    (only those with a broad-mode grant when `pools_only`: an agency's state decides
    nothing else). For a merge (after its searches and grants moved) and a change of
    state; the caller holds the searches lock exclusively."""
    pools = (
        vocabulary.sql_template(
            " AND {search.municipality} IN (SELECT {grant.municipality} FROM {grant}"
            " WHERE {grant.mode} = ANY(%(broad_modes)s))"
        )
        if pools_only
        else ""
    )
    cursor.execute(
        vocabulary.sql_template(
            "SELECT DISTINCT {search.municipality} FROM {search}"
            " WHERE {search.agency} = ANY(%(agencies)s)"
        )
        + pools,
        {"agencies": agency_ids, "broad_modes": vocabulary.choice_params()["broad_modes"]},
    )
    ids = sorted(pk for (pk,) in cursor.fetchall())
    if not ids:
        return 0
    return _rewrite(cursor, "agencies", ids=ids, agencies=agency_ids)


def ungranted_retention(cursor, *, kept_from: datetime) -> int:
    """After the searches before `kept_from` were dropped: drop the days up to its local
    day and recount that day from the searches left (those at or after `kept_from`)."""
    day = timezone.localtime(kept_from).date()
    until = timezone.make_aware(
        datetime.combine(day + timedelta(days=1), datetime.min.time()),
        timezone.get_default_timezone(),
    )
    return _rewrite(cursor, "retention", day=day, since=kept_from, until=until)


def ungranted_rebuild(*, municipality_ids: list[int] | None = None) -> int:
    """Recompute the rows of the given municipalities (all when None) in one pass; returns
    the rows written. The running portal keeps the rollup as it goes and never needs it."""
    with transaction.atomic(), connection.cursor() as cursor:
        locks.SEARCHES.take()
        if municipality_ids is None:
            return _rewrite(cursor, "all")
        return _rewrite(cursor, "municipalities", ids=sorted(set(municipality_ids)))
