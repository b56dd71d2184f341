from django.db import transaction

from apps.core.history import change_record, snapshot
from apps.municipalities.models import Membership

from .models import User

ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "role", "is_active"]


def _membership_names(user: User) -> list[str]:
    return sorted(user.memberships.values_list("municipality__name", flat=True))


@transaction.atomic
def account_save(
    *, user: User, municipalities, actor: User, reason: str, password: str = ""
) -> User:
    """Create or change an account and its memberships; the change is kept in history."""
    is_new = user.pk is None
    before = None
    if not is_new:
        old = User.objects.get(pk=user.pk)
        before = {**snapshot(old, ACCOUNT_FIELDS), "municipalities": _membership_names(old)}
    if is_new:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    wanted = {m.pk for m in municipalities} if user.role == User.Role.MUNICIPAL else set()
    Membership.objects.filter(user=user).exclude(municipality_id__in=wanted).delete()
    for municipality_id in wanted:
        Membership.objects.get_or_create(user=user, municipality_id=municipality_id)
    change_record(
        instance=user,
        action="created" if is_new else "changed",
        before=before,
        after={**snapshot(user, ACCOUNT_FIELDS), "municipalities": _membership_names(user)},
        actor=actor,
        reason=reason,
    )
    return user
