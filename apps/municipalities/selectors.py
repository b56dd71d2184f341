from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from .models import Municipality


def municipality_visible_to(*, user: AbstractBaseUser, slug: str) -> Municipality | None:
    """The municipality `slug` if `user` may see it: state staff see all, staff their own."""
    if not user.is_authenticated or not user.is_active:
        return None
    municipalities = Municipality.objects.all()
    if not user.is_state_staff:
        municipalities = municipalities.filter(memberships__user=user)
    return municipalities.filter(slug=slug).first()


def municipalities_of(*, user: AbstractBaseUser) -> QuerySet[Municipality]:
    """The municipalities a municipal staff account is a member of."""
    return Municipality.objects.filter(memberships__user=user).order_by("name")
