"""Every headline figure of the dashboards links to the list it counts, and the list
shows as many rows; the statewide dashboard lists the recent bulk acceptances."""

import csv
import html
import io
import re

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.audits.dashboards import bulk_acceptances_recent
from apps.audits.models import Finding
from apps.audits.services import finding_transition
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope, statewide_scope

pytestmark = pytest.mark.django_db

# A figure's link: its number, then what it counts for screen readers.
FIGURE_LINK = re.compile(
    r'<a href="(?P<href>[^"]+)">(?P<number>[\d,]+)'
    r'<span class="visually-hidden"> (?P<label>[^<]+)</span></a>'
)


def figure_links(page: str, start='<dl class="headline"', end="</dl>") -> dict[str, tuple]:
    """{what a figure counts: (the number shown, its link)} between `start` and `end`
    (the headline figures by default)."""
    part = page[page.index(start) : page.index(end, page.index(start))]
    return {
        match["label"]: (int(match["number"].replace(",", "")), html.unescape(match["href"]))
        for match in FIGURE_LINK.finditer(part)
    }


def rows_listed(client, href: str, base: str) -> int:
    """How many rows the linked list holds: its CSV download, with the link's filters."""
    url, _, _fragment = href.partition("#")
    if url.startswith("?"):
        url = base + url
    # The grants and searches lists name an upload `export`, so they download by `download`.
    download = "download" if re.search(r"/(grants|searches)/", url) else "export"
    response = client.get(url + ("&" if "?" in url else "?") + f"{download}=csv")
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv"), url
    return len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) - 1


@pytest.fixture
def demo(db):
    """The demo, with one open critical finding acknowledged: open work still."""
    call_command("seed_demo")
    auditor = User.objects.get(username="auditor")
    with statewide_scope():
        finding = Finding.objects.filter(severity="critical", status="open").first()
    with municipality_scope(finding.municipality):
        finding_transition(finding=finding, action="acknowledge", actor=auditor)
    return auditor


def test_every_statewide_figure_links_to_a_list_of_as_many_rows(client, demo):
    client.force_login(demo)
    links = figure_links(client.get("/state/").content.decode())

    assert set(links) == {
        "municipalities reporting",
        "municipalities with stale or no uploads",
        "red municipalities",
        "amber municipalities",
        "active grants",
        "active grants to blocked agencies",
        "open critical findings",
        "open high findings",
        "open medium findings",
        "open low findings",
        "searches with an immigration or health-care purpose in the last 30 days",
    }
    for label, (number, href) in links.items():
        assert rows_listed(client, href, "/state/") == number, label
    # The demo fills them: a link to an empty list would prove little.
    assert all(links[label][0] for label in ("active grants", "open critical findings"))
    assert links["searches with an immigration or health-care purpose in the last 30 days"][0]


def test_every_municipality_figure_links_to_its_own_list_of_as_many_rows(client, demo):
    client.force_login(User.objects.get(username="clerk.maplegrove"))
    page = client.get("/m/maple-grove/").content.decode()
    links = figure_links(page)

    assert set(links) == {
        "open critical findings",
        "open high findings",
        "open medium findings",
        "open low findings",
        "active grants",
        "pending grants",
        "active grants to out-of-state agencies",
        "active grants to federal agencies",
        "searches in the last 30 days",
        "with an immigration or health-care purpose",
    }
    for label, (number, href) in links.items():
        assert href.startswith("/m/maple-grove/"), href  # never a statewide list
        assert rows_listed(client, href, "/m/maple-grove/") == number, label
    assert links["searches in the last 30 days"][0] and links["active grants"][0]


def test_statewide_dashboard_lists_the_bulk_acceptance_with_its_blocked_agencies(client, demo):
    client.force_login(demo)
    page = client.get("/state/").content.decode()
    section = page[page.index('id="bulk-heading"') : page.index('id="municipalities-heading"')]

    riverbend = Municipality.objects.get(slug="riverbend")
    with municipality_scope(riverbend):
        burst = Finding.objects.get(rule_code="BULK_ACCEPTANCE")
    assert "Smith, Jordan" in section and ">214<" in section
    assert "U.S. Immigration and Customs Enforcement" in section
    assert "Homeland Security Investigations" in section
    detail = f"/m/riverbend/findings/{burst.pk}/"
    assert f'href="{detail}"' in section
    assert client.get(detail).status_code == 200


def test_bulk_acceptances_name_only_blocked_agencies_and_cost_few_queries(
    demo, django_assert_max_num_queries
):
    with statewide_scope(), django_assert_max_num_queries(4):
        (event,) = bulk_acceptances_recent()
    assert event["actor"] == "Smith, Jordan" and event["accepted"] == 214
    assert event["last_at"] > event["first_at"]
    names = [agency["name"] for agency in event["blocked_agencies"]]
    assert names == ["Homeland Security Investigations", "U.S. Immigration and Customs Enforcement"]


def test_top_searching_agencies_link_to_their_searches_of_the_last_90_days(client, demo):
    client.force_login(User.objects.get(username="clerk.maplegrove"))
    page = client.get("/m/maple-grove/").content.decode()
    links = figure_links(page, start='id="top-heading"', end="</table>")

    assert "searches by Ward County TX SO" in links
    assert any(label.startswith("flagged searches by") for label in links)
    for label, (number, href) in links.items():
        assert number and rows_listed(client, href, "/m/maple-grove/") == number, label
