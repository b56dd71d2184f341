"""What a first walk through the portal tripped on: Django's debug pages under `make run`,
no favicon, raw activity codes, unrelated changes on the Rules page, tables cut off on
a laptop screen, and times without a zone in pages, downloads and commands."""

import ast
import csv
import importlib
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.http import HttpResponse
from django.template import loader
from django.test import RequestFactory, override_settings
from django.utils import timezone
from openpyxl import load_workbook
from whitenoise.middleware import WhiteNoiseMiddleware

from apps.audits.engagements import engagement_advance, engagement_create
from apps.audits.models import EvaluationRun, Finding
from apps.audits.services import TRANSITIONS
from apps.compliance.models import Rule
from apps.compliance.services import rule_save
from apps.core import activity
from apps.municipalities.scoping import municipality_scope

APPS = Path(settings.BASE_DIR) / "apps"
# ISO 8601 with the offset: 2025-09-23T14:05:00-05:00 (fractions of a second allowed).
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def local_settings(monkeypatch, **environment):
    """config/settings/local.py as `make run` reads it, with these variables set."""
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    module = importlib.import_module("config.settings.local")
    return importlib.reload(module)


# --- friendly error pages under `make run` ----------------------------------------------


@pytest.mark.django_db
def test_a_missing_page_under_make_run_is_the_portals_404_not_djangos(client, monkeypatch):
    local = local_settings(monkeypatch)

    with override_settings(DEBUG=local.DEBUG):
        response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and 'href="/"' in page
    assert "Using the URLconf" not in page and "DEBUG = True" not in page


def test_debug_pages_stay_an_opt_in_for_developers(monkeypatch):
    assert local_settings(monkeypatch, DJANGO_DEBUG="true").DEBUG is True


def test_make_run_serves_static_files_with_debug_off(monkeypatch, tmp_path):
    local = local_settings(monkeypatch)
    # No collected files: what is served comes from static/ itself.
    with override_settings(
        DEBUG=local.DEBUG,
        STATIC_ROOT=tmp_path,
        WHITENOISE_USE_FINDERS=local.WHITENOISE_USE_FINDERS,
        WHITENOISE_AUTOREFRESH=local.WHITENOISE_AUTOREFRESH,
    ):
        middleware = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
        response = middleware(RequestFactory().get("/static/css/portal.css"))

    assert local.DEBUG is False
    assert response.status_code == 200
    assert b"table-scroll" in b"".join(response.streaming_content)


def test_the_500_page_renders_without_a_request_or_the_database():
    # No django_db mark: a query here would fail the test.
    page = loader.get_template("500.html").render()

    assert "Something went wrong" in page
    assert 'href="/"' in page and "/static/css/portal.css" in page


# --- favicon ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_link_the_favicon_and_favicon_ico_leads_to_it(client, auditor):
    client.force_login(auditor)
    page = client.get("/state/activity/").content.decode()
    client.logout()
    ico = client.get("/favicon.ico")

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert ico.status_code == 302 and ico["Location"] == "/static/favicon.svg"
    svg = ET.parse(Path(settings.BASE_DIR) / "static" / "favicon.svg").getroot()  # noqa: S314
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"


# --- activity labels ----------------------------------------------------------------------


# Variables whose model neither an annotation nor a loop over a query says.
MODEL_OF = {"agreement": "immigrationagreement"}


def _model_name(variable: str, function: ast.FunctionDef, path: Path) -> str:
    """The model name of `variable` in `function`: its annotation, else its own name."""
    if variable in MODEL_OF:
        return MODEL_OF[variable]
    arguments = function.args.args + function.args.kwonlyargs
    for argument in arguments:
        if argument.arg == variable and isinstance(argument.annotation, ast.Name):
            return argument.annotation.id.lower()
    names = {model._meta.model_name for model in django_apps.get_models()}
    # What a name was assigned in the function (entries = list(BlocklistEntry.objects…)).
    assigned = {
        node.targets[0].id: node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    for loop in ast.walk(function):  # for entry in BlocklistEntry.objects.filter(…)
        if isinstance(loop, ast.For) and getattr(loop.target, "id", None) == variable:
            source = loop.iter
            if isinstance(source, ast.Name) and source.id in assigned:
                source = assigned[source.id]
            if isinstance(source, ast.Call) and getattr(source.func, "id", None) == "list":
                source = source.args[0]
            model = ast.unparse(source).split(".", 1)[0].lower()
            if model in names:
                return model
    assert variable in names, f"{path}: say which model `{variable}` is in this test"
    return variable


def _strings(node: ast.AST, function: ast.FunctionDef) -> set[str]:
    """Every string an expression can give: constants, both arms of an `if`, and the
    values a local name is assigned."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body, function) | _strings(node.orelse, function)
    if isinstance(node, ast.Name):
        values = set()
        for statement in ast.walk(function):
            if isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == node.id
                for target in statement.targets
            ):
                values |= _strings(statement.value, function)
        return values
    return set()


# The codes made from a variable: its values, as the service checks them.
DYNAMIC_CODES = {"finding.{action}": {f"finding.{action}" for action in TRANSITIONS}}


def recorded_action_codes() -> set[str]:
    """Every action code apps/ can record: literal `record("…")` calls, the f-strings
    in DYNAMIC_CODES, and `change_record(instance=…, action=…)` and
    `model_update(instance=…, action=…)` (by default "changed") as model.action."""
    codes: set[str] = set()
    for path in sorted(APPS.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                name = getattr(call.func, "attr", getattr(call.func, "id", None))
                keywords = {keyword.arg: keyword.value for keyword in call.keywords}
                if name == "record_download":
                    codes.add("download")
                elif name in ("change_record", "model_update") and "instance" in keywords:
                    instance = keywords["instance"]
                    assert isinstance(instance, ast.Name), f"{path}:{call.lineno}"
                    model = _model_name(instance.id, function, path)
                    action = keywords.get("action", ast.Constant("changed"))
                    actions = _strings(action, function)
                    assert actions, f"{path}:{call.lineno}: which actions?"
                    codes |= {f"{model}.{action}" for action in actions}
                elif name == "record" and call.args:
                    code = call.args[0]
                    if path.name == "history.py" and function.name == "history_record":
                        continue  # the codes of change_record's callers, above
                    if isinstance(code, ast.JoinedStr):
                        template = "".join(
                            part.value if isinstance(part, ast.Constant)
                            else "{" + ast.unparse(part.value) + "}"
                            for part in code.values
                        )  # fmt: skip
                        assert template in DYNAMIC_CODES, f"{path}:{call.lineno}: {template}"
                        codes |= DYNAMIC_CODES[template]
                    else:
                        found = _strings(code, function)
                        assert found, f"{path}:{call.lineno}: which action code?"
                        codes |= found
    return codes


def test_every_action_code_recorded_in_apps_has_a_label():
    codes = recorded_action_codes()

    # The reading finds each kind of call (so an empty reading cannot pass).
    assert {"account.signed_in", "download", "finding.dismiss", "blocklistentry.retired",
            "engagement.changed", "user.created", "agency.retired"} <= codes  # fmt: skip
    unlabelled = sorted(codes - set(activity.ACTION_LABELS))
    assert not unlabelled, f"give these a label in apps/core/activity.py: {unlabelled}"


@pytest.mark.django_db
def test_the_activity_page_filter_and_download_use_the_labels(client, auditor):
    activity.record("account.signed_in", subject=auditor, actor=auditor)
    activity.record("export.rejected", subject_label="bad.csv", detail={"message": "x"})
    client.force_login(auditor)

    page = client.get("/state/activity/").content.decode()
    accounts_only = client.get("/state/activity/", {"action": "area:accounts"}).content.decode()
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/state/activity/", {"action": "export.rejected", "export": "csv"}
                ).content.decode("utf-8-sig")
            )
        )
    )

    assert ">Signed in</td>" in page
    assert ">account.signed_in</td>" not in page
    assert '<option value="area:uploads">Anything in uploads</option>' in page
    assert ">Export rejected</td>" not in accounts_only and ">Signed in</td>" in accounts_only
    assert [(row["What"], row["Action code"]) for row in rows] == [
        ("Export rejected", "export.rejected")
    ]


# --- the Rules page's latest changes ------------------------------------------------------


@pytest.mark.django_db
def test_rules_page_latest_changes_leave_out_engagements_and_other_pages_history(
    client, administrator, municipality_a
):
    rule = Rule.objects.get(code="VAGUE_REASON")
    rule.title = "Vague reason, reworded"
    rule_save(rule=rule, actor=administrator, reason="plainer words")
    engagement = engagement_create(
        actor=administrator, auditors=[], title="Alder Park engagement",
        municipality=municipality_a, period_start=datetime(2025, 1, 1).date(),
        period_end=datetime(2025, 12, 31).date(),
    )  # fmt: skip
    engagement_advance(engagement=engagement, actor=administrator)
    client.force_login(administrator)

    page = client.get("/state/administration/rules/").content.decode()
    changes = page.split('id="changes-heading"', 1)[1]

    assert "Vague reason, reworded" in changes and "plainer words" in changes
    assert "Alder Park engagement" not in changes and "fieldwork" not in changes


# --- wide tables --------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_tables_scroll_sideways_in_a_focusable_labelled_region(client, auditor):
    activity.record("account.signed_in", subject=auditor, actor=auditor)
    client.force_login(auditor)

    activity_page = client.get("/state/activity/").content.decode()
    findings_page = client.get("/state/findings/").content.decode()

    region = re.compile(
        r'<div class="table-scroll" role="region" tabindex="0" aria-label="([^"]+)">\s*'
        r"<table"
    )
    assert region.search(activity_page).group(1) == "Activity log entries"
    assert region.search(findings_page).group(1) == "Table"


# --- one time zone, labelled; ISO 8601 with offset in files and commands -----------------


@pytest.mark.django_db
def test_every_page_names_the_time_zone_and_table_times_carry_it(client, auditor):
    activity.record("account.signed_in", subject=auditor, actor=auditor)
    client.force_login(auditor)

    page = client.get("/state/activity/").content.decode()

    assert "All times are in Central Time (America/Chicago)" in page
    assert re.search(r"<td[^>]*>\w{3} \d+, \d{4} \d\d:\d\d:\d\d C[SD]T</td>", page)


@pytest.mark.django_db
def test_a_download_writes_times_in_iso_8601_with_the_offset(client, auditor):
    entry = activity.record("export.rejected", subject_label="bad.csv")
    client.force_login(auditor)

    as_csv = client.get("/state/activity/", {"export": "csv"}).content.decode("utf-8-sig")
    as_xlsx = client.get("/state/activity/", {"export": "xlsx"})

    # Signing in and the downloads are recorded (and listed) too: take the one row.
    csv_when = next(
        row["When"]
        for row in csv.DictReader(io.StringIO(as_csv))
        if row["Action code"] == "export.rejected"
    )
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).worksheets[0]
    header, *rows = list(sheet.values)
    xlsx_when = next(
        row[header.index("When")]
        for row in rows
        if row[header.index("Action code")] == "export.rejected"
    )
    for when in (csv_when, xlsx_when):
        assert ISO_WITH_OFFSET.match(when), when
        assert datetime.fromisoformat(when) == entry.at
        assert when == timezone.localtime(entry.at).isoformat()


@pytest.mark.django_db
def test_a_list_download_writes_a_date_column_as_iso_8601_not_as_the_page_shows_it(
    client, clerk_a, municipality_a
):
    seen = datetime(2025, 7, 4, 3, 30, tzinfo=UTC)  # July 3, 22:30 in Chicago
    with municipality_scope(municipality_a):
        Finding.objects.create(
            municipality=municipality_a, rule_code="VAGUE_REASON", subject_key="r",
            subject_label="r", severity="low", summary="s", evidence={},
            first_seen_at=seen, last_seen_at=seen,
        )  # fmt: skip
    client.force_login(clerk_a)

    response = client.get(f"/m/{municipality_a.slug}/findings/", {"export": "csv"})
    row = next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert row["Last seen"] == "2025-07-03T22:30:00-05:00"


@pytest.mark.django_db
def test_export_findings_prints_times_in_iso_8601_with_the_portals_offset(municipality_a):
    seen = datetime(2024, 1, 16, 19, 2, tzinfo=UTC)
    with municipality_scope(municipality_a):
        Finding.objects.create(
            municipality=municipality_a, rule_code="VAGUE_REASON", subject_key="r",
            subject_label="r", severity="low", summary="s", evidence={},
            first_seen_at=seen, last_seen_at=seen,
        )  # fmt: skip
    as_json, as_csv = io.StringIO(), io.StringIO()

    call_command("export_findings", format="json", stdout=as_json)
    call_command("export_findings", format="csv", stdout=as_csv)

    printed = json.loads(as_json.getvalue())[0]
    row = next(csv.DictReader(io.StringIO(as_csv.getvalue())))
    assert printed["first_seen"] == row["first_seen"] == "2024-01-16T13:02:00-06:00"


def test_an_evaluation_is_named_by_its_local_time_in_the_activity_log():
    run = EvaluationRun(trigger="upload", started_at=datetime(2025, 7, 4, 3, 30, tzinfo=UTC))

    assert str(run) == "upload run at 2025-07-03 22:30 CDT"
