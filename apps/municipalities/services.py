from django.db import transaction
from django.utils.text import slugify

from apps.accounts.models import User
from apps.agencies.models import Agency
from apps.agencies.naming import parse_agency_name

from .models import Membership, Municipality


@transaction.atomic
def municipality_create(
    *,
    name: str,
    slug: str = "",
    county: str = "",
    state: str = "IL",
    population: int | None = None,
    police_department: str = "",
    ori: str = "",
) -> Municipality:
    municipality = Municipality(
        name=name,
        slug=slug or slugify(name),
        county=county,
        state=state.upper(),
        population=population,
        police_department=police_department,
        ori=ori.upper(),
    )
    municipality.full_clean()
    municipality.save()
    if police_department:
        _own_agency_ensure(municipality)
    return municipality


def _own_agency_ensure(municipality: Municipality) -> None:
    """The municipality's police department is an agency too: its own searches and the
    grants other towns give it resolve to it instead of waiting in the review queue."""
    parsed = parse_agency_name(municipality.police_department)
    state = parsed.state or municipality.state
    # "Maple Grove IL PD" in an export normalises to the same name in the same state.
    if not Agency.objects.filter(normalized_name=parsed.normalized, state=state).exists():
        Agency.objects.create(
            name=municipality.police_department,
            normalized_name=parsed.normalized,
            state=state,
            ori=municipality.ori or None,
            level=Agency.Level.LOCAL,
            is_confirmed=True,
        )


def membership_add(*, user: User, municipality: Municipality) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, municipality=municipality)
    return membership
