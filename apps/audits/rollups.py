"""The status rollup (`MunicipalityStatus`): one row per municipality with what the
statewide dashboard shows, so the page reads 1,300 rows instead of counting findings,
grants and uploads on every request.

`statuses_refresh` runs at the end of every transaction that changes a municipality's
findings, grants or uploads. It locks the rows first and only then counts, so each
count sees every transaction that refreshed before it (READ COMMITTED takes a new
snapshot per statement): two refreshes of one municipality never leave the older
figures behind.
"""

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
            _REFRESH,
            {"ids": ids, "now": now, "open": [str(s) for s in OPEN_STATUSES],
             "blocked": list(blocked)},
        )  # fmt: skip


def statuses_rebuild() -> None:
    """Recount every municipality's status row (a migration, a repair, a benchmark)."""
    from apps.municipalities.models import Municipality

    statuses_refresh(Municipality.objects.values_list("pk", flat=True))
