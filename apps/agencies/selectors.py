import difflib
import re
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.sharing.models import SearchEvent, SharingGrant

from .models import Agency, AgencyAlias


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


def agencies_with_reach() -> QuerySet[Agency]:
    """Agencies with how many municipalities share with them and how many searches they
    ran, each counted by a subquery per listed row (statewide scope)."""
    sharing = (
        SharingGrant.objects.filter(agency=OuterRef("pk"), status="accepted", direction="outgoing")
        .order_by()
        .values("agency")
        .annotate(n=Count("municipality", distinct=True))
        .values("n")
    )
    searches = (
        SearchEvent.objects.filter(agency=OuterRef("pk"))
        .order_by()
        .values("agency")
        .annotate(n=Count("searched_at"))
        .values("n")
    )
    return Agency.objects.annotate(
        sharing_municipalities=Coalesce(Subquery(sharing, output_field=IntegerField()), 0),
        search_count=Coalesce(Subquery(searches, output_field=IntegerField()), 0),
    )


def agency_reach(*, agency: Agency) -> dict:
    """Who shares with `agency`, since when, and what it searched for (statewide scope)."""
    grants = (
        SharingGrant.objects.filter(agency=agency, direction="outgoing")
        .select_related("municipality")
        .order_by("status", "municipality__name")
    )
    by_municipality = (
        SearchEvent.objects.filter(agency=agency)
        .values("municipality__name", "municipality__slug")
        .annotate(
            searches=Count("searched_at"),
            first=Min("searched_at"),
            last=Max("searched_at"),
            immigration=Count("searched_at", filter=Q(reason_label="immigration")),
            health_care=Count("searched_at", filter=Q(reason_label="health_care")),
        )
        .order_by("-searches")[:50]
    )
    reasons = (
        SearchEvent.objects.filter(agency=agency)
        .values("reason", "reason_label")
        .annotate(n=Count("searched_at"))
        .order_by("-n")[:15]
    )
    return {"grants": grants, "by_municipality": by_municipality, "reasons": reasons}


# Words of a search box; an apostrophe stays inside a word ("Lowe's").
_WORD = re.compile(r"\w+(?:'\w+)*")
# Words this short are read as whole words: "ICE" is ICE, never "Police" or "Service".
_WHOLE_WORD_UP_TO = 4


def _word_pattern(word: str) -> str:
    """A PostgreSQL regular expression (\\m, \\M: start and end of a word) for `word`:
    a whole word when short, the start of a word otherwise ("Riverb" finds Riverbend)."""
    end = r"\M" if len(word) <= _WHOLE_WORD_UP_TO else ""
    return rf"\m{re.escape(word)}{end}"


def agencies_matching(text: str) -> QuerySet[Agency]:
    """The agencies a person means by `text` in an agency filter or search box.

    Every word of `text` must appear in the agency's name, or every word in one of its
    aliases (the spellings vendors use), as a word of its own; short words (acronyms)
    match whole words only. An agency's offices come with it: "ICE" gives U.S.
    Immigration and Customs Enforcement (by its alias) and Homeland Security
    Investigations, its component. An empty `text` matches nothing.
    """
    patterns = [_word_pattern(word) for word in _WORD.findall(text)]
    if not patterns:
        return Agency.objects.none()
    by_name = Q()
    by_alias = Q()
    for pattern in patterns:
        by_name &= Q(name__iregex=pattern)
        by_alias &= Q(alias__iregex=pattern)
    matched = Agency.objects.filter(
        by_name | Q(pk__in=AgencyAlias.objects.filter(by_alias).values("agency_id"))
    ).values("pk")
    return Agency.objects.filter(Q(pk__in=matched) | Q(parent__in=matched))
