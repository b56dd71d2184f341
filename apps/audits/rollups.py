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

from .models import Finding

OPEN_STATUSES = [Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED, Finding.Status.REMEDIATED]

_REFRESH = """
UPDATE audits_municipalitystatus st SET
    open_critical = f.critical, open_high = f.high, open_medium = f.medium, open_low = f.low,
    active_grants = g.active, blocked_grants = g.blocked,
    last_upload = u.last_upload, last_evaluation = e.last_evaluation,
    refreshed_at = %(now)s
FROM municipalities_municipality m
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE severity = 'critical') AS critical,
           count(*) FILTER (WHERE severity = 'high') AS high,
           count(*) FILTER (WHERE severity = 'medium') AS medium,
           count(*) FILTER (WHERE severity = 'low') AS low
    FROM audits_finding
    WHERE municipality_id = m.id AND status = ANY(%(open)s)
) f
CROSS JOIN LATERAL (
    SELECT count(*) AS active, count(*) FILTER (WHERE agency_id = ANY(%(blocked)s)) AS blocked
    FROM sharing_sharinggrant
    WHERE municipality_id = m.id AND direction = 'outgoing' AND status = 'accepted'
) g
CROSS JOIN LATERAL (
    SELECT max(received_at) AS last_upload FROM vendors_vendorexport
    WHERE municipality_id = m.id AND status = 'loaded'
) u
CROSS JOIN LATERAL (
    SELECT max(started_at) AS last_evaluation FROM audits_evaluationrun
    WHERE municipality_id = m.id AND outcome = 'succeeded'
) e
WHERE st.municipality_id = m.id AND m.id = ANY(%(ids)s)
"""


def statuses_refresh(municipality_ids, *, blocked: list[int] | None = None) -> None:
    """Recount the status rows of these municipalities (inside the caller's transaction,
    which should be the one that changed them). `blocked`: the blocked agency ids, when
    the caller has them already."""
    ids = sorted({int(pk) for pk in municipality_ids})
    if not ids:
        return
    if blocked is None:
        from apps.compliance.blocklist import blocked_agency_ids

        blocked = sorted(blocked_agency_ids())
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audits_municipalitystatus (municipality_id, open_critical, open_high,"
            " open_medium, open_low, active_grants, blocked_grants, refreshed_at)"
            " SELECT id, 0, 0, 0, 0, 0, 0, %(now)s FROM municipalities_municipality"
            " WHERE id = ANY(%(ids)s) ON CONFLICT (municipality_id) DO NOTHING",
            {"ids": ids, "now": now},
        )
        # Lock in id order (no deadlock between two refreshes), then count afresh.
        cursor.execute(
            "SELECT 1 FROM audits_municipalitystatus WHERE municipality_id = ANY(%(ids)s)"
            " ORDER BY municipality_id FOR UPDATE",
            {"ids": ids},
        )
        cursor.execute(
            "DELETE FROM audits_findingday WHERE municipality_id = ANY(%(ids)s)", {"ids": ids}
        )
        cursor.execute(
            "INSERT INTO audits_findingday (municipality_id, day, opened)"
            " SELECT municipality_id, (first_seen_at AT TIME ZONE %(tz)s)::date, count(*)"
            " FROM audits_finding WHERE municipality_id = ANY(%(ids)s) GROUP BY 1, 2",
            {"ids": ids, "tz": settings.TIME_ZONE},
        )
        cursor.execute(
            _REFRESH,
            {"ids": ids, "now": now, "open": [str(s) for s in OPEN_STATUSES],
             "blocked": list(blocked)},
        )  # fmt: skip


def statuses_rebuild() -> None:
    """Recount every municipality's status row (a migration, a repair, a benchmark)."""
    from apps.municipalities.models import Municipality

    statuses_refresh(Municipality.objects.values_list("pk", flat=True))


def rollups_ensure(**kwargs) -> None:
    """After `migrate`: count the rollups from scratch when they are missing (a new
    rollup table on a database that already holds findings and searches). Cheap when
    they are there: two EXISTS queries."""
    from apps.sharing.rollups import search_days_rebuild

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM municipalities_municipality m WHERE NOT EXISTS"
            " (SELECT 1 FROM audits_municipalitystatus s WHERE s.municipality_id = m.id)),"
            " EXISTS (SELECT 1 FROM audits_finding) AND NOT EXISTS"
            " (SELECT 1 FROM audits_findingday),"
            " EXISTS (SELECT 1 FROM sharing_searchevent) AND NOT EXISTS"
            " (SELECT 1 FROM sharing_searchday)"
        )
        statuses_missing, finding_days_missing, search_days_missing = cursor.fetchone()
    if statuses_missing or finding_days_missing:
        statuses_rebuild()
    if search_days_missing:
        search_days_rebuild()
