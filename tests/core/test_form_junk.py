"""Junk typed or crafted into any form of the portal gives an answer, never a server error.

The pages and their forms are found as a browser finds them: every URL pattern of the
access matrix is fetched by a role allowed to see it, and every <form> in the HTML is
read (fields, options, buttons, method and action). Each form's default submission (its
required fields filled in as a person would) is sent again with one field at a time
replaced by each junk value, under each option of a select choosing the view's step;
then with the names some views read by hand (a bulk checkbox drawn only when rows exist,
say) added. List pages also get the junk in their query parameters (sort, page, export,
the filters). A new page or form is covered without editing this file.

Every submission runs in a savepoint rolled back after it, so each one meets the data
the page was drawn from: a junk step that succeeds (a finding acknowledged, an alias
removed) does not leave the next submissions facing a 404 or a changed form.
"""

from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.core.test_access_matrix import (
    PATTERNS,
    arguments,
    entry_for,
    methods_of,
    path_for,
    state_objects,
    tenant_objects,
)

pytestmark = pytest.mark.django_db

JUNK: dict[str, str | list[str]] = {
    "superscript two": "²",
    "Arabic-Indic three": "٣",
    "letters": "abc",
    "SQL": "1' OR '1'='1",
    "100 KB of digits": "9" * 100_000,
    "number beyond bigint": "99999999999999999999",
    "empty": "",
    "NUL": "1\x00",
    "repeated key": ["1", "²", "abc"],
}
# Names views have read from requests by hand rather than from the fields of the form
# drawn on the page (some forms draw them only when rows exist).
HAND_PARSED = ("selection", "assignee", "finding", "attempt", "limit", "retire", "reason")
QUERY_NAMES = ("sort", "page", "export")
# A select with one of these names chooses what the view does with the rest of the form
# (the findings queue's bulk step): the other fields get junk under each of its options.
STEP_FIELDS = ("action",)
# What a person types into a required field left empty, so that the default submission
# passes and the junk in one field meets the code behind a valid form.
TYPED = {"date": "2025-06-01", "email": "person@example.test", "number": "1",
         "url": "https://example.test/", "password": "Typed-in-a-test-1"}  # fmt: skip
# Sign-out would end the session the rest of the run needs; Django's own admin site
# (/django-admin/) is for superusers only, a role the portal's users never have.
SKIPPED_AREAS = {"sign_out", "superuser", "admin_login"}
# Who opens the pages of each area of the access matrix. A person's own account pages
# draw other forms with two-factor sign-in on, and before its code is given.
ROLES_OF_AREA = {
    "public": ("anonymous",),
    "signed_in": ("clerk of A", "person with two-factor", "person before the code"),
    "tenant": ("clerk of A",),
    "tenant_evidence": ("clerk of A",),
    "state": ("administrator",),
    "administration": ("administrator",),
}


@dataclass
class Field:
    name: str
    kind: str  # the input's type, or "select" / "textarea" / "button"
    value: str = ""
    checked: bool = False
    disabled: bool = False
    required: bool = False
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)

    def names(self) -> list[str]:
        names = dict.fromkeys(f.name for f in self.fields if f.name != "csrfmiddlewaretoken")
        return list(names)

    def default_submission(self) -> dict[str, list[str]]:
        """What a browser sends when the form is submitted without a button, once the
        required fields left empty are filled in as a person would."""
        data: dict[str, list[str]] = {}
        for item in self.fields:
            if item.disabled or item.name == "csrfmiddlewaretoken":
                continue
            if item.kind in ("checkbox", "radio"):
                if item.checked:
                    data.setdefault(item.name, []).append(item.value or "on")
            elif item.kind == "select":
                chosen = [value for value, selected in item.options if selected]
                offered = [value for value, _ in item.options if value or not item.required]
                if not chosen and offered and not item.multiple:
                    chosen = [offered[0]]
                data.setdefault(item.name, []).extend(chosen)
            elif item.kind not in ("submit", "button", "image", "reset", "file"):
                value = item.value or (TYPED.get(item.kind, "Typed") if item.required else "")
                data.setdefault(item.name, []).append(value)
        return data

    def variants(self) -> dict[str, dict[str, list[str]]]:
        """The default submission, and one for each other option of a step select."""
        default = self.default_submission()
        variants = {"": default}
        for item in self.fields:
            if item.kind == "select" and item.name in STEP_FIELDS:
                for value, _ in item.options:
                    if [value] != default.get(item.name):
                        variants[f"{item.name}={value}"] = {**default, item.name: [value]}
        return variants


class PageParser(HTMLParser):
    """The forms of a page and the targets of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: list | None = None  # [value or None, selected, text]
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value if value is not None else "" for name, value in attrs}
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = Form(
                method=attributes.get("method", "get").lower(),
                action=attributes.get("action", ""),
            )
            self.forms.append(self._form)
        elif self._form is None or not attributes.get("name"):
            if tag == "option" and self._select is not None:
                self._start_option(attributes)
        elif tag in ("input", "button"):
            default = "submit" if tag == "button" else "text"
            kind = attributes.get("type", default).lower()
            value, checked = attributes.get("value", ""), "checked" in attributes
            self._form.fields.append(self._field(attributes, kind, value=value, checked=checked))
        elif tag == "select":
            self._select = self._field(attributes, "select", multiple="multiple" in attributes)
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = self._field(attributes, "textarea")
            self._form.fields.append(self._textarea)

    @staticmethod
    def _field(attributes: dict[str, str], kind: str, **more) -> Field:
        return Field(
            name=attributes["name"], kind=kind, disabled="disabled" in attributes,
            required="required" in attributes, **more,
        )  # fmt: skip

    def _start_option(self, attributes: dict[str, str]) -> None:
        self._end_option()
        self._option = [attributes.get("value"), "selected" in attributes, ""]

    def _end_option(self) -> None:
        if self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options.append((text.strip() if value is None else value, selected))
        self._option = None

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        elif self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._end_option()
        elif tag == "select":
            self._end_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that opens a textarea's content.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._form = None


def described(value: str | list[str]) -> str:
    """The junk as the failure message shows it: short, with its length when cut."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}… ({len(text)} characters)"


def as_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def junk_files(value: str | list[str]) -> list:
    """A file input given junk: a file whose name and content are the junk."""
    text = "".join(as_list(value))
    return [SimpleUploadedFile((text[:100] or "empty") + ".pdf", text.encode())]


class JunkRun:
    """Sends the junk and keeps a line for each request the portal failed to answer."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.requests = 0
        # (view class, name, step) already given every junk value, and view classes
        # already given the names read by hand: a view drawing several forms (an
        # engagement's steps, the review's confirm / merge / rename) reads a name the
        # same way whichever form sent it.
        self.tried: set[tuple[str, str, str]] = set()
        self.tried_by_hand: set[str] = set()

    def send(self, client: Client, method: str, path: str, data, where: str) -> None:
        self.requests += 1
        try:
            with transaction.atomic():
                response = getattr(client, method)(path, data)
                transaction.set_rollback(True)
        except Exception as error:  # the test client re-raises the view's exception
            message = f"{type(error).__name__}: {error}".replace("\n", " ")
            self.failures.append(f"{where}: {message[:300]}")
            return
        if response.status_code >= 500:
            self.failures.append(f"{where}: answered {response.status_code}")

    def submit_form(self, client: Client, page: str, number: int, form: Form, view: str) -> None:
        """The form's default submission with each field in turn replaced by each junk
        value (a file input also gets a file), then with the names read by hand added."""
        action = urlsplit(form.action).path if form.action else page
        drawn = f"(form {number} on {page})"
        files = {item.name for item in form.fields if item.kind == "file"}
        declared = form.names()
        variants = form.variants()
        for step, submission in variants.items():
            for name in declared:
                if (view, name, step) in self.tried or (step and name in step):
                    continue
                self.tried.add((view, name, step))
                for label, value in JUNK.items():
                    where = (
                        f"{form.method.upper()} {action} {drawn}, "
                        + (f"{step}, " if step else "")
                        + f"field {name!r} = {label} {described(value)}"
                    )
                    data = {**submission, name: as_list(value)}
                    self.send(client, form.method, action, data, where)
                    if name in files:
                        data = {**submission, name: junk_files(value)}
                        self.send(client, form.method, action, data, where + " as a file")
        default = variants[""]
        if form.method != "post" or view in self.tried_by_hand:
            return
        self.tried_by_hand.add(view)
        # All at once, one request per junk value, to keep the run short: different
        # views read these names, so one refused seldom keeps another from being read.
        undeclared = [name for name in HAND_PARSED if name not in declared]
        for label, value in JUNK.items():
            data = {**default, **dict.fromkeys(undeclared, as_list(value))}
            where = (
                f"POST {action} {drawn}, names read by hand {undeclared} = "
                f"{label} {described(value)}"
            )
            self.send(client, "post", action, data, where)

    def send_query_junk(self, client: Client, page: str, parser: "PageParser") -> None:
        """Junk in the query parameters the page's links use (sorting, paging,
        downloads), and in every filter at once with each download the page offers
        (a download records its filters in the activity log)."""
        names = sorted(query_names(page, parser.links))
        filters = [name for form in parser.forms if form.method == "get" for name in form.names()]
        downloads = sorted(
            {
                value
                for link in parser.links
                if urlsplit(link).path in ("", page)
                for name, value in parse_qsl(urlsplit(link).query)
                if name == "export"
            }
        )
        for label, value in JUNK.items():
            junk = f"{label} {described(value)}"
            if names:
                self.send(client, "get", page, dict.fromkeys(names, as_list(value)),
                          f"GET {page} with {', '.join(names)} = {junk}")  # fmt: skip
            for export in downloads if filters else []:
                data = {**dict.fromkeys([*filters, "sort", "page"], as_list(value)),
                        "export": [export]}  # fmt: skip
                self.send(client, "get", page, data,
                          f"GET {page}?export={export} with every filter = {junk}")  # fmt: skip


def query_names(page: str, links: list[str]) -> set[str]:
    """The query parameters of the page's own links, with sort, page and export on any
    page that has such links (one page of rows draws no paging link, yet `page` is read)."""
    names = set()
    for link in links:
        parts = urlsplit(link)
        if not parts.scheme and parts.path in ("", page):
            names.update(name for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return names | set(QUERY_NAMES) if names else names


def make_rows_the_forms_act_on(municipality) -> None:
    """Rows without which some forms or their checkboxes are not drawn: findings of A
    (the queue's bulk selection), one seen in the engagement's period (its checkboxes),
    a locked sign-in (the Lockouts page's lift button), a grant of A to an agency out of
    state (the declarations form)."""
    from apps.accounts.models import SignInLimit
    from apps.audits.models import Finding
    from tests.audits.factories import AgencyFactory, SharingGrantFactory

    now = timezone.now()
    seen = timezone.make_aware(datetime(2025, 6, 1, 12))  # in the matrix engagement's 2025
    for key, when in (("agency:junk-now", now), ("agency:junk-2025", seen)):
        Finding.objects.with_scopes_disabled().create(
            municipality=municipality, rule_code="VAGUE_REASON", subject_key=key,
            subject_label="Junk test agency", severity="low", summary="test",
            evidence={"files": []}, first_seen_at=when, last_seen_at=when,
        )  # fmt: skip
    SignInLimit.objects.create(
        kind=SignInLimit.Kind.USERNAME, key="locked-out-person", failures=50,
        first_failure_at=now, last_failure_at=now, locked_at=now,
    )  # fmt: skip
    SharingGrantFactory(municipality=municipality, agency=AgencyFactory(name="Kenosha WI PD"))


def sign_in_clients(clerk, administrator) -> dict[str, Client]:
    """One client per role, signed in once for the whole run."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = UserFactory(username="two-factor-person")
    device = TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    clients = {role: Client() for roles in ROLES_OF_AREA.values() for role in roles}
    clients["clerk of A"].force_login(clerk)
    clients["administrator"].force_login(administrator)
    clients["person before the code"].force_login(person)
    clients["person with two-factor"].force_login(person)
    session = clients["person with two-factor"].session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # as django_otp's otp_login
    session.save()
    return clients


def pages_to_visit(municipality, auditor) -> list[tuple[str, str]]:
    """(path, role) for every pattern with GET, once for each role that opens it."""
    from apps.agencies.models import Agency
    from apps.agencies.naming import parse_agency_name

    state_values = state_objects(municipality, auditor)
    # Objects of A made once and shared by the routes naming them (two uploads of the
    # same file are refused, so an export cannot be made twice).
    tenant_values = {"municipality_slug": municipality.slug}
    pages = []
    for name, route, pattern in PATTERNS:
        entry = entry_for(name)
        if entry is None or entry.area in SKIPPED_AREAS or "get" not in methods_of(pattern, entry):
            continue
        if entry.area.startswith("tenant"):
            if not arguments(route) <= set(tenant_values):
                tenant_values.update(tenant_objects(route, municipality))
            values = tenant_values
        else:
            values = state_values
        path = path_for(route, values)
        pages.extend((path, role) for role in ROLES_OF_AREA[entry.area])
    # The matrix makes agencies without the normalised name the portal's services give
    # every agency; without one, saving such an agency fails in a way no user can meet.
    for agency in Agency.objects.filter(normalized_name=""):
        agency.normalized_name = parse_agency_name(agency.name).normalized
        agency.save(update_fields=["normalized_name"])
    return pages


def variant_of(path: str) -> tuple:
    """A route with its text arguments: `rules/blocklist/…` and `rules/terms/…` are two
    variants of one view, which may draw another form for each."""
    match = resolve(path)
    return match.view_name, tuple(sorted(
        (key, value) for key, value in match.kwargs.items() if isinstance(value, str)
    ))  # fmt: skip


def variants_linked(links: list[str], seen: set[tuple]) -> list[str]:
    """Links to variants of known routes not visited yet (one page of each)."""
    found = []
    for link in links:
        path = urlsplit(link).path
        if urlsplit(link).scheme or not path.startswith("/"):
            continue
        try:
            variant = variant_of(path)
        except Resolver404:
            continue
        if variant[1] and variant not in seen:
            seen.add(variant)
            found.append(path)
    return found


def test_junk_in_any_form_field_or_query_parameter_never_gives_a_server_error(
    municipality_a, clerk_a, auditor, administrator
):
    make_rows_the_forms_act_on(municipality_a)
    clients = sign_in_clients(clerk_a, administrator)
    queue = pages_to_visit(municipality_a, auditor)
    seen_variants = {variant_of(path) for path, _ in queue}
    seen_forms: set[tuple] = set()
    queried: set[str] = set()
    posted_views: set[str] = set()
    run = JunkRun()

    while queue:
        page, role = queue.pop(0)
        client = clients[role]
        response = client.get(page)
        assert response.status_code < 500, f"GET {page} as {role}: {response.status_code}"
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser()
        parser.feed(response.content.decode())
        queue.extend((path, role) for path in variants_linked(parser.links, seen_variants))
        if page not in queried:
            queried.add(page)
            run.send_query_junk(client, page, parser)
        for number, form in enumerate(parser.forms, start=1):
            match = resolve(urlsplit(form.action).path if form.action else page)
            if entry_for(match.view_name).area in SKIPPED_AREAS:
                continue
            if form.method == "post":
                posted_views.add(match.view_name)
            # One view class drawing the same form for a new object and for an existing
            # one (accounts, rules and lists) handles both alike: junk goes in once.
            handler = getattr(match.func, "view_class", match.func)
            signature = (form.method, handler, tuple(sorted(form.names())))
            if signature not in seen_forms:
                seen_forms.add(signature)
                run.submit_form(client, page, number, form, handler.__name__)

    assert not run.failures, (
        f"{len(run.failures)} of {run.requests} junk requests broke the portal:\n"
        + "\n".join(run.failures[:40])
    )
    # Every view taking POST was reached through a form the pages draw, so the rows
    # the forms need exist (a form never drawn would go untested).
    post_views = {
        name
        for name, _, pattern in PATTERNS
        if entry_for(name).area not in SKIPPED_AREAS
        and "post" in methods_of(pattern, entry_for(name))
    }
    assert post_views <= posted_views, (
        f"no page drew a form posting to {sorted(post_views - posted_views)}: make the rows "
        "that draw it in make_rows_the_forms_act_on"
    )
