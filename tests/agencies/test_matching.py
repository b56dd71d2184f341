import pytest

from apps.agencies.models import Agency, AgencyAlias
from apps.agencies.selectors import agencies_matching

pytestmark = pytest.mark.django_db


def names(text: str) -> set[str]:
    return set(agencies_matching(text).values_list("name", flat=True))


@pytest.fixture
def local_agencies(db):
    for name, state in [
        ("Riverbend IL PD", "IL"),
        ("Ward County TX SO", "TX"),
        ("U.S. Marshals Service - NDIL", ""),
        ("Lowe's Home Centers", "NC"),
    ]:
        Agency.objects.create(name=name, normalized_name=name.lower(), state=state)


def test_an_acronym_matches_whole_words_and_brings_the_agencys_offices(local_agencies):
    found = names("ICE")
    # By its alias "ICE", and Homeland Security Investigations as its component.
    assert "U.S. Immigration and Customs Enforcement" in found
    assert "Homeland Security Investigations" in found
    assert not {"Riverbend IL PD", "U.S. Marshals Service - NDIL"} & found
    assert names("ice") == found


def test_longer_words_match_the_start_of_a_word_in_the_name_or_one_alias(local_agencies):
    assert names("riverb") == {"Riverbend IL PD"}
    assert names("ward county") == {"Ward County TX SO"}
    assert names("Lowe's") == {"Lowe's Home Centers"}
    # The words must all be in the name, or all in one alias.
    assert names("ward riverbend") == set()
    agency = Agency.objects.get(name="Ward County TX SO")
    AgencyAlias.objects.create(agency=agency, alias="WCSO Texas", normalized="wcso texas")
    assert names("wcso") == {"Ward County TX SO"}


def test_nothing_to_match_matches_nothing(local_agencies):
    assert names("") == set()
    assert names("  -- ") == set()
    assert names("(.*)") == set()
