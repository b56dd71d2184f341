"""The findings lists' agency filter (issue 12, acceptance 3): "ICE" finds the findings
of every ICE component, as uploads resolve them, and never a "Police" or "Service"
agency's."""

from pathlib import Path

import pytest

from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Finding
from apps.municipalities.scoping import municipality_scope
from tests.ingest.test_loading import upload

pytestmark = pytest.mark.django_db

ICE = "U.S. Immigration and Customs Enforcement"
HSI = "Homeland Security Investigations"
RIVERBEND = "Riverbend IL Police Department"
MARSHALS = "U.S. Marshals Service"
ALDER_PARK_NETWORKS = '"Alder Park IL PD - LPR,Alder Park IL PD - Schools"'
SEARCHES_HEADER = (
    "search_id,searched_at,searching_agency,searching_ori,searcher,reason,case_number,"
    "networks_searched,devices_searched,search_type,plate"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def findings_of_every_kind(municipality_a, tmp_path: Path) -> dict[str, set[int]]:
    """Alder Park shares with three ICE offices, Riverbend's police and the Marshals, as
    its Flock sharing list says, and Riverbend searched its data for a vague reason.
    Returns the finding ids by the agency they are about."""
    sharing_list = tmp_path / "SharedNetworks_2025_December_30.csv"
    sharing_list.write_text(
        "Organization Name,Networks Shared With Me,Networks I'm Sharing\n"
        + "".join(
            f"{partner},,{ALDER_PARK_NETWORKS}\n"
            for partner in ("ICE ERO Chicago [Federal]", "ICE LESC", "HSI Chicago [Federal]",
                            RIVERBEND, MARSHALS)
        ),
        encoding="utf-8",
    )  # fmt: skip
    searches = tmp_path / "searches.csv"
    searches.write_text(
        f"{SEARCHES_HEADER}\n"
        f"S-1,2025-10-03T11:05:41-05:00,{RIVERBEND},,Ofc. T. Nguyen,inv,,3,41,lookup,\n",
        encoding="utf-8",
    )
    upload(municipality_a, sharing_list)
    upload(municipality_a, searches, vendor_slug="other")
    with municipality_scope(municipality_a):
        municipality_evaluate(municipality=municipality_a, trigger="upload")
        by_agency: dict[str, set[int]] = {}
        for finding in Finding.objects.select_related("agency"):
            by_agency.setdefault(finding.agency.name if finding.agency else "", set()).add(
                finding.pk
            )
    # Each agency the filter must tell apart has findings to find or to leave out.
    assert {ICE, HSI, RIVERBEND, MARSHALS} <= set(by_agency), by_agency
    return by_agency


def listed_findings(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    table = response.context["table"]
    return {row.record.pk for row in table.paginated_rows}


def test_ice_on_the_municipal_findings_list_finds_every_ice_component_and_no_police(
    client, clerk_a, municipality_a, findings_of_every_kind
):
    by_agency = findings_of_every_kind
    client.force_login(clerk_a)

    found = listed_findings(client, f"/m/{municipality_a.slug}/findings/?agency=ICE")

    assert found == by_agency[ICE] | by_agency[HSI]
    assert not found & (by_agency[RIVERBEND] | by_agency[MARSHALS])


def test_ice_on_the_statewide_findings_list_finds_every_ice_component_and_no_police(
    client, auditor, findings_of_every_kind
):
    by_agency = findings_of_every_kind
    client.force_login(auditor)

    found = listed_findings(client, "/state/findings/?agency=ice")

    assert found == by_agency[ICE] | by_agency[HSI]
    assert not found & (by_agency[RIVERBEND] | by_agency[MARSHALS])


def test_the_agency_filter_matches_words_of_names_and_spellings(
    client, auditor, findings_of_every_kind
):
    by_agency = findings_of_every_kind
    client.force_login(auditor)

    assert listed_findings(client, "/state/findings/?agency=riverbend") == by_agency[RIVERBEND]
    assert listed_findings(client, "/state/findings/?agency=marshals") == by_agency[MARSHALS]
    # "ICE ERO Chicago" is how the sharing list spelt ICE, an alias of ICE's now; an
    # agency comes with its offices (HSI), an office without its parent.
    ero = listed_findings(client, "/state/findings/?agency=ero+chicago")
    assert ero == by_agency[ICE] | by_agency[HSI]
    assert listed_findings(client, "/state/findings/?agency=HSI") == by_agency[HSI]
    assert listed_findings(client, "/state/findings/?agency=") == set().union(*by_agency.values())


def test_the_agency_filter_keeps_to_the_municipalitys_findings(
    client, clerk_b, municipality_b, findings_of_every_kind
):
    client.force_login(clerk_b)

    assert listed_findings(client, f"/m/{municipality_b.slug}/findings/?agency=ICE") == set()
