from django.db import transaction

from apps.accounts.models import User
from apps.core import activity
from apps.core.queueing import publish_after_commit

from .models import Declaration


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
    from apps.audits.tasks import evaluate_municipality

    municipality_id = declaration.municipality_id
    publish_after_commit(
        lambda: evaluate_municipality.delay(municipality_id=municipality_id, trigger="manual"),
        what=f"evaluation of municipality {municipality_id} after a declaration",
    )
    return declaration
