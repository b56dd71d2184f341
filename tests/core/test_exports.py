"""Every list page downloads as CSV and XLSX: the rows of the filtered page (all pages of
it), in the user's scope, with formula-like cells escaped."""

import csv
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.audits.models import Finding
from apps.municipalities.scoping import municipality_scope
from tests.accounts.factories import UserFactory
from tests.municipalities.factories import MunicipalityFactory
from tests.vendors.factories import VendorExportFactory

pytestmark = pytest.mark.django_db


def html_first_cells(response) -> list[str]:
    # The list is the last table on the page (charts come first, as tables too).
    body = response.content.decode().rsplit("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    firsts = [re.search(r"<td[^>]*>(.*?)</td>", row, re.S).group(1) for row in rows]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in firsts]


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.values]


def finding(municipality, label: str, status: str = "open", severity: str = "high") -> Finding:
    now = timezone.now()
    with municipality_scope(municipality):
        return Finding.objects.create(
            municipality=municipality, rule_code="VAGUE_REASON", subject_key=f"agency:{label}",
            subject_label=label, severity=severity, status=status, summary="s",
            evidence={"files": []}, first_seen_at=now, last_seen_at=now,
        )  # fmt: skip


def test_findings_export_matches_the_filtered_page_and_escapes_formulas(
    client, clerk_a, municipality_a, municipality_b
):
    finding(municipality_a, '=HYPERLINK("http://evil")')
    finding(municipality_a, "Ward County TX SO")
    finding(municipality_a, "Dismissed agency", status="dismissed")
    finding(municipality_b, "Another town's agency")
    client.force_login(clerk_a)
    url = f"/m/{municipality_a.slug}/findings/?status=open"

    page = client.get(url)
    as_csv = csv_rows(client.get(url + "&export=csv"))
    as_xlsx = xlsx_rows(client.get(url + "&export=xlsx"))

    about = as_csv[0].index("About")
    assert len(html_first_cells(page)) == len(as_csv) - 1 == len(as_xlsx) - 1 == 2
    exported = sorted(row[about] for row in as_csv[1:])
    assert exported == ['\'=HYPERLINK("http://evil")', "Ward County TX SO"]
    assert sorted(row[about] for row in as_xlsx[1:]) == exported
    assert "Another town" not in "".join(map(str, as_csv))


def test_uploads_export_lists_every_page_not_just_the_first(client, clerk_a, municipality_a):
    for n in range(30):  # the page shows 25
        VendorExportFactory(municipality=municipality_a, original_name=f"audit_{n:02}.csv")
    client.force_login(clerk_a)

    rows = csv_rows(client.get(f"/m/{municipality_a.slug}/exports/?export=csv"))

    assert len(rows) == 31
    assert rows[0][0] == "File" and "<a" not in "".join(rows[1])


def test_statewide_municipalities_export_follows_the_filter(client, auditor, db):
    MunicipalityFactory(name="=Evil Town", slug="evil-town", county="Cook")
    MunicipalityFactory(name="Quiet Town", county="Kane")
    client.force_login(auditor)

    cook = csv_rows(client.get("/state/?county=Cook&export=csv"))
    page = client.get("/state/?county=Cook")

    assert [row[0] for row in cook[1:]] == ["'=Evil Town"]
    assert html_first_cells(page) == ["=Evil Town"]


def test_accounts_export_is_for_administrators_and_follows_the_filter(
    client, administrator, auditor
):
    UserFactory(username="+clerk", role="municipal")
    client.force_login(administrator)

    rows = csv_rows(client.get("/state/administration/?role=municipal&export=xlsx".replace(
        "xlsx", "csv")))  # fmt: skip

    assert [row[0] for row in rows[1:]] == ["'+clerk"]
    client.force_login(auditor)
    assert client.get("/state/administration/?export=csv").status_code == 403
