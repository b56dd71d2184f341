from django.db.models import Prefetch, QuerySet

from apps.municipalities.models import Membership

from .models import User


def users_with_memberships() -> QuerySet[User]:
    return User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("municipality"))
    ).order_by("username")
