from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from apps.sharing.models import SearchEvent, SharingGrant

from .models import Agency, AgreementImport, ImmigrationAgreement


@dataclass(frozen=True)
class ReviewItem:
    agency: Agency
    candidates: list[Agency]


def agencies_to_review() -> QuerySet[Agency]:
    """Unconfirmed agencies, most used first (counts across all municipalities)."""
    # Rows of ICE's 287(g) list, as ICE wrote them: a person checks the county.
    listed = (
        ImmigrationAgreement.objects.filter(agency=OuterRef("pk"), ended_on__isnull=True)
        .order_by("support_model")
        .annotate(
            as_listed=Case(
                When(county="", then=F("support_text")),
                default=Concat("support_text", Value(", "), "county"),
            )
        )
        .values("as_listed")
    )
    return (
        Agency.objects.filter(is_confirmed=False)
        .annotate(
            grant_count=Count("grants", distinct=True), immigration_listed=ArraySubquery(listed)
        )
        .prefetch_related("aliases")
        .order_by("-grant_count", "name")
    )


# pg_trgm similarity, 0 to 1, of two names' cores (`agency_name_core`, migration 0003:
# the names without the words that only say what kind of agency it is, which every
# town's police department shares). "Riverbend Potice" and "Riverbend" score 0.59, "CEP
# NTC" and "CBP NTC" 0.45, "Ward" and "Howard" 0.33, "Riverbend" and "Phoenix" 0. The
# `%` operator's own threshold (pg_trgm.similarity_threshold, 0.3 by default) picks
# the candidates through the trigram indexes first.
LOOKALIKE_MIN_SIMILARITY = 0.3
LOOKALIKES_PER_AGENCY = 3

_LOOKALIKES_SQL = """
SELECT agency.*, lookalike.pending_id, lookalike.rank
FROM agencies_agency pending
CROSS JOIN LATERAL (SELECT agency_name_core(pending.normalized_name) AS core) wanted
CROSS JOIN LATERAL (
    SELECT pending.id AS pending_id, candidate.id AS agency_id,
           row_number() OVER (ORDER BY
               bool_or(pending.state = '' OR candidate.state IN ('', pending.state)) DESC,
               max(similarity(spelling.core, wanted.core)) DESC,
               max(similarity(spelling.normalized, pending.normalized_name)) DESC,
               candidate.name) AS rank
    FROM (
        SELECT id AS agency_id, normalized_name AS normalized,
               agency_name_core(normalized_name) AS core
        FROM agencies_agency
        WHERE is_confirmed AND agency_name_core(normalized_name) %% wanted.core
        UNION ALL
        SELECT agency_id, split_part(normalized, '|', 2), agency_name_core(normalized)
        FROM agencies_agencyalias
        WHERE agency_name_core(normalized) %% wanted.core
    ) spelling
    JOIN agencies_agency candidate ON candidate.id = spelling.agency_id AND candidate.is_confirmed
    WHERE similarity(spelling.core, wanted.core) >= %(min)s
    GROUP BY candidate.id
    ORDER BY rank
    LIMIT %(per_agency)s
) lookalike
JOIN agencies_agency agency ON agency.id = lookalike.agency_id
WHERE pending.id = ANY(%(pending)s)
ORDER BY lookalike.pending_id, lookalike.rank
"""


def agency_lookalikes(*, agency_ids: list[int]) -> dict[int, list[Agency]]:
    """Confirmed agencies whose name or a spelling looks like each agency's name, in one
    query: up to three each, best first.

    Names and aliases are compared by trigram similarity (pg_trgm) of their cores, the
    normalised names without the words that only say what kind of agency it is, so a
    police department is not offered for another town's. Agencies of the same state
    (or of none, as federal ones) come first, another state's after them; then the
    closest cores, then the closest whole names.
    """
    if not agency_ids:
        return {}
    params = {
        "min": LOOKALIKE_MIN_SIMILARITY,
        "per_agency": LOOKALIKES_PER_AGENCY,
        "pending": list(agency_ids),
    }
    found: dict[int, list[Agency]] = {agency_id: [] for agency_id in agency_ids}
    for lookalike in Agency.objects.raw(_LOOKALIKES_SQL, params):
        found[lookalike.pending_id].append(lookalike)
    return found


def review_queue(*, limit: int = 50) -> list[ReviewItem]:
    """Each unconfirmed agency with up to three look-alike confirmed agencies.

    The look-alikes are suggestions for a person ("Ward County TX SO" may be shown
    "Howard County Sheriff's Office"); nothing is merged without a click.
    """
    pending = list(agencies_to_review()[:limit])
    lookalikes = agency_lookalikes(agency_ids=[agency.pk for agency in pending])
    return [ReviewItem(agency, lookalikes[agency.pk]) for agency in pending]


def agreements_in_force(*, on: date | None = None) -> QuerySet[ImmigrationAgreement]:
    """ICE's 287(g) agreements in force on day `on` (today): signed by then (or with no
    date in ICE's list) and not ended by an import on or before it; only those matched
    or queued to an agency. SQL of a rule reads the same condition on the table:
    `signed_on <= D AND (ended_on IS NULL OR ended_on > D)`, through the index
    `agreement_agency_in_force`."""
    on = on or timezone.localdate()
    return ImmigrationAgreement.objects.filter(
        Q(signed_on__isnull=True) | Q(signed_on__lte=on),
        Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        agency__isnull=False,
    )


def immigration_partner_ids(*, on: date | None = None) -> QuerySet:
    """The ids of agencies with a 287(g) agreement in force on `on` (a subquery)."""
    return agreements_in_force(on=on).order_by().values("agency_id")


def agency_agreements(*, agency: Agency) -> dict:
    """The agency's 287(g) agreements, those in force first, and the latest import."""
    in_force = list(agreements_in_force().filter(agency=agency).order_by("support_model"))
    ended = list(
        agency.immigration_agreements.exclude(pk__in=[a.pk for a in in_force])
        .select_related("ended_by")
        .order_by("-ended_on", "support_model")
    )
    return {
        "agreements_in_force": in_force,
        "agreements_past": ended,
        "latest_registry_import": AgreementImport.objects.first(),
    }


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
    immigration_models = (
        agreements_in_force().filter(agency=OuterRef("pk")).order_by("support_model")
    ).values("support_model")
    return Agency.objects.annotate(
        sharing_municipalities=Coalesce(Subquery(sharing, output_field=IntegerField()), 0),
        search_count=Coalesce(Subquery(searches, output_field=IntegerField()), 0),
        immigration_models=ArraySubquery(immigration_models),
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
