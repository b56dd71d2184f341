"""'Who shares with ICE?' in two clicks, for auditors only."""

import pytest

from apps.agencies.models import Agency
from apps.municipalities.scoping import municipality_scope
from tests.audits.factories import SearchEventFactory, SharingGrantFactory

pytestmark = pytest.mark.django_db


def test_an_auditor_finds_who_shares_with_ice_in_two_clicks(
    client, auditor, municipality_a, municipality_b
):
    ice = Agency.objects.get(name="U.S. Immigration and Customs Enforcement")
    with municipality_scope(municipality_a):
        SharingGrantFactory(municipality=municipality_a, agency=ice, partner_name="ICE ERO Chicago")
        SearchEventFactory(
            municipality=municipality_a, agency=ice, reason="ICE detainer",
            reason_label="immigration",
        )  # fmt: skip
    with municipality_scope(municipality_b):
        SharingGrantFactory(municipality=municipality_b)  # shares, but not with ICE
    client.force_login(auditor)

    listing = client.get("/state/agencies/?q=ICE").content.decode()
    assert f'href="/state/agencies/{ice.pk}/"' in listing

    page = client.get(f"/state/agencies/{ice.pk}/").content.decode()
    assert "Blocklisted" in page
    assert municipality_a.name in page and "ICE ERO Chicago" in page
    assert municipality_b.name not in page
    assert "ICE detainer" in page


def test_municipal_staff_cannot_see_agency_pages(client, clerk_a):
    client.force_login(clerk_a)
    assert client.get("/state/agencies/").status_code == 403
