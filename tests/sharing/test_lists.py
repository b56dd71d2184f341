"""The grants and searches lists (per municipality and statewide) and a grant's timeline:
filters, keyset pages, downloads, tenant isolation, query counts.

Rows are told apart by the `data-row` attribute each list row carries (the grant's id,
the search's id)."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.agencies.models import Agency
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing import views as sharing_views
from apps.sharing.models import SearchEvent, SharingGrant
from tests.audits.factories import (
    AgencyFactory,
    SearchEventFactory,
    SharingChangeFactory,
    SharingGrantFactory,
)
from tests.ingest.test_loading import upload
from tests.municipalities.factories import MunicipalityFactory
from tests.vendors.factories import VendorExportFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent.parent / "ingest" / "samples"
ICE = "U.S. Immigration and Customs Enforcement"
HSI = "Homeland Security Investigations"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def row_ids(response) -> list[int]:
    assert response.status_code == 200, response.content.decode()[:500]
    return [int(n) for n in re.findall(r'<tr data-row="(\d+)"', response.content.decode())]


def grant_list(slug: str | None = None) -> str:
    return f"/m/{slug}/grants/" if slug else "/state/grants/"


def search_list(slug: str | None = None) -> str:
    return f"/m/{slug}/searches/" if slug else "/state/searches/"


def walk(client, url: str, link: str = "next") -> list[list[int]]:
    """The ids of every page, following the page's `next` (or `prev`) links to the end."""
    pages = []
    for _ in range(100):
        response = client.get(url)
        pages.append(row_ids(response))
        found = re.search(rf'<a href="([^"]+)" rel="{link}"', response.content.decode())
        if found is None:
            return pages
        url = found.group(1).replace("&amp;", "&")
    raise AssertionError("more than 100 pages")


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.values]


# --- the grants list's filters ----------------------------------------------------------


@pytest.fixture
def grants(municipality_a):
    """Five grants of A that differ in every filtered property, with their histories."""
    ice = Agency.objects.get(name=ICE)
    with municipality_scope(municipality_a):
        made = {
            "ice": SharingGrantFactory(municipality=municipality_a, agency=ice,
                                       partner_name="ICE ERO Chicago [Federal]",
                                       decided_by="Smith, Jordan"),
            "police": SharingGrantFactory(
                municipality=municipality_a,
                agency=AgencyFactory(name="Riverbend IL Police Department"),
                decided_at=at(2023, 6, 12, 15), status_changed_at=at(2023, 6, 12, 15),
                decided_by="Lt. Dana Whitcomb",
            ),
            "texas": SharingGrantFactory(
                municipality=municipality_a, agency=AgencyFactory(name="Ward County TX SO",
                                                                  level="county"),
                status="pending", mode="national", decided_at=None, decided_by="",
                requested_at=at(2025, 1, 10), status_changed_at=at(2025, 1, 10),
            ),
            "revoked": SharingGrantFactory(
                municipality=municipality_a, agency=AgencyFactory(name="Kenosha WI PD"),
                status="revoked", decided_at=at(2024, 6, 30, 14), decided_by="Banner, Ruth",
                status_changed_at=at(2024, 6, 30, 14), requested_at=at(2024, 1, 10),
            ),
            "incoming": SharingGrantFactory(
                municipality=municipality_a, agency=AgencyFactory(name="Lake County IN SO",
                                                                  level="county"),
                direction="incoming", status_changed_at=at(2025, 3, 1), decided_at=at(2025, 3, 1),
                decided_by="Flock Safety Support",
            ),
        }  # fmt: skip
        for key, when, actor in [("ice", at(2024, 4, 16, 19, 2), "Smith, Jordan"),
                                 ("police", at(2023, 6, 12, 15), "Lt. Dana Whitcomb"),
                                 ("revoked", at(2024, 1, 15, 16), "Smith, Jordan"),
                                 ("incoming", at(2025, 3, 1), "Flock Safety Support")]:  # fmt: skip
            SharingChangeFactory(municipality=municipality_a, grant=made[key], occurred_at=when,
                                 old_status="", new_status="accepted", actor=actor)  # fmt: skip
        SharingChangeFactory(municipality=municipality_a, grant=made["texas"],
                             occurred_at=at(2025, 1, 10), old_status="", new_status="pending",
                             actor="")  # fmt: skip
        made["revocation"] = SharingChangeFactory(
            municipality=municipality_a, grant=made["revoked"], occurred_at=at(2024, 6, 30, 14),
            old_status="accepted", new_status="revoked", actor="Banner, Ruth",
            source_export=made["revoked"].source_export,
        )  # fmt: skip
    return made


GRANT_FILTERS = [
    ("agency=ICE", {"ice"}),
    ("agency=Police", {"police"}),
    ("level=federal", {"ice"}),
    ("state=tx", {"texas"}),
    ("status=revoked", {"revoked"}),
    ("status=accepted", {"ice", "police", "incoming"}),
    ("mode=national", {"texas"}),
    ("direction=incoming", {"incoming"}),
    ("out_of_state=yes", {"texas", "revoked", "incoming"}),
    ("out_of_state=no", {"ice", "police"}),
    ("blocked=yes", {"ice"}),
    ("blocked=no", {"police", "texas", "revoked", "incoming"}),
    # The revoked grant's latest decision is the revocation by Banner; Smith accepted it.
    ("accepted_by=smith, jordan", {"ice", "revoked"}),
    ("accepted_by=Banner", set()),
    ("active_from=2024-07-01", {"ice", "police", "incoming"}),
    ("active_to=2023-12-31", {"police"}),
    ("active_from=2024-02-01&active_to=2024-02-28", {"police", "revoked"}),
    ("active_from=2024-06-30&active_to=2024-06-30", {"ice", "police", "revoked"}),
]


@pytest.mark.parametrize(("query", "expected"), GRANT_FILTERS, ids=[q for q, _ in GRANT_FILTERS])
def test_each_grant_filter_narrows_the_list_to_its_grants(
    client, clerk_a, municipality_a, grants, query, expected
):
    client.force_login(clerk_a)
    everything = row_ids(client.get(grant_list(municipality_a.slug)))
    assert sorted(everything) == sorted(g.pk for k, g in grants.items() if k != "revocation")

    found = row_ids(client.get(f"{grant_list(municipality_a.slug)}?{query}"))

    assert sorted(found) == sorted(grants[key].pk for key in expected)


def test_the_agency_number_and_upload_filters_narrow_the_grants(
    client, clerk_a, municipality_a, grants
):
    client.force_login(clerk_a)
    url = grant_list(municipality_a.slug)
    police = grants["police"]
    assert row_ids(client.get(f"{url}?agency_id={police.agency_id}")) == [police.pk]
    # An upload shows a grant as its latest source, or by a change it recorded.
    with municipality_scope(municipality_a):
        first_change = grants["revoked"].changes.order_by("occurred_at").first()
    for export_id in (grants["revoked"].source_export_id, first_change.source_export_id):
        assert row_ids(client.get(f"{url}?export={export_id}")) == [grants["revoked"].pk]


def test_the_statewide_grants_list_filters_by_municipality(
    client, auditor, municipality_a, municipality_b, grants
):
    with municipality_scope(municipality_b):
        other = SharingGrantFactory(municipality=municipality_b)
    client.force_login(auditor)

    assert set(row_ids(client.get(grant_list()))) == {
        *(g.pk for k, g in grants.items() if k != "revocation"),
        other.pk,
    }
    assert row_ids(client.get(f"{grant_list()}?municipality={municipality_b.slug}")) == [other.pk]
    page = client.get(f"{grant_list()}?municipality=no-such-town")
    assert page.status_code == 400


# --- the searches list's filters --------------------------------------------------------


@pytest.fixture
def searches(municipality_a):
    ice = Agency.objects.get(name=ICE)
    export = VendorExportFactory(municipality=municipality_a)
    with municipality_scope(municipality_a):
        made = {
            "ice": SearchEventFactory(municipality=municipality_a, agency=ice,
                                      agency_name="ICE ERO Chicago [Federal]",
                                      reason="locate subject", searcher="Agent K. Reyes",
                                      searched_at=at(2025, 6, 3, 14)),
            "immigration": SearchEventFactory(municipality=municipality_a,
                                              reason="ICE detainer", reason_label="immigration",
                                              case_number="WCSO-25-3381",
                                              searched_at=at(2025, 6, 2, 3, 30)),
            "health": SearchEventFactory(municipality=municipality_a,
                                         reason="had an abortion, search for female",
                                         reason_label="health_care",
                                         searched_at=at(2025, 5, 20)),
            "vague": SearchEventFactory(municipality=municipality_a, reason="inv",
                                        reason_label="vague", case_number="",
                                        searched_at=at(2025, 5, 1, 12), source_export=export),
            "staff": SearchEventFactory(municipality=municipality_a, reason="stolen vehicle",
                                        origin="organization", searcher="Ofc. R. Adeyemi",
                                        searched_at=at(2025, 4, 1), source_export=export),
        }  # fmt: skip
    return made


SEARCH_FILTERS = [
    ("agency=ICE", {"ice"}),
    ("reason_label=immigration", {"immigration"}),
    ("reason_label=flagged", {"immigration", "health"}),
    ("reason_label=vague", {"vague"}),
    ("reason_label=none", {"ice", "staff"}),
    ("reason=DETAINER", {"immigration"}),
    ("reason=ice", {"immigration"}),
    ("case_number=3381", {"immigration"}),
    ("origin=organization", {"staff"}),
    ("origin=network", {"ice", "immigration", "health", "vague"}),
    # Dates are Central Time: 03:30 UTC on June 2 is the evening of June 1 in Chicago.
    ("searched_from=2025-06-02", {"ice"}),
    ("searched_to=2025-06-01", {"immigration", "health", "vague", "staff"}),
    ("searched_from=2025-05-01&searched_to=2025-05-31", {"health", "vague"}),
    ("reason=vehicle&origin=organization&searched_to=2025-04-30", {"staff"}),
]


@pytest.mark.parametrize(("query", "expected"), SEARCH_FILTERS, ids=[q for q, _ in SEARCH_FILTERS])
def test_each_search_filter_narrows_the_list_to_its_searches(
    client, clerk_a, municipality_a, searches, query, expected
):
    client.force_login(clerk_a)
    assert len(row_ids(client.get(search_list(municipality_a.slug)))) == len(searches)

    found = row_ids(client.get(f"{search_list(municipality_a.slug)}?{query}"))

    assert sorted(found) == sorted(searches[key].id for key in expected)


def test_the_agency_number_upload_and_municipality_filters_narrow_the_searches(
    client, auditor, municipality_a, municipality_b, searches
):
    with municipality_scope(municipality_b):
        other = SearchEventFactory(municipality=municipality_b)
    client.force_login(auditor)
    url = search_list(municipality_a.slug)
    ice = searches["ice"]
    assert row_ids(client.get(f"{url}?agency_id={ice.agency_id}")) == [ice.id]
    export_id = searches["vague"].source_export_id
    assert row_ids(client.get(f"{url}?export={export_id}")) == [
        searches["vague"].id, searches["staff"].id
    ]  # fmt: skip
    assert row_ids(client.get(f"{search_list()}?municipality={municipality_b.slug}")) == [other.id]
    assert len(row_ids(client.get(search_list()))) == len(searches) + 1


def test_officers_names_show_only_on_flagged_searches_or_blocklisted_agencies(
    client, clerk_a, municipality_a, searches
):
    client.force_login(clerk_a)
    page = client.get(search_list(municipality_a.slug)).content.decode()
    assert "Agent K. Reyes" in page  # ICE is on the blocklist
    assert "Ofc. R. Adeyemi" not in page  # a stolen-vehicle search by the town's own staff
    rows = csv_rows(client.get(f"{search_list(municipality_a.slug)}?download=csv"))
    officers = {row[rows[0].index("Officer")] for row in rows[1:]}
    assert "Agent K. Reyes" in officers and "Ofc. R. Adeyemi" not in officers


# --- "ICE" finds every ICE component, as resolved from real uploads ------------------------


@pytest.fixture
def maple_grove_uploads(municipality_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload(municipality_a, SAMPLES / "flock_sharing_list.csv")
    upload(municipality_a, SAMPLES / "flock_network_audit_13col.csv")


@pytest.mark.parametrize("statewide", [False, True], ids=["municipality", "statewide"])
def test_an_ice_agency_filter_finds_every_ice_component_and_no_police(
    client, clerk_a, auditor, municipality_a, maple_grove_uploads, statewide
):
    client.force_login(auditor if statewide else clerk_a)
    slug = None if statewide else municipality_a.slug

    grant_ids = row_ids(client.get(f"{grant_list(slug)}?agency=ICE"))
    search_ids = row_ids(client.get(f"{search_list(slug)}?agency=ICE"))

    with statewide_scope():
        found = SharingGrant.objects.filter(pk__in=grant_ids).select_related("agency")
        partners = {grant.partner_name: grant.agency.name for grant in found}
        searched = SearchEvent.objects.filter(id__in=search_ids).select_related("agency")
        searchers = sorted((s.agency_name, s.agency.name) for s in searched)
        every_ice_grant = SharingGrant.objects.filter(
            municipality=municipality_a, agency__name__in=[ICE, HSI]
        ).count()
    assert partners == {"ICE ERO Chicago [Federal]": ICE, "HSI Chicago [Federal]": HSI}
    assert len(grant_ids) == every_ice_grant
    assert searchers == [("HSI Chicago [Federal]", HSI), ("ICE ERO Chicago [Federal]", ICE),
                         ("ICE ERO Chicago [Federal]", ICE)]  # fmt: skip
    # "Pleasant Valley IL Police Department" searched with the reason "assist HSI", and
    # Maple Grove shares with police departments: none of them is ICE.
    assert not any("Police" in name for name in partners.values())
    assert not any("Police" in name for pair in searchers for name in pair)


# --- keyset pages -----------------------------------------------------------------------


def test_grant_pages_walk_every_grant_exactly_once_both_ways_in_each_order(
    client, auditor, municipality_a, municipality_b
):
    made = []
    for municipality in (municipality_a, municipality_b):
        with municipality_scope(municipality):
            for n in range(33):
                agency = AgencyFactory(name=f"Keyset {n:02d} IL PD")
                # Same partner name twice (a grant each way) and equal times: ties the
                # order breaks by id.
                for direction in ("outgoing", "incoming"):
                    made.append(SharingGrantFactory(municipality=municipality, agency=agency,
                                                    direction=direction))  # fmt: skip
    client.force_login(auditor)
    of_a = [g for g in made if g.municipality_id == municipality_a.pk]
    for url, expected in [(grant_list(municipality_a.slug), of_a), (grant_list(), made)]:
        for sort, key in [("partner_name", lambda g: (g.partner_name, g.pk)),
                          ("-status_changed_at", lambda g: (-g.status_changed_at.timestamp(),
                                                            -g.pk))]:  # fmt: skip
            order = [g.pk for g in sorted(expected, key=key)]
            pages = walk(client, f"{url}?sort={sort}")
            assert [len(page) for page in pages][:-1] == [50] * (len(pages) - 1)
            assert [pk for page in pages for pk in page] == order
            # And back from the last page by the "previous" links.
            back = walk(client, f"{url}?sort={sort}&after={_last_cursor(client, url, sort)}",
                        link="prev")  # fmt: skip
            assert [pk for page in reversed(back) for pk in page] == order


def _last_cursor(client, url: str, sort: str) -> str:
    """The cursor that opens the last page (the `after` of the last "next" link)."""
    page_url, cursor = f"{url}?sort={sort}", ""
    while True:
        found = re.search(r'<a href="[^"]*after=([^"&]+)[^"]*" rel="next"',
                          client.get(page_url).content.decode())  # fmt: skip
        if found is None:
            return cursor
        cursor = found.group(1)
        page_url = f"{url}?sort={sort}&after={cursor}"


def test_search_pages_walk_every_search_exactly_once_newest_or_oldest_first(
    client, clerk_a, municipality_a
):
    with municipality_scope(municipality_a):
        made = [
            SearchEventFactory(municipality=municipality_a,
                               searched_at=at(2025, 6, 1) + timedelta(hours=n % 3))
            for n in range(120)
        ]  # fmt: skip
    client.force_login(clerk_a)
    newest_first = [s.id for s in sorted(made, key=lambda s: (s.searched_at, s.id), reverse=True)]

    pages = walk(client, search_list(municipality_a.slug))
    assert [len(page) for page in pages] == [50, 50, 20]
    assert [n for page in pages for n in page] == newest_first
    oldest = walk(client, f"{search_list(municipality_a.slug)}?sort=searched_at")
    assert [n for page in oldest for n in page] == newest_first[::-1]


def test_a_reason_text_filter_reads_a_bounded_run_of_rows_and_offers_the_next(
    client, clerk_a, municipality_a, monkeypatch
):
    """With runs of 20 rows, matches at positions 4, 30 and 55 (newest first) come one
    run at a time; following "Look further back" finds each exactly once."""
    monkeypatch.setattr(sharing_views.SearchListMixin, "scan_limit", 20)
    with municipality_scope(municipality_a):
        made = [
            SearchEventFactory(municipality=municipality_a, searched_at=at(2025, 1, 1) +
                               timedelta(minutes=60 - n),
                               reason="ICE detainer" if n in (4, 30, 55) else "stolen vehicle")
            for n in range(60)
        ]  # fmt: skip
    client.force_login(clerk_a)

    first = client.get(f"{search_list(municipality_a.slug)}?reason=detainer")
    pages = walk(client, f"{search_list(municipality_a.slug)}?reason=detainer")

    assert row_ids(first) == [made[4].id]
    assert "Look further back" in first.content.decode()
    assert "these are the matches among the searches back to" in first.content.decode()
    assert [n for page in pages for n in page] == [made[4].id, made[30].id, made[55].id]


@pytest.mark.parametrize(
    "query",
    ["after=not-a-cursor", "before=WyJ4Il0", "sort=reason", "sort=-agency",
     "after=WzEsMl0&before=WzEsMl0", "download=pdf", "agency_id=abc", "searched_from=tomorrow"],
)  # fmt: skip
def test_a_page_link_or_filter_that_is_not_the_lists_answers_400(
    client, clerk_a, municipality_a, query
):
    client.force_login(clerk_a)
    urls = [search_list(municipality_a.slug)]
    if "searched_from" not in query:  # not a grants filter
        urls.append(grant_list(municipality_a.slug))
    for url in urls:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert '<tr data-row="' not in response.content.decode()


# --- downloads --------------------------------------------------------------------------


def test_downloads_hold_every_filtered_row_escape_formulas_and_give_times_with_offset(
    client, clerk_a, municipality_a
):
    with municipality_scope(municipality_a):
        for n in range(60):
            SharingGrantFactory(municipality=municipality_a,
                                agency=AgencyFactory(name=f"Download {n:02d} IL PD"))  # fmt: skip
        SharingGrantFactory(municipality=municipality_a, agency=AgencyFactory(name="Evil IL PD"),
                            partner_name='=HYPERLINK("http://evil.example","x")',
                            decided_by="@SUM(1+1)")  # fmt: skip
        SearchEventFactory(municipality=municipality_a, reason="+cmd|' /C calc'!A0",
                           case_number="-2+3", reason_label="vague", searcher="=1+1")  # fmt: skip
    client.force_login(clerk_a)
    url = grant_list(municipality_a.slug)

    for rows in (csv_rows(client.get(f"{url}?download=csv")),
                 xlsx_rows(client.get(f"{url}?download=xlsx"))):  # fmt: skip
        header, body = rows[0], rows[1:]
        assert len(body) == 61  # every page's rows, not the first 50
        partner = {row[header.index("Partner")] for row in body}
        assert '\'=HYPERLINK("http://evil.example","x")' in partner
        assert "'@SUM(1+1)" in {row[header.index("Accepted by")] for row in body}
        assert all(ISO_WITH_OFFSET.match(row[header.index("Status since")]) for row in body)
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)
    filtered = csv_rows(client.get(f"{url}?agency=Evil&download=csv"))
    assert len(filtered) == 2

    rows = csv_rows(client.get(f"{search_list(municipality_a.slug)}?download=csv"))
    header, (row,) = rows[0], rows[1:]
    assert row[header.index("Reason")] == "'+cmd|' /C calc'!A0"
    assert row[header.index("Case #")] == "'-2+3"
    assert row[header.index("Officer")] == "'=1+1"
    assert ISO_WITH_OFFSET.match(row[header.index("When")])
    assert row[header.index("When")].endswith(("-05:00", "-06:00"))


def test_a_download_beyond_the_limit_is_refused_with_a_message(
    client, clerk_a, municipality_a, monkeypatch
):
    monkeypatch.setattr(sharing_views, "DOWNLOAD_LIMIT", 3)
    with municipality_scope(municipality_a):
        made = [SearchEventFactory(municipality=municipality_a) for _ in range(4)]
    client.force_login(clerk_a)

    response = client.get(f"{search_list(municipality_a.slug)}?download=csv", follow=True)

    assert response.redirect_chain[0][0] == search_list(municipality_a.slug)
    assert "A download holds at most 3 searches" in response.content.decode()
    narrowed = f"?case_number={made[0].case_number}&download=csv"
    assert len(csv_rows(client.get(search_list(municipality_a.slug) + narrowed))) == 2


# --- tenants and roles ------------------------------------------------------------------


def test_another_municipalitys_clerk_gets_404_and_clerks_never_reach_the_statewide_lists(
    client, clerk_a, clerk_b, auditor, municipality_a, municipality_b
):
    with municipality_scope(municipality_a):
        grant_a = SharingGrantFactory(municipality=municipality_a)
        search_a = SearchEventFactory(municipality=municipality_a)
    with municipality_scope(municipality_b):
        grant_b = SharingGrantFactory(municipality=municipality_b)
        SearchEventFactory(municipality=municipality_b)
    a = municipality_a.slug

    client.force_login(clerk_b)
    for url in (grant_list(a), search_list(a), f"/m/{a}/grants/{grant_a.pk}/",
                f"{grant_list(a)}?download=csv"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    for url in (grant_list(), search_list(), f"{grant_list()}?download=csv"):
        assert client.get(url).status_code == 403, url

    client.force_login(clerk_a)
    assert row_ids(client.get(grant_list(a))) == [grant_a.pk]
    assert row_ids(client.get(search_list(a))) == [search_a.id]
    # B's grant under A's address: hidden from everybody, state staff included.
    assert client.get(f"/m/{a}/grants/{grant_b.pk}/").status_code == 404
    client.force_login(auditor)
    assert client.get(f"/m/{a}/grants/{grant_b.pk}/").status_code == 404
    assert client.get(f"/m/{a}/grants/{grant_a.pk}/").status_code == 200


# --- bounded queries --------------------------------------------------------------------


@pytest.mark.parametrize("statewide", [False, True], ids=["municipality", "statewide"])
def test_the_lists_run_the_same_few_queries_for_10_rows_or_100(
    client, auditor, django_assert_max_num_queries, statewide
):
    client.force_login(auditor)
    for size in (10, 100):
        municipality = MunicipalityFactory(name=f"Size {size}")
        with municipality_scope(municipality):
            for _ in range(size):
                grant = SharingGrantFactory(municipality=municipality)
                SharingChangeFactory(municipality=municipality, grant=grant)
                SearchEventFactory(municipality=municipality, reason_label="immigration")
        slug = None if statewide else municipality.slug
        urls = [
            grant_list(slug), f"{grant_list(slug)}?agency=Springfield&status=accepted",
            search_list(slug), f"{search_list(slug)}?reason=vehicle&agency=Springfield",
            f"/m/{municipality.slug}/grants/{grant.pk}/",
            f"{grant_list(slug)}?download=csv", f"{search_list(slug)}?download=xlsx",
        ]  # fmt: skip
        for url in urls:
            with django_assert_max_num_queries(16):
                assert client.get(url).status_code == 200


# --- a grant's timeline -----------------------------------------------------------------


def test_the_riverbend_ice_grants_timeline_shows_its_creation_by_smith_and_its_deletion(
    client, auditor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    riverbend = MunicipalityFactory(name="Riverbend", slug="riverbend")
    export = upload(riverbend, SAMPLES / "flock_events.csv")
    with municipality_scope(riverbend):
        ice = SharingGrant.objects.get(partner_name="ICE ERO Chicago [Federal]")
    client.force_login(auditor)

    page = client.get(f"/m/riverbend/grants/{ice.pk}/").content.decode()

    timeline = page.split('id="timeline-heading"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", timeline, re.S)
    created, deleted = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("</td><td>")] for row in rows
    ]
    assert created[1:3] == ["Shared: accepted", "Smith, Jordan"]
    assert created[0] == "Apr 16, 2024 14:05"  # 19:05:36 UTC, in Central Time
    assert deleted[1:3] == ["Revoked", "a.kowalski@riverbendpd.example"]
    assert 'datetime="2025-09-23T10:10:33' in timeline
    assert created[3].startswith("flock_events.csv, line ") and deleted[3].startswith(
        "flock_events.csv, line "
    )
    answers = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('data-role="answers">')[1]))
    assert answers.startswith(
        "Accepted Apr 16, 2024 14:05 by Smith, Jordan. "
        "Revoked Sep 23, 2025 10:10 by a.kowalski@riverbendpd.example."
    )
    assert f'href="/m/riverbend/exports/{export.pk}/"' in page
    assert 'href="/state/agencies/' in page  # the agency, for state staff
    assert "Blocklisted agency" in page


def test_a_grant_gone_from_a_sharing_list_ended_between_the_two_lists(
    client, clerk_a, municipality_a
):
    with municipality_scope(municipality_a):
        grant = SharingGrantFactory(
            municipality=municipality_a, status="revoked", status_changed_at=at(2026, 1, 31, 6),
            source_line=0,
        )  # fmt: skip
        SharingChangeFactory(municipality=municipality_a, grant=grant, old_status="accepted",
                             new_status="revoked", occurred_at=at(2026, 1, 31, 6), actor="",
                             source_line=0, last_listed_at=at(2025, 12, 30, 6))  # fmt: skip
    client.force_login(clerk_a)

    page = client.get(f"/m/{municipality_a.slug}/grants/{grant.pk}/").content.decode()

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "between Dec 30, 2025 (last list showing it) and Jan 31, 2026 (next list)" in text
    assert "Revoked: gone from the sharing list" in text
    assert "Revoked between Dec 30, 2025 and Jan 31, 2026." in text


def test_the_timeline_lists_the_agencys_declarations_and_the_grants_findings(
    client, clerk_a, municipality_a
):
    from apps.audits.models import Finding
    from apps.sharing.models import Declaration

    agency = AgencyFactory(name="Phoenix AZ PD")
    with municipality_scope(municipality_a):
        grant = SharingGrantFactory(municipality=municipality_a, agency=agency,
                                    declaration_on_file=True,
                                    declaration_date=datetime(2024, 2, 1).date())  # fmt: skip
        Declaration.objects.create(municipality=municipality_a, agency=agency,
                                   received_on=datetime(2024, 2, 1).date(),
                                   expires_on=datetime(2026, 2, 1).date())  # fmt: skip
        now = timezone.now()
        Finding.objects.create(
            municipality=municipality_a, rule_code="OUT_OF_STATE_NO_DECLARATION",
            subject_key=f"grant:{grant.pk}", subject_label="Phoenix AZ PD", severity="high",
            summary="Shares with Phoenix AZ PD without a current declaration", grant=grant,
            evidence={"files": []}, first_seen_at=now, last_seen_at=now,
        )  # fmt: skip
    client.force_login(clerk_a)

    page = client.get(f"/m/{municipality_a.slug}/grants/{grant.pk}/").content.decode()

    declarations = page.split('id="declarations-heading"')[1].split("</section>")[0]
    assert "Feb 1, 2024" in declarations and "Feb 1, 2026" in declarations
    assert "on file, dated Feb 1, 2024" in page
    assert "Shares with Phoenix AZ PD without a current declaration" in page
    assert 'href="/state/agencies/' not in page  # the agency page is for state staff


def test_list_rows_link_to_their_grant_and_agency_names_to_the_agency_page_for_state_staff(
    client, clerk_a, auditor, municipality_a
):
    with municipality_scope(municipality_a):
        grant = SharingGrantFactory(municipality=municipality_a)
    detail = f'href="/m/{municipality_a.slug}/grants/{grant.pk}/"'
    agency = f'href="/state/agencies/{grant.agency_id}/"'

    client.force_login(clerk_a)
    page = client.get(grant_list(municipality_a.slug)).content.decode()
    assert detail in page and agency not in page
    client.force_login(auditor)
    for url in (grant_list(municipality_a.slug), grant_list()):
        page = client.get(url).content.decode()
        assert detail in page and agency in page


def test_the_overview_links_to_all_its_grants_and_the_navigation_to_both_lists(
    client, clerk_a, auditor, municipality_a
):
    with municipality_scope(municipality_a):
        for _ in range(30):
            SharingGrantFactory(municipality=municipality_a)
        SharingGrantFactory(municipality=municipality_a, direction="incoming")
    a = municipality_a.slug

    client.force_login(clerk_a)
    page = client.get(f"/m/{a}/").content.decode()
    assert f'<a href="/m/{a}/grants/?direction=outgoing">All 30 grants shared out</a>' in page
    nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
    assert f'href="/m/{a}/grants/"' in nav and f'href="/m/{a}/searches/"' in nav
    assert 'href="/state/grants/"' not in nav
    assert len(row_ids(client.get(f"/m/{a}/grants/?direction=outgoing"))) == 30

    client.force_login(auditor)
    nav = client.get("/state/").content.decode().split('aria-label="Main"')[1]
    assert 'href="/state/grants/"' in nav and 'href="/state/searches/"' in nav
