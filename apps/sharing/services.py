from django.db import transaction

from apps.accounts.models import User

from .models import Declaration


@transaction.atomic
def declaration_add(*, declaration: Declaration, entered_by: User) -> Declaration:
    """Record a written declaration; the municipality is re-evaluated once it is saved."""
    declaration.entered_by = entered_by
    declaration.full_clean()
    declaration.save()
    from apps.audits.tasks import evaluate_municipality

    municipality_id = declaration.municipality_id
    transaction.on_commit(
        lambda: evaluate_municipality.delay(municipality_id=municipality_id, trigger="manual")
    )
    return declaration
