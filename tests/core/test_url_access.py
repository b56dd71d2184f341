"""Walk every URL pattern of the project as an anonymous user and as an outsider.

A new URL pattern is covered automatically; one with an unknown keyword argument fails
until this file says which object of another municipality to try it with.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.vendors.factories import VendorExportFactory

pytestmark = pytest.mark.django_db

# Pages anybody may open: the two sign-in forms and the health check.
PUBLIC = {"accounts:login", "admin:login", "healthz"}


# How to make, for a URL keyword argument, an object that belongs to a municipality.
def _finding(municipality) -> int:
    from django.utils import timezone

    from apps.audits.models import Finding

    now = timezone.now()
    return Finding.objects.with_scopes_disabled().create(
        municipality=municipality, rule_code="VAGUE_REASON", subject_key=f"agency:{now}",
        subject_label="Test agency", severity="low", summary="test", evidence={"files": []},
        first_seen_at=now, last_seen_at=now,
    ).pk  # fmt: skip


TENANT_OBJECT_KWARGS = {
    "export_id": lambda municipality: VendorExportFactory(municipality=municipality).pk,
    "finding_id": _finding,
}


def object_kwargs(route: str, municipality) -> dict[str, int]:
    import re

    names = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - {"municipality_slug"}
    return {name: TENANT_OBJECT_KWARGS[name](municipality) for name in names}


def walk(patterns, prefix="", namespace=""):
    """Yield (name, route, converters) for every URL pattern, depth first."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            child_namespace = namespace
            if entry.namespace:
                child_namespace = f"{namespace}{entry.namespace}:"
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), child_namespace)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name or route}"
            yield name, route, entry


def sample_path(route: str, values: dict[str, str]) -> str:
    """Turn a route (with `<conv:name>` parts) or a regex route into a concrete path."""
    import re

    def replace(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return str(values[name])
        return {"int": "1", "uuid": str(uuid.uuid4()), "path": "x/y"}.get(converter, "x")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)
    # Django admin mixes in regex routes: strip anchors and fill groups.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "x"), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


ALL_PATTERNS = sorted(walk(get_resolver().url_patterns), key=lambda item: item[0])
PROTECTED_PATTERNS = [
    p for p in ALL_PATTERNS if p[0] not in PUBLIC and not p[1].startswith("static/")
]


def ids(item):
    return item[0]


def is_tenant_route(route):
    return "municipality_slug>" in route


def test_the_public_pages_are_only_the_sign_in_forms_and_the_health_check(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.parametrize("pattern", PROTECTED_PATTERNS, ids=ids)
def test_anonymous_is_sent_to_login_except_on_public_pages(client, pattern, municipality_b):
    name, route, _ = pattern
    path = sample_path(route, {"municipality_slug": municipality_b.slug})
    response = client.get(path)
    assert response.status_code == 302, f"{name} ({path}) answered {response.status_code}"
    assert "login" in response["Location"]


@pytest.mark.parametrize("pattern", PROTECTED_PATTERNS, ids=ids)
def test_municipal_user_cannot_reach_other_municipality_or_state_area(
    client, pattern, clerk_a, municipality_b
):
    name, route, _ = pattern
    client.force_login(clerk_a)
    values = {"municipality_slug": municipality_b.slug}
    if is_tenant_route(route):
        values.update(object_kwargs(route, municipality_b))
    path = sample_path(route, values)
    response = client.get(path)
    if name.startswith("state:"):
        assert response.status_code == 403, f"{name} ({path}) answered {response.status_code}"
    elif is_tenant_route(route) or name.startswith("admin:"):
        assert response.status_code == 404, f"{name} ({path}) answered {response.status_code}"
    else:
        # Account pages and the home page are the user's own; none shows tenant data.
        assert response.status_code in (200, 302, 405), f"{name} answered {response.status_code}"


@pytest.mark.parametrize("pattern", [p for p in ALL_PATTERNS if is_tenant_route(p[1])], ids=ids)
def test_tenant_pages_name_every_object_argument(pattern):
    """A tenant page with an object id must say here how to test it with B's object."""
    import re

    _, route, _ = pattern
    arguments = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - {"municipality_slug"}
    unknown = arguments - set(TENANT_OBJECT_KWARGS)
    assert not unknown, f"add {unknown} to TENANT_OBJECT_KWARGS"


@pytest.mark.parametrize("pattern", [p for p in ALL_PATTERNS if is_tenant_route(p[1])], ids=ids)
def test_member_and_state_staff_reach_the_municipality_pages(
    client, pattern, clerk_a, auditor, municipality_a
):
    _, route, _ = pattern
    values = {"municipality_slug": municipality_a.slug, **object_kwargs(route, municipality_a)}
    path = sample_path(route, values)
    for user in (clerk_a, auditor):
        client.force_login(user)
        assert client.get(path).status_code == 200, f"{user} on {path}"


@pytest.mark.parametrize("pattern", [p for p in ALL_PATTERNS if p[0].startswith("state:")], ids=ids)
def test_state_area_is_for_auditors_and_its_administration_for_administrators(
    client, pattern, auditor, administrator
):
    from datetime import date

    from apps.agencies.models import Agency, AgencyAlias
    from apps.audits.models import Engagement
    from apps.compliance.models import ReasonTerm
    from tests.municipalities.factories import MunicipalityFactory

    engagement = Engagement.objects.create(
        title="t", municipality=MunicipalityFactory(), period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), created_by=auditor,
    )  # fmt: skip
    name, route, _ = pattern
    path = sample_path(
        route,
        {
            "kind": "terms",
            "pk": ReasonTerm.objects.first().pk,
            "agency_id": Agency.objects.first().pk,
            "engagement_id": engagement.pk,
            "user_id": auditor.pk,
            "alias_id": AgencyAlias.objects.create(
                agency=Agency.objects.first(), alias="Walk", normalized="walk"
            ).pk,
        },
    )
    view = pattern[2].callback.view_class
    method = "get" if "get" in view.http_method_names and hasattr(view, "get") else "post"
    client.force_login(administrator)
    answered = getattr(client, method)(path).status_code
    assert answered == 200 if method == "get" else answered in (302, 400)
    client.force_login(auditor)
    expected = 403 if name.startswith("state:administration:") else 200
    assert getattr(client, method)(path).status_code == expected


@pytest.mark.parametrize(
    "pattern",
    [
        p
        for p in ALL_PATTERNS
        if "<" in p[1].replace("<slug:municipality_slug>", "") and is_tenant_route(p[1])
    ],
    ids=ids,
)
def test_member_gets_404_for_another_municipalitys_object_under_their_own_slug(
    client, pattern, clerk_a, municipality_a, municipality_b
):
    """The slug is the user's own, the object id is B's: the tenant scope must hide it."""
    _, route, _ = pattern
    values = {"municipality_slug": municipality_a.slug, **object_kwargs(route, municipality_b)}
    client.force_login(clerk_a)
    for method in (client.get, client.post):
        assert method(sample_path(route, values)).status_code == 404
