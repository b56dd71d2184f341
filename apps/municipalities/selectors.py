from django.db.models import QuerySet

from apps.accounts.models import User

from .models import Municipality


def municipality_visible_to(*, user: User, slug: str) -> Municipality | None:
    """The municipality `slug` if `user` may see it: state staff see all, staff their own."""
    if not user.is_authenticated or not user.is_active:
        return None
    municipalities = Municipality.objects.all()
    if not user.is_state_staff:
        municipalities = municipalities.filter(memberships__user=user)
    return municipalities.filter(slug=slug).first()


def municipalities_of(*, user: User) -> QuerySet[Municipality]:
    """The municipalities a municipal staff account is a member of."""
    return Municipality.objects.filter(memberships__user=user).order_by("name")
