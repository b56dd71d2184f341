"""The status rollups: `MunicipalityStatus`, one row per municipality with what the
statewide dashboard shows, and `FindingDay`, findings first seen per municipality and
day, so the page reads a few thousand rows instead of counting findings, grants and
uploads on every request.

`statuses_refresh` runs at the end of every transaction that changes a municipality's
findings, grants or uploads. It locks the rows first and only then counts, so each
count sees every transaction that refreshed before it (READ COMMITTED takes a new
snapshot per statement): two refreshes of one municipality never leave the older
figures behind.
"""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.compliance import vocabulary
from apps.compliance.blocklist import blocked_agency_ids
from apps.core import locks
from apps.municipalities.models import Municipality
from apps.sharing.rollups import search_days_rebuild

from .models import Finding

OPEN_STATUSES = [Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED, Finding.Status.REMEDIATED]

_REFRESH = """
UPDATE {status} st SET
    {status.open_critical} = f.critical, {status.open_high} = f.high,
    {status.open_medium} = f.medium, {status.open_low} = f.low, {status.open_review} = f.review,
    {status.active_grants} = g.active, {status.blocked_grants} = g.blocked,
    {status.last_upload} = u.last_upload, {status.last_evaluation} = e.last_evaluation,
    {status.refreshed_at} = %(now)s
FROM {municipality} m
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE {finding.severity} = %(critical)s) AS critical,
           count(*) FILTER (WHERE {finding.severity} = %(high)s) AS high,
           count(*) FILTER (WHERE {finding.severity} = %(medium)s) AS medium,
           count(*) FILTER (WHERE {finding.severity} = %(low)s) AS low,
           count(*) FILTER (WHERE {finding.severity} = %(review)s) AS review
    FROM {finding}
    WHERE {finding.municipality} = m.id AND {finding.status} = ANY(%(open_statuses)s)
) f
CROSS JOIN LATERAL (
    SELECT count(*) AS active, count(*) FILTER (WHERE BLOCKED) AS blocked
    FROM {grant}
    WHERE {grant.municipality} = m.id AND {grant.direction} = %(outgoing)s
      AND {grant.status} = %(accepted)s
) g
CROSS JOIN LATERAL (
    SELECT max({export.received_at}) AS last_upload FROM {export}
    WHERE {export.municipality} = m.id AND {export.status} = %(loaded)s
) u
CROSS JOIN LATERAL (
    SELECT max({run.started_at}) AS last_evaluation FROM {run}
    WHERE {run.municipality} = m.id AND {run.outcome} = ANY(%(checked)s)
) e
WHERE st.{status.municipality} = m.id AND m.id = ANY(%(ids)s)
"""
_REFRESH_QUERY = vocabulary.sql_template(
    _REFRESH.replace("BLOCKED", vocabulary.blocked_sql("{grant.agency}", blocked=[]).sql),
)
_STATUS_ROWS = vocabulary.sql_template(
    "INSERT INTO {status} ({status.municipality}, {status.open_critical}, {status.open_high},"
    " {status.open_medium}, {status.open_low}, {status.open_review}, {status.active_grants},"
    " {status.blocked_grants}, {status.refreshed_at})"
    " SELECT id, 0, 0, 0, 0, 0, 0, 0, %(now)s FROM {municipality}"
    " WHERE id = ANY(%(ids)s) ON CONFLICT ({status.municipality}) DO NOTHING",
)
_STATUS_LOCK = vocabulary.sql_template(
    "SELECT 1 FROM {status} WHERE {status.municipality} = ANY(%(ids)s)"
    " ORDER BY {status.municipality} FOR UPDATE",
)
_DAYS_DELETE = vocabulary.sql_template(
    "DELETE FROM {finding_day} WHERE {finding_day.municipality} = ANY(%(ids)s)"
)
_DAYS_INSERT = vocabulary.sql_template(
    "INSERT INTO {finding_day}"
    " ({finding_day.municipality}, {finding_day.day}, {finding_day.opened})"
    " SELECT {finding.municipality}, ({finding.first_seen_at} AT TIME ZONE %(tz)s)::date,"
    " count(*) FROM {finding} WHERE {finding.municipality} = ANY(%(ids)s) GROUP BY 1, 2",
)


def statuses_lock(municipality_ids) -> None:
    """Lock these municipalities' status rows in id order, for the current transaction: a
    transaction that writes several takes them all at once, first."""
    ids = sorted({int(pk) for pk in municipality_ids})
    locks.STATUS_ROWS.claim(ids)
    with connection.cursor() as cursor:
        cursor.execute(_STATUS_LOCK, {"ids": ids})


def statuses_refresh(municipality_ids, *, blocked: list[int] | None = None) -> None:
    """Recount the status rows of these municipalities (inside the caller's transaction,
    which should be the one that changed them). `blocked`: the blocked agency ids, when
    the caller has them already."""
    ids = sorted({int(pk) for pk in municipality_ids})
    if not ids:
        return
    if blocked is None:
        blocked = sorted(blocked_agency_ids())
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_STATUS_ROWS, {"ids": ids, "now": now})
        # Lock in id order (no deadlock between two refreshes), then count afresh.
        statuses_lock(ids)
        cursor.execute(_DAYS_DELETE, {"ids": ids})
        cursor.execute(_DAYS_INSERT, {"ids": ids, "tz": settings.TIME_ZONE})
        cursor.execute(
            _REFRESH_QUERY,
            {**vocabulary.sql_params(blocked=blocked), "ids": ids, "now": now,
             "open_statuses": [str(s) for s in OPEN_STATUSES]},
        )  # fmt: skip


def statuses_rebuild() -> None:
    """Recount every municipality's status row (a migration, a repair, a benchmark)."""
    statuses_refresh(Municipality.objects.values_list("pk", flat=True))


_ROLLUPS_MISSING = vocabulary.sql_template(
    "SELECT EXISTS (SELECT 1 FROM {municipality} m WHERE NOT EXISTS"
    " (SELECT 1 FROM {status} s WHERE s.{status.municipality} = m.id)),"
    " EXISTS (SELECT 1 FROM {finding}) AND NOT EXISTS (SELECT 1 FROM {finding_day}),"
    " EXISTS (SELECT 1 FROM {search}) AND NOT EXISTS (SELECT 1 FROM {search_day})",
)


def rollups_ensure(**kwargs) -> None:
    """After `migrate`: count the rollups from scratch when they are missing (a new
    rollup table on a database that already holds findings and searches). Cheap when
    they are there: two EXISTS queries."""
    with connection.cursor() as cursor:
        cursor.execute(_ROLLUPS_MISSING)
        statuses_missing, finding_days_missing, search_days_missing = cursor.fetchone()
    if statuses_missing or finding_days_missing:
        statuses_rebuild()
    if search_days_missing:
        search_days_rebuild()
