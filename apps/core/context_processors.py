from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """What the layout needs on every page: the demo banner flag and the user's area."""
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated and not user.is_state_staff:
        memberships = list(user.memberships.select_related("municipality"))
    return {
        "demo_mode": settings.PORTAL_DEMO_MODE,
        "current_municipality": getattr(request, "municipality", None),
        "my_memberships": memberships,
    }
