"""The access matrix: every URL pattern, every role, every HTTP method its view accepts,
with real object ids of municipality A and of municipality B.

Each pattern must have an entry in MATRIX saying which area it belongs to; a new view
without one fails `test_every_url_pattern_has_an_entry_in_the_matrix`. The areas:

- public: anybody, signed in or not;
- sign_out: anybody, who lands on the sign-in page;
- signed_in: any signed-in user (their own account pages); anonymous goes to sign-in;
- tenant: `/m/<slug>/…` pages. Under A's slug with A's objects: A's staff and state staff
  get in, B's staff get 404. Under A's slug with B's objects: 404 for everybody, whatever
  the method;
- tenant_evidence: tenant pages that hand out an uploaded original (plates, officers'
  names): as tenant, except that administrators get 403;
- state: auditors and administrators; municipal staff get 403;
- administration: administrators only; auditors and municipal staff get 403;
- superuser: Django's admin, for superusers only; every role here gets 404 (its
  sign-in form, admin_login, answers only the anonymous).
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.vendors.factories import VendorExportFactory

pytestmark = pytest.mark.django_db


# --- objects a URL argument can name -------------------------------------------------


def _export(municipality) -> dict[str, int]:
    from apps.vendors.storage import export_store

    # Content of its own each time: a municipality's second upload of a file is refused.
    content = f"Name,Org Name\n{uuid.uuid4().hex},Matrix PD\n".encode()
    sha256, size, _ = export_store([content], max_bytes=1024)
    export = VendorExportFactory(municipality=municipality, sha256=sha256, size=size)
    return {"export_id": export.pk}


def _finding(municipality) -> int:
    from apps.audits.models import Finding

    now = timezone.now()
    return Finding.objects.with_scopes_disabled().create(
        municipality=municipality, rule_code="VAGUE_REASON", subject_key=f"agency:{uuid.uuid4()}",
        subject_label="Test agency", severity="low", summary="test", evidence={"files": []},
        first_seen_at=now, last_seen_at=now,
    ).pk  # fmt: skip


def _finding_event(municipality) -> dict[str, int]:
    from django.core.files.base import ContentFile

    from apps.audits.models import FindingEvent

    finding_id = _finding(municipality)
    event = FindingEvent(municipality=municipality, finding_id=finding_id, to_status="open")
    event.attachment.save("answer.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    FindingEvent.objects.with_scopes_disabled().bulk_create([event])
    event = FindingEvent.objects.with_scopes_disabled().filter(finding_id=finding_id).get()
    return {"finding_id": finding_id, "event_id": event.pk}


def _declaration(municipality) -> int:
    from django.core.files.base import ContentFile

    from apps.agencies.models import Agency
    from apps.sharing.models import Declaration

    declaration = Declaration(
        municipality=municipality,
        agency=Agency.objects.create(name=f"Declared {uuid.uuid4().hex[:6]}", state="WI"),
        received_on=date(2026, 1, 5),
    )
    declaration.document.save("declaration.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    Declaration.objects.with_scopes_disabled().bulk_create([declaration])
    return Declaration.objects.with_scopes_disabled().get(agency=declaration.agency).pk


def _grant(municipality) -> int:
    from tests.audits.factories import SharingGrantFactory

    return SharingGrantFactory(municipality=municipality).pk


# Arguments of tenant routes: each builder makes the objects for one municipality and
# returns {argument: id} (an argument may need its parent's id too).
TENANT_OBJECTS = {
    "export_id": _export,
    "finding_id": lambda m: {"finding_id": _finding(m)},
    "event_id": _finding_event,
    "declaration_id": lambda m: {"declaration_id": _declaration(m)},
    "grant_id": lambda m: {"grant_id": _grant(m)},
}


def _engagement(municipality, auditor) -> int:
    from apps.audits.models import Engagement

    return Engagement.objects.create(
        title="Matrix", municipality=municipality, period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), created_by=auditor,
    ).pk  # fmt: skip


def _engagement_with_note(municipality, auditor) -> dict[str, int]:
    from django.core.files.base import ContentFile

    from apps.audits.models import EngagementNote

    engagement_id = _engagement(municipality, auditor)
    note = EngagementNote(engagement_id=engagement_id, author=auditor, text="note")
    note.attachment.save("memo.pdf", ContentFile(b"%PDF-1.4 memo"), save=True)
    return {"engagement_id": engagement_id, "note_id": note.pk}


def state_objects(municipality, auditor) -> dict[str, object]:
    from apps.agencies.models import Agency, AgencyAlias
    from apps.compliance.models import ReasonTerm

    agency = Agency.objects.create(name="Matrix County Sheriff", state="IL", level="county")
    return {
        "agency_id": agency.pk,
        "alias_id": AgencyAlias.objects.create(
            agency=agency, alias="Matrix Co SO", normalized="IL|matrix co so"
        ).pk,
        **_engagement_with_note(municipality, auditor),
        "user_id": UserFactory(role="municipal").pk,
        "kind": "terms",
        "pk": ReasonTerm.objects.first().pk,
    }


# --- the matrix ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    area: str
    # Methods for plain function views (class-based views say their own).
    methods: tuple[str, ...] = field(default=("get",))


PUBLIC, SIGNED_IN, TENANT, STATE, ADMINISTRATION = (
    Entry("public"), Entry("signed_in"), Entry("tenant"), Entry("state"), Entry("administration"),
)  # fmt: skip

MATRIX: dict[str, Entry] = {
    "home": SIGNED_IN,
    "healthz": PUBLIC,
    "favicon": PUBLIC,
    "admin:login": Entry("admin_login"),
    "accounts:login": PUBLIC,
    "accounts:logout": Entry("sign_out"),
    "accounts:password_change": SIGNED_IN,
    "accounts:password_change_done": SIGNED_IN,
    "accounts:two_factor_setup": SIGNED_IN,
    "accounts:two_factor_verify": SIGNED_IN,
    "accounts:two_factor_backup_codes": SIGNED_IN,
    "accounts:two_factor_remove": SIGNED_IN,
    "municipality:home": TENANT,
    "municipality:finding_list": TENANT,
    "municipality:finding_detail": TENANT,
    "municipality:finding_attachment": TENANT,
    "municipality:declaration_list": TENANT,
    "municipality:grant_list": TENANT,
    "municipality:grant_detail": TENANT,
    "municipality:search_list": TENANT,
    "municipality:declaration_file": TENANT,
    "municipality:export_list": TENANT,
    "municipality:export_detail": TENANT,
    "municipality:export_file": Entry("tenant_evidence"),
    "municipality:export_progress": TENANT,
    "municipality:export_errors": TENANT,
    "municipality:format_guide": TENANT,
    "municipality:format_template": TENANT,
    "state:home": STATE,
    "state:finding_list": STATE,
    "state:activity_list": STATE,
    "state:grant_list": STATE,
    "state:search_list": STATE,
    "state:engagement_list": STATE,
    "state:engagement_detail": STATE,
    "state:engagement_note_file": STATE,
    "state:engagement_report": STATE,
    "state:engagement_report_pdf": STATE,
    "state:agency_list": STATE,
    "state:agency_detail": STATE,
    "state:administration:home": ADMINISTRATION,
    "state:administration:account_add": ADMINISTRATION,
    "state:administration:account_edit": ADMINISTRATION,
    "state:administration:lockouts": ADMINISTRATION,
    "state:administration:agency_review": ADMINISTRATION,
    "state:administration:agency_edit": ADMINISTRATION,
    "state:administration:alias_add": ADMINISTRATION,
    "state:administration:alias_remove": ADMINISTRATION,
    "state:administration:catalogue": ADMINISTRATION,
    "state:administration:catalogue_add": ADMINISTRATION,
    "state:administration:catalogue_edit": ADMINISTRATION,
}
SUPERUSER = Entry("superuser")


def entry_for(name: str) -> Entry | None:
    if name in MATRIX:
        return MATRIX[name]
    return SUPERUSER if name.startswith("admin:") else None


def walk(patterns, prefix="", namespace=""):
    """Yield (name, route, pattern) for every URL pattern, depth first."""
    for item in patterns:
        if isinstance(item, URLResolver):
            child = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from walk(item.url_patterns, prefix + str(item.pattern), child)
        elif isinstance(item, URLPattern):
            route = prefix + str(item.pattern)
            yield f"{namespace}{item.name or route}", route, item


PATTERNS = sorted(
    (p for p in walk(get_resolver().url_patterns) if not p[1].startswith("static/")),
    key=lambda p: p[0],
)


def methods_of(pattern: URLPattern, entry: Entry) -> list[str]:
    view = getattr(pattern.callback, "view_class", None)
    if view is None:
        return list(entry.methods)
    return [
        method
        for method in view.http_method_names
        if method not in ("options", "head") and hasattr(view, method)
    ]


# Route arguments that name no object of a municipality (the same for every tenant).
PLAIN_ARGUMENTS = {"key": "generic_grants", "ext": "csv"}


def arguments(route: str) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - {"municipality_slug", *PLAIN_ARGUMENTS}


def path_for(route: str, values: dict) -> str:
    def fill(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return str(values[name])
        if name in PLAIN_ARGUMENTS:
            return PLAIN_ARGUMENTS[name]
        return {"int": "1", "uuid": str(uuid.uuid4()), "path": "x/y"}.get(converter, "x")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    # Django's admin mixes in regex routes: fill their groups and strip the anchors.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values.get(m.group(1), "1")), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def tenant_objects(route: str, municipality) -> dict[str, int]:
    values: dict[str, int] = {}
    for name in sorted(arguments(route)):
        if name not in values:
            values.update(TENANT_OBJECTS[name](municipality))
    return values


# --- the checks ----------------------------------------------------------------------


def test_every_url_pattern_has_an_entry_in_the_matrix():
    names = {name for name, _, _ in PATTERNS}
    missing = sorted(name for name in names if entry_for(name) is None)
    assert not missing, f"add these views to MATRIX in {__file__}: {missing}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"MATRIX names views that no longer exist: {stale}"


def test_every_tenant_argument_says_how_to_make_an_object_of_each_municipality():
    unknown = {
        name
        for _, route, _ in PATTERNS
        if "municipality_slug>" in route
        for name in arguments(route) - set(TENANT_OBJECTS)
    }
    assert not unknown, f"add {unknown} to TENANT_OBJECTS"


def allowed(response) -> bool:
    """Got in: neither refused, nor hidden, nor sent to sign in, nor broken."""
    if response.status_code in (401, 403, 404, 405) or response.status_code >= 500:
        return False
    return not (response.status_code == 302 and "/login/" in response["Location"])


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p[0] for p in PATTERNS])
def test_access_matrix(
    client, pattern, municipality_a, municipality_b, clerk_a, clerk_b, auditor, administrator
):
    name, route, url_pattern = pattern
    entry = entry_for(name)
    assert entry is not None, f"{name} has no MATRIX entry"
    roles = {"anonymous": None, "clerk of A": clerk_a, "clerk of B": clerk_b,
             "auditor": auditor, "administrator": administrator}  # fmt: skip
    failures: list[str] = []

    def check(role: str, method: str, path: str, expect: str) -> None:
        user = roles[role]
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        response = getattr(client, method)(path)
        ok = {
            "allowed": allowed,
            "sign in": sent_to_sign_in,
            "403": lambda r: r.status_code == 403,
            "404": lambda r: r.status_code == 404,
        }[expect](response)
        if not ok:
            failures.append(
                f"{role} {method.upper()} {path}: expected {expect}, got {response.status_code}"
            )

    methods = methods_of(url_pattern, entry)
    assert methods, f"{name} accepts no method"
    if entry.area in ("tenant", "tenant_evidence"):
        own = {"municipality_slug": municipality_a.slug, **tenant_objects(route, municipality_a)}
        others = {"municipality_slug": municipality_a.slug,
                  **tenant_objects(route, municipality_b)}  # fmt: skip
        administrator = "403" if entry.area == "tenant_evidence" else "allowed"
        for method in methods:
            path = path_for(route, own)
            for role, expect in [("anonymous", "sign in"), ("clerk of A", "allowed"),
                                 ("clerk of B", "404"), ("auditor", "allowed"),
                                 ("administrator", administrator)]:  # fmt: skip
                check(role, method, path, expect)
            if arguments(route):
                # A's slug, B's object: hidden from everybody, state staff included.
                for role in ("clerk of A", "clerk of B", "auditor", "administrator"):
                    check(role, method, path_for(route, others), "404")
    else:
        values = state_objects(municipality_a, auditor) if arguments(route) else {}
        path = path_for(route, values)
        expectations = {
            "public": dict.fromkeys(roles, "allowed"),
            "sign_out": dict.fromkeys(roles, "sign in"),
            "admin_login": {**dict.fromkeys(roles, "404"), "anonymous": "allowed"},
            "signed_in": {**dict.fromkeys(roles, "allowed"), "anonymous": "sign in"},
            "state": {"anonymous": "sign in", "clerk of A": "403", "clerk of B": "403",
                      "auditor": "allowed", "administrator": "allowed"},
            "administration": {"anonymous": "sign in", "clerk of A": "403", "clerk of B": "403",
                               "auditor": "403", "administrator": "allowed"},
            "superuser": {**dict.fromkeys(roles, "404"), "anonymous": "sign in"},
        }[entry.area]  # fmt: skip
        for method in methods:
            for role, expect in expectations.items():
                check(role, method, path, expect)

    assert not failures, "\n".join(failures)
