from django.db import transaction

from apps.core.history import change_record, model_update, row_reread, snapshot, values_of
from apps.municipalities.models import Membership

from .models import User

ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "role", "is_active"]


def _membership_names(user: User) -> list[str]:
    return sorted(user.memberships.values_list("municipality__name", flat=True))


def _memberships_set(user: User, *, municipalities, role: str) -> None:
    wanted = {m.pk for m in municipalities} if role == User.Role.MUNICIPAL else set()
    Membership.objects.filter(user=user).exclude(municipality_id__in=wanted).delete()
    for municipality_id in wanted:
        Membership.objects.get_or_create(user=user, municipality_id=municipality_id)


@transaction.atomic
def account_save(
    *, user: User, municipalities, actor: User, reason: str, password: str = ""
) -> User:
    """Create or change an account and its memberships; the change is kept in history."""
    if user.pk is None:
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        _memberships_set(user, municipalities=municipalities, role=user.role)
        change_record(
            instance=user,
            action="created",
            before=None,
            after={**snapshot(user, ACCOUNT_FIELDS), "municipalities": _membership_names(user)},
            actor=actor,
            reason=reason,
        )
        return user
    typed = values_of(user, ACCOUNT_FIELDS)
    row_reread(user)
    names_before = _membership_names(user)
    _memberships_set(user, municipalities=municipalities, role=typed["role"])
    model_update(
        instance=user,
        fields=ACCOUNT_FIELDS,
        data=typed,
        actor=actor,
        reason=reason,
        other_changes={"municipalities": (names_before, _membership_names(user))},
    )
    return user
