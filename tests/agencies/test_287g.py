"""ICE's list of 287(g) partners: imported, matched to the agency directory or queued for
review, re-imported with history, and shown on the agency pages and lists."""

import csv
import hashlib
import io
import random
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.agencies import registry_file
from apps.agencies.models import Agency, AgencyAlias, AgreementImport, ImmigrationAgreement
from apps.agencies.selectors import agreements_in_force
from apps.agencies.services import agency_merge, registry_import
from apps.audits.models import Finding
from apps.core.models import ChangeRecord
from apps.municipalities.scoping import municipality_scope
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.BASE_DIR) / "apps" / "agencies" / "data" / "ice_287g_agencies_2026.xlsx"
COLUMNS = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED",
           "MOA", "ADDENDUM"]  # fmt: skip
COUNTS = re.compile(r"^matched (\d+) / queued (\d+) / ended (\d+) / unchanged (\d+)$", re.M)


def shipped_rows() -> list[list]:
    """The shipped list's rows with an agency, read here independently of the import."""
    workbook = openpyxl.load_workbook(SHIPPED, read_only=True)
    rows = [list(row[:8]) for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    workbook.close()
    return [row for row in rows if row[1]]


def write_csv(path: Path, rows: list[list], columns: list[str] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            # Dates as Excel writes them to CSV.
            writer.writerow([f"{v.month}/{v.day}/{v.year}" if isinstance(v, date) else v
                             for v in row])  # fmt: skip
    return path


def importer() -> str:
    """An administrator to import as, when a test names none (--actor is required)."""
    return UserFactory(role="administrator").username


def run_import(path: Path, *args: str) -> tuple[int, int, int, int]:
    out = io.StringIO()
    if "--actor" not in args:
        args = ("--actor", importer(), *args)
    call_command("import_287g", str(path), *args, stdout=out, stderr=io.StringIO())
    found = COUNTS.search(out.getvalue())
    assert found, out.getvalue()
    return tuple(int(n) for n in found.groups())


def directory_state() -> tuple:
    """Everything an import could write, to compare before and after."""
    return (
        ChangeRecord.objects.count(),
        set(ImmigrationAgreement.objects.values_list("pk", "updated_at")),
        set(Agency.objects.values_list("pk", "updated_at", "is_confirmed", "name")),
        AgencyAlias.objects.count(),
    )


def test_every_row_of_the_shipped_list_is_matched_or_queued_and_counted(galveston, administrator):
    rows = shipped_rows()

    matched, queued, ended, unchanged = run_import(SHIPPED, "--actor", administrator.username)

    assert len(rows) == 1314
    assert matched + queued == len(rows)
    assert (ended, unchanged) == (0, 0)
    # Galveston's three rows (one spelt with a curly apostrophe) are the directory's
    # sheriff; nothing else in the list is in this directory, so all else is queued.
    assert matched == 3
    assert sorted(galveston.immigration_agreements.values_list("support_model", flat=True)) == [
        "jail_enforcement", "task_force", "warrant_service_officer",
    ]  # fmt: skip
    assert ImmigrationAgreement.objects.filter(agency__is_confirmed=False).count() == queued
    assert not ImmigrationAgreement.objects.filter(agency__isnull=True).exists()
    record = AgreementImport.objects.get()
    assert (record.imported_by, record.rows, record.added) == (administrator, 1314, 1314)
    assert record.file_name == SHIPPED.name and len(record.sha256) == 64
    assert (
        ChangeRecord.objects.filter(
            subject_type="agencies.immigrationagreement", action="created", actor=administrator
        ).count()
        == 1314
    )


def test_rows_are_read_as_published_states_trimmed_and_dates_kept(galveston):
    run_import(SHIPPED)

    sheriff = ImmigrationAgreement.objects.get(
        agency=galveston, support_model="warrant_service_officer"
    )
    assert (sheriff.state, sheriff.agency_name, sheriff.agency_type, sheriff.county) == (
        "TX", "Galveston County Sheriff's Office", "County", "Galveston County",
    )  # fmt: skip
    assert sheriff.signed_on == date(2025, 3, 26)
    # "Autauga County Sheriff's Office " and "County " in ICE's file, trimmed.
    autauga = ImmigrationAgreement.objects.filter(state="AL", county="Autauga County")
    assert set(autauga.values_list("agency_name", "agency_type")) == {
        ("Autauga County Sheriff's Office", "County")
    }
    assert ImmigrationAgreement.objects.get(state="GU").county == "Kattan District"
    # "#N/A" in COUNTY is no county.
    assert ImmigrationAgreement.objects.filter(agency_name="Florida Department of Corrections",
                                               county="").exists()  # fmt: skip


def test_a_county_agency_whose_name_does_not_name_its_county_waits_for_review(galveston):
    """ICE lists Jacksonville's sheriff in Duval County: the directory is not guessed."""
    jacksonville = Agency.objects.create(
        name="Jacksonville FL SO", normalized_name="jacksonville sheriffs office", state="FL",
        level=Agency.Level.COUNTY, is_confirmed=True,
    )  # fmt: skip
    run_import(SHIPPED)

    listed = ImmigrationAgreement.objects.filter(agency_name="Jacksonville Sheriff's Office")
    assert listed.exists()
    assert not listed.filter(agency=jacksonville).exists()
    queued = listed.first().agency
    assert not queued.is_confirmed and "Duval County" in queued.name

    # An administrator merges it in review; the next list matches it through that.
    agency_merge(source=queued, target=jacksonville)
    assert set(listed.values_list("agency", flat=True)) == {jacksonville.pk}
    run_import(SHIPPED)
    assert AgreementImport.objects.first().matched == 3 + listed.count()


def test_a_second_import_of_the_same_file_changes_nothing(galveston):
    run_import(SHIPPED)
    before = directory_state()

    matched, queued, ended, unchanged = run_import(SHIPPED)

    assert directory_state() == before
    assert (matched, queued, ended, unchanged) == (3, 1311, 0, 1314)
    second = AgreementImport.objects.first()
    assert (second.added, second.changed, second.ended) == (0, 0, 0)


def test_a_list_without_one_agency_ends_exactly_its_agreements_with_history(
    galveston, administrator, tmp_path
):
    rows = shipped_rows()
    run_import(SHIPPED)
    without = [row for row in rows if "Galveston County Sheriff" not in row[1]]
    assert len(rows) - len(without) == 3

    matched, queued, ended, unchanged = run_import(
        write_csv(tmp_path / "ice_287g_next.csv", without), "--actor", administrator.username
    )

    assert (matched, queued, ended, unchanged) == (0, 1311, 3, 1311)
    today = timezone.localdate()
    assert set(galveston.immigration_agreements.values_list("ended_on", flat=True)) == {today}
    assert not agreements_in_force().filter(agency=galveston).exists()
    assert ImmigrationAgreement.objects.filter(ended_on__isnull=False).count() == 3
    history = ChangeRecord.objects.filter(
        subject_type="agencies.immigrationagreement", action="changed"
    )
    assert history.count() == 3
    assert {record.actor for record in history} == {administrator}
    assert all(record.changes["ended_on"] == [None, str(today)] for record in history)
    # The period is kept: in force the day before it ended.
    yesterday = date.fromordinal(today.toordinal() - 1)
    assert agreements_in_force(on=yesterday).filter(agency=galveston).count() == 3

    # Listed again later: a new agreement, the ended one stays as it was.
    run_import(SHIPPED)
    assert galveston.immigration_agreements.count() == 6
    assert agreements_in_force().filter(agency=galveston).count() == 3


def test_a_csv_with_the_same_columns_imports_the_same(galveston, tmp_path):
    run_import(SHIPPED)
    before = directory_state()

    # Saved from Excel: dates as text, a byte-order mark, the columns in another order.
    rows = [row[1:2] + row[0:1] + row[2:8] for row in shipped_rows()]
    columns = [COLUMNS[1], COLUMNS[0], *COLUMNS[2:]]
    path = write_csv(tmp_path / "ice.csv", rows, columns)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    assert run_import(path) == (3, 1311, 0, 1314)
    assert directory_state() == before


def test_a_file_missing_a_column_is_refused_and_nothing_is_written(tmp_path):
    columns = [name for name in COLUMNS if name != "SUPPORT TYPE"]
    path = write_csv(tmp_path / "no_model.csv", [["TEXAS", "Alice Police Department",
                                                 "Municipality", "Jim Wells County",
                                                 "1/2/2025", "link", ""]], columns)  # fmt: skip

    with pytest.raises(CommandError, match=r"lacks ICE's column\(s\) SUPPORT TYPE"):
        call_command("import_287g", str(path), "--actor", importer())
    assert not AgreementImport.objects.exists()
    assert not ImmigrationAgreement.objects.exists()


def test_formula_text_is_kept_as_data_and_exported_as_text(client, auditor, tmp_path):
    evil = '=HYPERLINK("http://evil.example/x","Click")'
    path = write_csv(tmp_path / "evil.csv", [
        ["TEXAS", evil, "Municipality", "Bexar County", "Task Force Model", "1/2/2025", "", ""],
    ])  # fmt: skip
    run_import(path)

    agreement = ImmigrationAgreement.objects.get()
    assert agreement.agency_name == evil
    client.force_login(auditor)
    page = client.get(f"/state/agencies/{agreement.agency_id}/").content.decode()
    assert "=HYPERLINK(&quot;http://evil.example/x&quot;" in page
    export = client.get("/state/agencies/?immigration_partner=true&export=csv")
    assert "'" + evil.replace('"', '""') in export.content.decode()


def test_a_workbook_formula_cell_is_read_as_its_value_never_as_a_formula(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append(["TEXAS", '=HYPERLINK("http://evil.example/x","Click")', "Municipality",
                  "Bexar County", "Task Force Model", date(2025, 1, 2), "link", ""])  # fmt: skip
    sheet.append(["TEXAS", "Balcones Heights Police Department", "Municipality",
                  "Bexar County", "Task Force Model", date(2025, 1, 2), "link", ""])  # fmt: skip
    workbook.save(tmp_path / "formula.xlsx")

    imported = registry_import(path=tmp_path / "formula.xlsx")

    # No value was ever computed for the formula: the row has no agency and is left out.
    assert [a.agency_name for a in ImmigrationAgreement.objects.all()] == [
        "Balcones Heights Police Department"
    ]
    assert imported.problems == ["Row 2: no agency name, left out."]


def test_a_file_over_the_size_limit_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(registry_file, "MAX_FILE_BYTES", 100_000)
    with pytest.raises(CommandError, match="over 100,000 bytes, the limit for ICE's list"):
        call_command("import_287g", str(SHIPPED), "--actor", importer())
    assert not AgreementImport.objects.exists()


def test_a_file_of_far_more_rows_than_ices_list_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(registry_file, "MAX_ROWS", 100)
    path = write_csv(tmp_path / "long.csv", [
        ["TEXAS", f"Town {n} Police Department", "Municipality", "Bexar County",
         "Task Force Model", "1/2/2025", "", ""] for n in range(101)
    ])  # fmt: skip
    with pytest.raises(CommandError, match="more than 100 rows"):
        call_command("import_287g", str(path), "--actor", importer())
    assert not ImmigrationAgreement.objects.exists()


def test_a_workbook_that_would_unpack_to_far_more_than_it_weighs_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    with pytest.raises(CommandError, match="refused as unsafe"):
        call_command("import_287g", str(path), "--actor", importer())


def test_a_windows_1252_csv_is_read_and_a_binary_file_refused(tmp_path):
    header = ",".join(COLUMNS) + "\r\n"
    row = (
        "TEXAS,Galveston County Sheriff\u2019s Office,County,Galveston County,"
        "Task Force Model,7/23/2025,link,\r\n"
    )
    (tmp_path / "ansi.csv").write_bytes((header + row).encode("cp1252"))
    registry_import(path=tmp_path / "ansi.csv")
    assert (
        ImmigrationAgreement.objects.get().agency_name == "Galveston County Sheriff\u2019s Office"
    )

    (tmp_path / "binary.csv").write_bytes(b"STATE,\x00\x01\x02" * 100)
    with pytest.raises(CommandError, match="binary data"):
        call_command("import_287g", str(tmp_path / "binary.csv"), "--actor", importer())


def test_an_agreement_is_in_force_from_its_signing(tmp_path):
    path = write_csv(tmp_path / "one.csv", [
        ["TEXAS", "Arp Police Department", "Municipality", "Smith County", "Task Force Model",
         "2025-09-22", "link", ""],
    ])  # fmt: skip
    run_import(path)

    assert not agreements_in_force(on=date(2025, 9, 21)).exists()
    assert agreements_in_force(on=date(2025, 9, 22)).get().signed_on == date(2025, 9, 22)


def test_the_actor_is_required(tmp_path):
    with pytest.raises(CommandError, match="--actor is required"):
        call_command("import_287g", str(SHIPPED))
    assert not AgreementImport.objects.exists()


def test_the_actor_must_be_an_administrator(auditor):
    with pytest.raises(CommandError, match="not an administrator"):
        call_command("import_287g", str(SHIPPED), "--actor", auditor.username)
    assert not AgreementImport.objects.exists()


def test_a_workbook_that_would_unpack_to_over_100_mb_is_refused_whatever_its_ratio(tmp_path):
    """1.2 MB that unpacks to 101 MB: under the ratio, over the list's own limit."""
    path = tmp_path / "large.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/media/image1.bin", random.randbytes(1_100_000))
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 100 * 1024**2)
    assert path.stat().st_size * registry_file.MAX_ZIP_RATIO > 101 * 1024**2
    with pytest.raises(CommandError, match="refused as unsafe"):
        call_command("import_287g", str(path), "--actor", importer())
    assert not AgreementImport.objects.exists()


def test_blank_rows_count_towards_the_row_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(registry_file, "MAX_ROWS", 100)
    path = write_csv(tmp_path / "blank.csv", [
        ["TEXAS", "Arp Police Department", "Municipality", "Smith County", "Task Force Model",
         "1/2/2025", "", ""],
        *([""] * 8 for _ in range(150)),
    ])  # fmt: skip
    with pytest.raises(CommandError, match=r"more than 100 rows \(blank ones counted\)"):
        call_command("import_287g", str(path), "--actor", importer())
    assert not ImmigrationAgreement.objects.exists()


def test_the_import_keeps_the_sha256_of_the_file_it_read(tmp_path):
    path = write_csv(tmp_path / "one.csv", [ARP])
    run_import(path)
    assert AgreementImport.objects.get().sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_us_virgin_islands_are_read_as_written_by_ice(tmp_path):
    assert registry_file.state_code("U.S. VIRGIN ISLANDS") == "VI"
    path = write_csv(tmp_path / "vi.csv", [
        ["U.S. VIRGIN ISLANDS", "Virgin Islands Police Department", "State Agency", "",
         "Task Force Model", "1/2/2025", "", ""],
    ])  # fmt: skip
    imported = registry_import(path=path)
    assert imported.problems == []
    assert ImmigrationAgreement.objects.get().state == "VI"


# --- a later list: renamed agencies, repeated names ---------------------------------------

DOGULAS = ["NEBRASKA", "Dogulas County Sheriff's Office", "County", "Douglas County",
           "Jail Enforcement Model", date(2025, 4, 1), "link", ""]  # fmt: skip
ARP = ["TEXAS", "Arp Police Department", "Municipality", "Smith County", "Task Force Model",
       date(2025, 9, 22), "link", ""]  # fmt: skip


def test_an_agency_ice_renames_keeps_its_agreement_with_the_change_in_its_history(
    administrator, tmp_path
):
    run_import(write_csv(tmp_path / "first.csv", [DOGULAS, ARP]))
    agreement = ImmigrationAgreement.objects.get(agency_name__startswith="Dogulas")
    douglas = [DOGULAS[0], "Douglas County Sheriff's Office", *DOGULAS[2:]]

    counts = run_import(
        write_csv(tmp_path / "second.csv", [douglas, ARP]), "--actor", administrator.username
    )

    assert counts[2:] == (0, 1)  # nothing ended, Arp unchanged
    second = AgreementImport.objects.first()
    assert (second.added, second.changed, second.ended) == (0, 1, 0)
    agreement.refresh_from_db()
    assert agreement.ended_on is None
    assert agreement.agency_name == "Douglas County Sheriff's Office"
    assert ImmigrationAgreement.objects.count() == 2
    history = ChangeRecord.objects.get(
        subject_type="agencies.immigrationagreement", subject_id=agreement.pk, action="changed"
    )
    assert history.actor == administrator
    assert history.changes["agency_name"] == [
        "Dogulas County Sheriff's Office", "Douglas County Sheriff's Office"
    ]  # fmt: skip
    assert "ended_on" not in history.changes
    # The next list matches it under its new name.
    assert run_import(write_csv(tmp_path / "third.csv", [douglas, ARP]))[2:] == (0, 2)


def test_renamed_agencies_that_cannot_be_told_apart_end_and_are_added(tmp_path):
    """Two agreements of one county, type, model and date renamed at once: no pairing is
    sure, so each old one ends and each new one is added."""
    sarpy = ["NEBRASKA", "Srapy County Sheriff's Office", *DOGULAS[2:]]
    sarpy[3] = "Douglas County"
    run_import(write_csv(tmp_path / "first.csv", [DOGULAS, sarpy]))
    renamed = [[row[0], row[1].replace("Dogulas", "Douglas").replace("Srapy", "Sarpy"),
                *row[2:]] for row in (DOGULAS, sarpy)]  # fmt: skip

    assert run_import(write_csv(tmp_path / "second.csv", renamed))[2] == 2
    assert ImmigrationAgreement.objects.filter(ended_on__isnull=True).count() == 2
    assert set(
        ImmigrationAgreement.objects.filter(ended_on__isnull=True)
        .values_list("agency_name", flat=True)
    ) == {"Douglas County Sheriff's Office", "Sarpy County Sheriff's Office"}  # fmt: skip


def test_an_agreement_kept_under_a_key_without_its_county_is_not_ended(tmp_path):
    """Kept before a municipality's key named its county: the next list renames it."""
    run_import(write_csv(tmp_path / "first.csv", [ARP]))
    agreement = ImmigrationAgreement.objects.get()
    ImmigrationAgreement.objects.update(key="TX|arp police department|task_force")

    assert run_import(write_csv(tmp_path / "second.csv", [ARP]))[2] == 0

    agreement.refresh_from_db()
    assert agreement.ended_on is None
    assert agreement.key == "TX|arp police department|smith county|task_force"
    assert ImmigrationAgreement.objects.count() == 1


def test_townships_of_one_name_in_different_counties_are_different_agencies(tmp_path):
    """Pennsylvania lists a Union Township police in two counties; the directory's
    confirmed "Union Township PD" is neither of them until an administrator says so."""
    confirmed = Agency.objects.create(
        name="Union Township PA PD", normalized_name="union township police department",
        state="PA", level=Agency.Level.LOCAL, is_confirmed=True,
    )  # fmt: skip
    union = ["PENNSYLVANIA", "Union Township Police Department", "Municipality",
             "Lawrence County", "Task Force Model", date(2025, 5, 1), "link", ""]  # fmt: skip
    washington = [*union[:3], "Washington County", *union[4:]]
    repeat = [*union[:1], "Union Township Police Dept.", *union[2:]]
    path = write_csv(tmp_path / "pa.csv", [union, washington, repeat])
    out = io.StringIO()
    errors = io.StringIO()

    call_command("import_287g", str(path), "--actor", importer(), stdout=out, stderr=errors)

    agreements = ImmigrationAgreement.objects.filter(state="PA")
    assert set(agreements.values_list("county", flat=True)) == {
        "Lawrence County", "Washington County"
    }  # fmt: skip
    agencies = set(agreements.values_list("agency", flat=True))
    assert len(agencies) == 2 and confirmed.pk not in agencies
    # The repeat is said, and counted: rows = matched + queued + left out.
    assert errors.getvalue().strip() == (
        "Row 4: the same agreement as row 2 (Union Township Police Dept., Lawrence County, "
        "Task Force Model), left out."
    )
    assert "3 rows: 0 matched, 2 queued, 1 left out as repeats;" in out.getvalue()


def test_a_merge_moves_an_agencys_agreements_with_history(administrator, tmp_path):
    confirmed = Agency.objects.create(
        name="Arp City Marshal", normalized_name="arp city marshal", state="TX",
        level=Agency.Level.LOCAL, is_confirmed=True,
    )  # fmt: skip
    run_import(write_csv(tmp_path / "one.csv", [ARP]))
    agreement = ImmigrationAgreement.objects.get()
    queued = agreement.agency
    assert queued != confirmed
    queued_label = f"{queued.name} (#{queued.pk})"

    agency_merge(source=queued, target=confirmed, actor=administrator)

    agreement.refresh_from_db()
    assert agreement.agency == confirmed
    history = ChangeRecord.objects.get(
        subject_type="agencies.immigrationagreement", subject_id=agreement.pk, action="changed"
    )
    assert history.changes["agency"] == [queued_label, f"Arp City Marshal (#{confirmed.pk})"]
    assert (history.actor, history.reason) == (administrator, "Merged in agency review.")


# --- pages ----------------------------------------------------------------------------


def test_the_agency_page_shows_the_287g_badge_with_models_and_dates(client, auditor, galveston):
    other = Agency.objects.create(name="Riverbend IL PD", state="IL", is_confirmed=True)
    run_import(SHIPPED)
    client.force_login(auditor)

    page = client.get(f"/state/agencies/{galveston.pk}/").content.decode()
    assert 'href="#agreements-heading"' in page and ">287(g)</a>" in page
    for shown in ("Jail enforcement", "Jun 8, 2020", "Warrant service officer", "Mar 26, 2025",
                  "Task force", "Jul 23, 2025"):  # fmt: skip
        assert shown in page
    assert ">287(g)</a>" not in client.get(f"/state/agencies/{other.pk}/").content.decode()


def test_the_agency_list_filters_on_287g_agreements(client, auditor, galveston):
    other = Agency.objects.create(name="Riverbend IL PD", state="IL", is_confirmed=True)
    run_import(SHIPPED)
    client.force_login(auditor)

    partners = client.get("/state/agencies/?immigration_partner=true&q=Galveston").content
    assert f'href="/state/agencies/{galveston.pk}/"'.encode() in partners
    assert b"Jail enforcement, Task force, Warrant service officer" in partners
    others = client.get("/state/agencies/?immigration_partner=false&q=Riverbend").content
    assert f'href="/state/agencies/{other.pk}/"'.encode() in others
    assert (
        f'href="/state/agencies/{galveston.pk}/"'.encode()
        not in client.get("/state/agencies/?immigration_partner=false&q=Galveston").content
    )


def test_the_statewide_findings_filter_on_287g_partners(client, auditor, galveston,
                                                        municipality_a):  # fmt: skip
    other = Agency.objects.create(name="Riverbend IL PD", state="IL", is_confirmed=True)
    run_import(SHIPPED)
    now = timezone.now()
    with municipality_scope(municipality_a):
        for agency in (galveston, other):
            Finding.objects.create(
                municipality=municipality_a, rule_code="OUT_OF_STATE_NO_DECLARATION",
                subject_key=f"grant:{agency.pk}", subject_label=agency.name, agency=agency,
                severity="high", summary=f"Shares with {agency.name}.",
                first_seen_at=now, last_seen_at=now,
            )  # fmt: skip
    client.force_login(auditor)

    page = client.get("/state/findings/?immigration_partner=true").content.decode()
    assert "Shares with Galveston County TX SO." in page
    assert "Shares with Riverbend IL PD." not in page


def test_the_review_queue_says_an_agency_comes_from_ices_list(client, administrator, tmp_path):
    path = write_csv(tmp_path / "one.csv", [
        ["ALABAMA", "Camp Hill Police Department", "Municipality", "Tallapoosa County",
         "Task Force Model", "12/8/2025", "link", ""],
    ])  # fmt: skip
    run_import(path)
    client.force_login(administrator)

    page = client.get("/state/administration/agencies/review/").content.decode()
    assert "Camp Hill Police Department" in page
    assert "in ICE's 287(g) list (Task Force Model, Tallapoosa County)" in page


def test_the_demo_data_imports_the_shipped_list_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    first, second = AgreementImport.objects.order_by("pk")
    assert (first.file_name, first.rows, first.added) == (SHIPPED.name, 1314, 1314)
    # The demo's administrator imports it: the agreements' history names who did.
    assert first.imported_by.username == second.imported_by.username == "administrator"
    assert (second.added, second.ended, second.unchanged) == (0, 0, 1314)
    assert ImmigrationAgreement.objects.filter(ended_on__isnull=True).count() == 1314
