from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

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
    return municipality


def membership_add(*, user: AbstractBaseUser, municipality: Municipality) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, municipality=municipality)
    return membership
