import pytest
from django.core.exceptions import ValidationError

from apps.agencies.models import Agency
from apps.agencies.resolution import agency_resolve
from apps.agencies.services import police_department_agency_ensure
from apps.municipalities.services import municipality_create

pytestmark = pytest.mark.django_db


def test_a_new_municipality_brings_its_police_department_into_the_agency_directory():
    municipality = municipality_create(
        name="Elm Ridge", police_department="Elm Ridge Police Department", ori="IL9990777"
    )
    police_department_agency_ensure(municipality=municipality)

    agency = Agency.objects.get(ori="IL9990777")
    assert agency.is_confirmed and agency.level == "local" and agency.state == "IL"
    assert agency_resolve("Elm Ridge IL PD") == agency


def test_a_municipality_with_a_malformed_ori_is_refused():
    with pytest.raises(ValidationError, match="ORI"):
        municipality_create(name="Elm Ridge", ori="12345")
