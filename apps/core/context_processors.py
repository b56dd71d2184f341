from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """What the layout needs on every page: the demo banner flag and the user's area."""
    return {
        "demo_mode": settings.PORTAL_DEMO_MODE,
        "current_municipality": getattr(request, "municipality", None),
    }
