"""Every write to a row with history keeps it: who, and exactly the fields that changed.

The portal keeps the history of people's changes to accounts, agencies, the blocklist,
the rules, the reason terms and audit engagements as ChangeRecord rows, written only
through apps/core/history.py (`model_update`, `change_record`). A write path is a
function in apps/ that calls them; this module drives every one, and reads apps/ for
saves that would go around them.
"""

import ast
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import ACCOUNT_FIELDS, account_save
from apps.agencies.models import Agency, AgencyAlias, ImmigrationAgreement
from apps.agencies.services import (
    agency_confirm,
    agency_merge,
    agency_rename,
    agency_update,
    alias_add,
    alias_remove,
    registry_import,
)
from apps.audits.engagements import (
    engagement_advance,
    engagement_create,
    engagement_link_findings,
)
from apps.audits.models import Engagement, Finding
from apps.compliance.models import BlocklistEntry, ReasonTerm, Rule, RulePack
from apps.compliance.services import (
    BLOCKLIST_FIELDS,
    TERM_FIELDS,
    blocklist_entry_retire,
    blocklist_entry_save,
    reason_term_save,
    rule_pack_save,
    rule_save,
)
from apps.core.models import ActivityEntry, ChangeRecord
from apps.municipalities.scoping import municipality_scope, statewide_scope

from ..audits.factories import AgencyFactory

APPS = Path(settings.BASE_DIR) / "apps"
HISTORY_WRITERS = {"model_update", "change_record", "history_record"}
# Modules whose functions are services: they may save rows with history, and do it
# through HISTORY_WRITERS. engagements.py holds the engagement services (the report's
# code lives beside them); history.py is the recording itself.
SERVICE_MODULES = {"services.py", "engagements.py", "history.py"}


@dataclass(frozen=True)
class Expected:
    """The change a write path must leave in the history of `instance`."""

    instance: object
    action: str
    fields: set[str]


def history_write_paths() -> set[str]:
    """`module:function` of every function in apps/ that writes history."""
    found = set()
    for path in sorted(APPS.rglob("*.py")):
        module = ".".join(path.relative_to(APPS.parent).with_suffix("").parts)
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or function.name in HISTORY_WRITERS:
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                name = getattr(call.func, "id", getattr(call.func, "attr", None))
                if name in HISTORY_WRITERS:
                    found.add(f"{module}:{function.name}")
    return found


# --- the write paths, each driven by a person -------------------------------------------


def an_engagement(auditor, municipality) -> Engagement:
    return engagement_create(
        actor=auditor, auditors=[auditor], title="Alder Park 2025 sharing audit",
        municipality=municipality, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
    )  # fmt: skip


def a_finding(municipality) -> Finding:
    now = timezone.now()
    with municipality_scope(municipality):
        return Finding.objects.create(
            municipality=municipality, rule_code="BLOCKED_AGENCY_GRANT", subject_key="grant:1",
            subject_label="ICE", severity="critical", summary="Shared with ICE.",
            first_seen_at=now, last_seen_at=now,
        )  # fmt: skip


def a_blocklist_entry(agency: Agency, actor: User) -> BlocklistEntry:
    entry = BlocklistEntry(agency=agency, reason="Works for ICE", citation="2-130")
    return blocklist_entry_save(entry=entry, actor=actor)[0]


def drive_account_created(people, municipality, client):
    user = User(username="new.clerk", role=User.Role.MUNICIPAL, is_active=True)
    account_save(user=user, municipalities=[municipality], actor=people.administrator,
                 reason="Hired", password="a-long-first-password-7")  # fmt: skip
    return Expected(user, "created", {*ACCOUNT_FIELDS, "municipalities"})


def drive_account_changed(people, municipality, client):
    user = User.objects.get(pk=people.auditor.pk)
    user.last_name, user.role = "Okafor", User.Role.ADMINISTRATOR
    account_save(user=user, municipalities=[], actor=people.administrator, reason="Promoted")
    return Expected(user, "changed", {"last_name", "role"})


def drive_agency_confirmed(people, municipality, client):
    agency = AgencyFactory(is_confirmed=False)
    agency_confirm(agency=agency, level=Agency.Level.STATE, actor=people.administrator)
    return Expected(agency, "changed", {"is_confirmed", "level"})


def drive_agency_renamed(people, municipality, client):
    agency = AgencyFactory(name="Springfeld PD", state="IL")
    agency_rename(agency=agency, name="Springfield Police Department", actor=people.administrator)
    return Expected(agency, "changed", {"name", "normalized_name", "aliases"})


def drive_agency_updated(people, municipality, client):
    agency = AgencyFactory()
    agency_update(agency=agency, changes={"ori": "IL0160000", "level": Agency.Level.STATE},
                  actor=people.administrator, reason="From the ORI list")  # fmt: skip
    return Expected(agency, "changed", {"ori", "level"})


def drive_alias_added(people, municipality, client):
    agency = AgencyFactory()
    alias_add(agency=agency, alias="Sprngfld PD", user=people.administrator, reason="Typo")
    return Expected(agency, "changed", {"aliases"})


def drive_alias_removed(people, municipality, client):
    agency = AgencyFactory()
    alias = AgencyAlias.objects.create(agency=agency, alias="Sprngfld PD", normalized="sprngfld")
    alias_remove(alias=alias, actor=people.administrator, reason="Another agency's")
    return Expected(agency, "changed", {"aliases"})


def drive_immigration_agreement_ended(people, municipality, client):
    """ICE's next 287(g) list no longer holds an agreement: it ends with that import."""
    header = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED\n"
    alice = (
        "TEXAS,Alice Police Department,Municipality,Jim Wells County,Task Force Model,1/2/2025\n"
    )
    arp = "TEXAS,Arp Police Department,Municipality,Smith County,Task Force Model,1/2/2025\n"
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "first.csv", Path(folder) / "second.csv"
        first.write_text(header + alice + arp)
        second.write_text(header + arp)
        registry_import(path=first, actor=people.administrator)
        registry_import(path=second, actor=people.administrator)
    agreement = ImmigrationAgreement.objects.get(agency_name="Alice Police Department")
    return Expected(agreement, "changed", {"ended_on", "ended_by"})


def drive_agency_merged(people, municipality, client):
    target = AgencyFactory(name="Springfield Police Department")
    source = AgencyFactory(name="Springfield PD (duplicate)", ori="IL0160100", tags=["pd"])
    AgencyAlias.objects.create(agency=source, alias="Sprngfld PD", normalized="sprngfld pd")
    child = AgencyFactory(name="Springfield PD Unit 4", parent=source)
    source_pk = source.pk
    entry = a_blocklist_entry(source, people.administrator)
    with statewide_scope():
        agency_merge(source=source, target=target, actor=people.administrator)
    source.pk = source_pk  # gone, but its history stays under its id
    assert_kept(Expected(source, "retired", {"ori", "merged into"}), people.administrator)
    assert_kept(Expected(child, "changed", {"parent"}), people.administrator)
    assert_kept(Expected(entry, "changed", {"agency"}), people.administrator)
    return Expected(target, "changed", {"ori", "tags", "merged in", "aliases"})


def drive_blocklist_entry_created(people, municipality, client):
    entry, _ = blocklist_entry_save(
        entry=BlocklistEntry(agency=AgencyFactory(), reason="Holds detained persons for ICE",
                             citation="625 ILCS 5/2-130(b)(2)"),
        actor=people.administrator, reason="Contract came to light",
    )  # fmt: skip
    return Expected(entry, "created", set(BLOCKLIST_FIELDS))


def drive_blocklist_entry_changed(people, municipality, client):
    entry = a_blocklist_entry(AgencyFactory(), people.administrator)
    entry = BlocklistEntry.objects.get(pk=entry.pk)
    entry.citation = "625 ILCS 5/2-130(b)(2)"  # was "2-130"
    blocklist_entry_save(entry=entry, actor=people.administrator, reason="Cite the law")
    return Expected(entry, "changed", {"citation"})


def drive_blocklist_entry_retired(people, municipality, client):
    entry = a_blocklist_entry(AgencyFactory(), people.administrator)
    blocklist_entry_retire(entry=entry, actor=people.administrator, reason="Contract ended")
    return Expected(entry, "retired", {"is_active", "retired_at"})


def drive_rule_changed(people, municipality, client):
    rule = Rule.objects.get(code="BULK_ACCEPTANCE")
    rule.severity = "low" if rule.severity != "low" else "high"
    rule_save(rule=rule, actor=people.administrator, reason="Less severe")
    return Expected(rule, "changed", {"severity"})


def drive_rule_pack_changed(people, municipality, client):
    pack = RulePack.objects.get(state="CA")
    pack.basis += " Read with Civ. Code 1798.90.51."
    rule_pack_save(pack=pack, actor=people.administrator, reason="The related section")
    return Expected(pack, "changed", {"basis"})


def drive_reason_term_created(people, municipality, client):
    term = ReasonTerm(label=ReasonTerm.Label.IMMIGRATION, phrase="deportation hold")
    reason_term_save(term=term, actor=people.administrator, reason="Seen in searches")
    return Expected(term, "created", set(TERM_FIELDS))


def drive_reason_term_changed(people, municipality, client):
    term = ReasonTerm.objects.create(label=ReasonTerm.Label.IMMIGRATION, phrase="ero hold")
    term.note = "Enforcement and Removal Operations"
    reason_term_save(term=term, actor=people.administrator, reason="Explain it")
    return Expected(term, "changed", {"note"})


def drive_engagement_created(people, municipality, client):
    engagement = an_engagement(people.auditor, municipality)
    return Expected(engagement, "created", {"title", "status", "period_start", "period_end"})


def drive_engagement_advanced(people, municipality, client):
    engagement = an_engagement(people.auditor, municipality)
    engagement_advance(engagement=engagement, actor=people.auditor)
    return Expected(engagement, "changed", {"status"})


def drive_engagement_findings_linked(people, municipality, client):
    engagement = an_engagement(people.auditor, municipality)
    with statewide_scope():
        engagement_link_findings(engagement=engagement, findings=[a_finding(municipality)],
                                 actor=people.auditor)  # fmt: skip
    return Expected(engagement, "changed", {"findings"})


def drive_engagement_concluded(people, municipality, client):
    """Through the engagement page, as people write it: a view that saved the form itself
    would leave no history."""
    engagement = an_engagement(people.auditor, municipality)
    client.force_login(people.auditor)
    concluded = {"action": "conclusion", "conclusion": "Federal access removed."}
    response = client.post(f"/state/engagements/{engagement.pk}/", concluded)
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.conclusion == "Federal access removed."
    return Expected(engagement, "changed", {"conclusion"})


DRIVERS = {
    "apps.accounts.services:account_save": [drive_account_created, drive_account_changed],
    "apps.agencies.services:agency_confirm": [drive_agency_confirmed],
    "apps.agencies.services:agency_rename": [drive_agency_renamed],
    "apps.agencies.services:agency_update": [drive_agency_updated],
    "apps.agencies.services:alias_add": [drive_alias_added],
    "apps.agencies.services:alias_remove": [drive_alias_removed],
    "apps.agencies.services:agency_merge": [drive_agency_merged],
    "apps.agencies.services:registry_import": [drive_immigration_agreement_ended],
    "apps.compliance.services:blocklist_entry_save": [
        drive_blocklist_entry_created, drive_blocklist_entry_changed,
        drive_blocklist_entry_retired,
    ],
    "apps.compliance.services:rule_save": [drive_rule_changed],
    "apps.compliance.services:rule_pack_save": [drive_rule_pack_changed],
    "apps.compliance.services:reason_term_save": [
        drive_reason_term_created, drive_reason_term_changed,
    ],
    "apps.audits.engagements:engagement_create": [drive_engagement_created],
    "apps.audits.engagements:engagement_advance": [drive_engagement_advanced],
    "apps.audits.engagements:engagement_link_findings": [drive_engagement_findings_linked],
    "apps.audits.engagements:engagement_conclude": [drive_engagement_concluded],
}  # fmt: skip
HISTORY_MODELS = {
    User,
    Agency,
    BlocklistEntry,
    Rule,
    RulePack,
    ReasonTerm,
    Engagement,
    ImmigrationAgreement,
}


def assert_kept(expected: Expected, actor: User) -> None:
    instance = expected.instance
    record = ChangeRecord.objects.filter(
        subject_type=instance._meta.label_lower, subject_id=instance.pk
    ).first()
    assert record is not None, f"no history for {instance!r}"
    assert (record.action, record.actor) == (expected.action, actor)
    assert set(record.changes) == expected.fields
    for field, (old, new) in record.changes.items():
        assert old != new, field
    entry = ActivityEntry.objects.filter(
        subject_type=instance._meta.label_lower, subject_id=str(instance.pk)
    ).first()
    assert entry is not None and entry.actor == actor
    assert entry.action == f"{instance._meta.model_name}.{expected.action}"
    assert entry.detail["changes"] == record.changes


@pytest.fixture
def people(auditor, administrator):
    @dataclass
    class People:
        auditor: User
        administrator: User

    return People(auditor, administrator)


def test_every_write_path_that_keeps_history_is_driven_here():
    found = history_write_paths()

    # The reading finds the services (so an empty reading cannot pass).
    assert {
        "apps.audits.engagements:engagement_conclude",
        "apps.accounts.services:account_save",
    } <= found
    assert found == set(DRIVERS), "drive each new write path in DRIVERS"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "drive", [drive for drives in DRIVERS.values() for drive in drives], ids=lambda d: d.__name__
)
def test_each_write_path_keeps_who_and_exactly_the_fields_that_changed(
    drive, people, municipality_a, client
):
    expected = drive(people, municipality_a, client)

    actor = people.auditor if isinstance(expected.instance, Engagement) else people.administrator
    assert_kept(expected, actor)


@pytest.mark.django_db
def test_the_drivers_walk_every_model_with_history(people, municipality_a, client):
    for drives in DRIVERS.values():
        for drive in drives:
            drive(people, municipality_a, client)

    kept = set(ChangeRecord.objects.values_list("subject_type", flat=True))
    assert kept == {model._meta.label_lower for model in HISTORY_MODELS}


@pytest.mark.django_db
def test_a_change_that_changes_nothing_keeps_no_history(administrator):
    rule = Rule.objects.get(code="BULK_ACCEPTANCE")

    rule_save(rule=rule, actor=administrator, reason="Saved again unchanged")

    assert not ChangeRecord.objects.filter(subject_type="compliance.rule").exists()


@pytest.mark.django_db
def test_model_update_keeps_the_updated_at_that_caches_read(administrator):
    rule = Rule.objects.get(code="BULK_ACCEPTANCE")
    before = rule.updated_at
    rule.title = "Bulk acceptance of sharing requests"

    rule_save(rule=rule, actor=administrator, reason="Clearer title")

    assert Rule.objects.get(pk=rule.pk).updated_at > before


# --- nothing goes around the services ---------------------------------------------------

# Saves outside the services, each of a row without history (file name, what is saved):
# a new one here means a look at whether it writes a row with history.
SAVES_WITHOUT_HISTORY = {
    ("loading.py", "export"),  # a VendorExport's load status and counts
    ("loading.py", "grant"),  # a SharingGrant: its history is its SharingChange rows
    ("loading.py", "writes"),  # the load's batch of grant writes (COPY), not a model
    ("two_factor.py", "device"),  # a TOTPDevice (set-up and removal are in the activity log)
    ("two_factor.py", "image"),  # a QR code picture
    ("models.py", "code"),  # a backup code marked used
    ("activity.py", "entry"),  # the activity log itself
    ("seed_demo.py", "user"),  # the demo accounts' password, on a demo database
    ("format_guide.py", "workbook"),  # openpyxl workbooks written to a download
    ("spreadsheets.py", "workbook"),
}
# Query writes on models with history outside the services (file name, model).
QUERY_WRITES_WITHOUT_HISTORY = {
    # Agencies first met in an upload are created and tagged by the load itself, before
    # anyone reviews them; the review (agency_confirm) is kept in their history.
    ("resolution.py", "Agency"),
    # Demo accounts on a demo database.
    ("seed_demo.py", "User"),
}
QUERY_WRITES = {"create", "bulk_create", "update", "bulk_update", "delete",
                "get_or_create", "update_or_create"}  # fmt: skip


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def writes_around_the_services() -> list[str]:
    history_models = {model.__name__ for model in HISTORY_MODELS} | {"ChangeRecord"}
    found = []
    for path in sorted(APPS.rglob("*.py")):
        if path.name in SERVICE_MODULES or "migrations" in path.parts:
            continue
        for call in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            method, receiver = call.func.attr, call.func.value
            where = f"{path.relative_to(APPS.parent)}:{call.lineno}: {ast.unparse(call)}"
            # A row's save() or delete(); a query's delete() is a query write, below.
            if method in ("save", "delete") and not isinstance(receiver, ast.Call):
                # A form's save(commit=False) writes nothing: a service saves the row.
                commit = {k.arg: k.value for k in call.keywords}.get("commit")
                if isinstance(commit, ast.Constant) and commit.value is False:
                    continue
                if (path.name, ast.unparse(receiver)) not in SAVES_WITHOUT_HISTORY:
                    found.append(where)
            elif (
                method in QUERY_WRITES
                and _root_name(receiver) in history_models
                and (path.name, _root_name(receiver)) not in QUERY_WRITES_WITHOUT_HISTORY
            ):
                found.append(where)
    return found


def test_no_module_saves_a_row_with_history_outside_the_services():
    assert writes_around_the_services() == []


def test_the_reading_would_see_a_view_saving_a_form(tmp_path, monkeypatch):
    """The check above reads what it should: a view saving the conclusion form itself,
    and a query update of engagements, are both found."""
    views = tmp_path / "apps" / "audits" / "views.py"
    views.parent.mkdir(parents=True)
    views.write_text(
        "def post(request, form, pk):\n"
        "    form.save()\n"
        "    Engagement.objects.filter(pk=pk).update(conclusion='')\n"
    )
    monkeypatch.setattr(f"{__name__}.APPS", tmp_path / "apps")

    found = writes_around_the_services()

    assert [line.split(": ", 1)[1] for line in found] == [
        "form.save()",
        "Engagement.objects.filter(pk=pk).update(conclusion='')",
    ]


@pytest.mark.django_db
def test_an_issued_reports_conclusion_cannot_change_and_nothing_is_kept(
    client, auditor, municipality_a
):
    engagement = an_engagement(auditor, municipality_a)
    Engagement.objects.filter(pk=engagement.pk).update(status="issued", conclusion="Issued.")
    client.force_login(auditor)

    refused = client.post(
        f"/state/engagements/{engagement.pk}/",
        {"action": "conclusion", "conclusion": "Rewritten after issue."},
        follow=True,
    )

    assert "conclusion cannot change" in refused.content.decode()
    engagement.refresh_from_db()
    assert engagement.conclusion == "Issued."
    assert not ChangeRecord.objects.filter(changes__has_key="conclusion").exists()
