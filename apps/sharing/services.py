from django.conf import settings
from django.db import connection, transaction

from apps.accounts.models import User
from apps.compliance.reading import reasons_read
from apps.core import activity, locks
from apps.core.queueing import task_named

from .models import Declaration
from .rollups import LOCAL_DAY, search_days_refresh


@transaction.atomic
def declaration_add(*, declaration: Declaration, entered_by: User) -> Declaration:
    """Record a written declaration; the municipality is re-evaluated once it is saved."""
    declaration.entered_by = entered_by
    declaration.full_clean()
    declaration.save()
    activity.record(
        "declaration.added",
        subject=declaration,
        detail={"agency": str(declaration.agency), "received_on": declaration.received_on,
                "expires_on": declaration.expires_on, "file attached": bool(declaration.document)},
        actor=entered_by,
    )  # fmt: skip
    task_named("audits.evaluate_municipality").delay_on_commit(
        municipality_id=declaration.municipality_id, trigger="manual"
    )
    return declaration


def reasons_reclassify_all() -> list[int]:
    """Label every stored search again with the current terms and learned model; returns
    the municipalities whose labels changed (those, and only those, need evaluating
    again)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # No load may insert searches labelled with the old terms while we relabel.
        locks.SEARCHES.take()
        cursor.execute(
            "SELECT reason, reason_label FROM sharing_searchevent WHERE NOT reason_redacted"
            " GROUP BY reason, reason_label"
        )
        stored = cursor.fetchall()
        labels = reasons_read(text for text, _ in stored)
        changes = {text: labels[text] for text, old_label in stored if labels[text] != old_label}
        if not changes:
            return []
        cursor.execute("CREATE TEMP TABLE relabel (reason text, label text) ON COMMIT DROP")
        with cursor.cursor.copy("COPY relabel FROM STDIN") as copy:
            for row in changes.items():
                copy.write_row(row)
        cursor.execute(
            "CREATE TEMP TABLE relabelled ON COMMIT DROP AS WITH changed AS ("  # noqa: S608 - constant SQL, values bound # nosec B608
            " UPDATE sharing_searchevent s SET reason_label = r.label FROM relabel r"
            " WHERE s.reason = r.reason AND NOT s.reason_redacted"
            " AND s.reason_label <> r.label RETURNING s.municipality_id, s.searched_at)"
            " SELECT DISTINCT municipality_id, " + LOCAL_DAY.format(column="searched_at")
            + " AS day FROM changed",
            {"tz": settings.TIME_ZONE},
        )  # fmt: skip
        search_days_refresh(cursor, "SELECT municipality_id, day FROM relabelled")
        cursor.execute("SELECT DISTINCT municipality_id FROM relabelled ORDER BY 1")
        municipalities = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE relabel, relabelled")
        return municipalities
