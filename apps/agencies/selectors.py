import difflib
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from .models import Agency


@dataclass(frozen=True)
class ReviewItem:
    agency: Agency
    candidates: list[Agency]


def agencies_to_review() -> QuerySet[Agency]:
    """Unconfirmed agencies, most used first (counts across all municipalities)."""
    return (
        Agency.objects.filter(is_confirmed=False)
        .annotate(grant_count=Count("grants", distinct=True))
        .prefetch_related("aliases")
        .order_by("-grant_count", "name")
    )


def review_queue(*, limit: int = 50) -> list[ReviewItem]:
    """Each unconfirmed agency with up to three look-alike confirmed agencies.

    The look-alikes are suggestions for a person ("Ward County TX SO" may be shown
    "Howard County Sheriff's Office"); nothing is merged without a click.
    """
    confirmed = list(
        Agency.objects.filter(is_confirmed=True).only("id", "name", "state", "normalized_name")
    )
    names = [agency.normalized_name for agency in confirmed]
    by_name: dict[str, list[Agency]] = {}
    for agency in confirmed:
        by_name.setdefault(agency.normalized_name, []).append(agency)
    items = []
    for agency in agencies_to_review()[:limit]:
        close = difflib.get_close_matches(agency.normalized_name, names, n=3, cutoff=0.75)
        candidates = [match for name in close for match in by_name[name]][:3]
        items.append(ReviewItem(agency, candidates))
    return items
