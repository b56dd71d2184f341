"""Hardening: headers, CSRF on every form, session limits, lockout and unlock, two-factor
sign-in, and files served only as recorded downloads."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import SignInLimit
from apps.core.models import ActivityEntry
from apps.core.security import SEEN_AT, SIGNED_IN_AT
from apps.municipalities.scoping import municipality_scope
from tests.accounts.factories import PASSWORD
from tests.accounts.test_sign_in_limits import lock_username
from tests.core.test_access_matrix import PATTERNS, entry_for, methods_of, path_for, state_objects

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_pages_carry_a_strict_content_security_policy_and_the_other_headers(client, auditor):
    client.force_login(auditor)
    response = client.get("/state/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_no_template_has_inline_script_style_or_event_handler():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{template}: inline <script>")
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            offenders.append(f"{template}: inline style")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{template}: event handler attribute")
    assert not offenders, offenders


POSTS = [
    p
    for p in PATTERNS
    if "post" in methods_of(p[2], entry_for(p[0]))
    and entry_for(p[0]).area not in ("superuser", "admin_login")
]


@pytest.mark.parametrize("pattern", POSTS, ids=[p[0] for p in POSTS])
def test_every_form_refuses_a_post_without_its_csrf_token(
    pattern, clerk_a, municipality_a, auditor, administrator
):
    name, route, _ = pattern
    area = entry_for(name).area
    user = {"tenant": clerk_a, "state": auditor, "administration": administrator}.get(area, clerk_a)
    values = {"municipality_slug": municipality_a.slug}
    if area != "tenant":
        values.update(state_objects(municipality_a, auditor))
    client = Client(enforce_csrf_checks=True)
    if area != "public":
        client.force_login(user)
    path = path_for(route, values)
    if "<int:" in route and area == "tenant":
        from tests.core.test_access_matrix import tenant_objects

        path = path_for(route, {**values, **tenant_objects(route, municipality_a)})
    response = client.post(path, {})
    assert response.status_code == 403, f"{name}: {response.status_code}"
    assert b"CSRF" in response.content


def test_an_idle_session_ends(client, auditor):
    client.force_login(auditor)
    assert client.get("/state/").status_code == 200
    session = client.session
    session[SEEN_AT] = time.time() - (settings.PORTAL_SESSION_IDLE_MINUTES * 60 + 5)
    session.save()
    response = client.get("/state/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/state/").status_code == 302  # signed out for good


def test_a_busy_session_still_ends_after_the_days_limit(client, auditor):
    client.force_login(auditor)
    client.get("/state/")
    session = client.session
    session[SIGNED_IN_AT] = time.time() - (settings.PORTAL_SESSION_MAX_HOURS * 3600 + 5)
    session[SEEN_AT] = time.time()
    session.save()
    response = client.get("/state/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def sign_in(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_repeated_failures_lock_the_account_until_an_administrator_unlocks_it(
    client, auditor, administrator
):
    auditor.set_password("the-right-password-1")
    auditor.save()
    lock_username(client, auditor.username)
    refused = sign_in(client, auditor.username, "the-right-password-1")
    assert refused.status_code == 429
    failures = settings.PORTAL_SIGN_IN_USERNAME_LOCK_FAILURES
    assert ActivityEntry.objects.filter(action="account.sign_in_failed").count() == failures

    admin = Client()
    admin.force_login(administrator)
    page = admin.get("/state/administration/lockouts/").content.decode()
    assert f"<td>{auditor.username}</td>" in page and "<strong>locked</strong>" in page
    limit = SignInLimit.objects.get(kind="username", key=auditor.username)
    assert admin.post("/state/administration/lockouts/", {"limit": limit.pk}).status_code == 302
    assert ActivityEntry.objects.filter(action="account.unlocked").exists()

    assert sign_in(client, auditor.username, "the-right-password-1").status_code == 302
    assert client.get("/state/").status_code == 200


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_user_with_an_authenticator_needs_a_code_before_any_page(client, auditor):
    auditor.set_password("the-right-password-1")
    auditor.save()
    device = confirmed_device(auditor)
    assert sign_in(client, auditor.username, "the-right-password-1").status_code == 302

    held = client.get("/state/findings/")
    assert held.status_code == 302 and "/accounts/two-factor/verify/" in held["Location"]
    assert client.get("/state/activity/").status_code == 302
    wrong = client.post("/accounts/two-factor/verify/?next=/state/findings/", {"token": "000000"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the next try must wait a moment
    device.throttle_reset()
    right = client.post(
        "/accounts/two-factor/verify/?next=/state/findings/", {"token": code(device)}
    )
    assert right.status_code == 302 and right["Location"] == "/state/findings/"
    assert client.get("/state/findings/").status_code == 200


def test_the_code_page_never_redirects_off_site(client, auditor):
    device = confirmed_device(auditor)
    client.force_login(auditor)
    answer = client.post(
        "/accounts/two-factor/verify/?next=https://evil.example/", {"token": code(device)}
    )
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_setting_up_an_authenticator_confirms_it_with_a_code(client, clerk_a):
    client.force_login(clerk_a)
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and b"data:image/svg+xml;base64," in page.content
    # Nothing is stored until a code confirms it; the key waits in the session.
    assert not TOTPDevice.objects.filter(user=clerk_a).exists()
    pending = TOTPDevice(key=client.session["portal_two_factor_pending_key"])
    setup = {"token": "123", "password": PASSWORD}
    assert client.post("/accounts/two-factor/", setup).status_code == 400
    confirmed = client.post("/accounts/two-factor/", {**setup, "token": code(pending)})
    assert confirmed.status_code == 200 and b"Your backup codes" in confirmed.content
    device = TOTPDevice.objects.get(user=clerk_a)
    assert device.confirmed and device.key == pending.key
    assert ActivityEntry.objects.filter(action="account.two_factor_added").exists()


def test_administrators_must_set_up_two_factor_when_the_setting_requires_it(
    client, administrator, auditor, settings
):
    settings.PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS = True
    client.force_login(administrator)
    held = client.get("/state/administration/")
    assert held.status_code == 302 and held["Location"] == "/accounts/two-factor/"
    client.force_login(auditor)  # optional for auditors
    assert client.get("/state/").status_code == 200


def test_production_settings_require_two_factor_for_administrators():
    source = (Path(settings.BASE_DIR) / "config" / "settings" / "production.py").read_text()
    assert re.search(r"PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS.*\n?.*default=True", source)


def test_a_finding_answer_file_is_a_recorded_download_for_those_who_may_see_it(
    client, clerk_a, auditor, municipality_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.audits.models import Finding, FindingEvent

    now = timezone.now()
    with municipality_scope(municipality_a):
        finding = Finding.objects.create(
            municipality=municipality_a, rule_code="VAGUE_REASON", subject_key="agency:1",
            subject_label="x", severity="low", summary="s", evidence={}, first_seen_at=now,
            last_seen_at=now,
        )  # fmt: skip
    client.force_login(clerk_a)
    upload = SimpleUploadedFile(
        "../../etc/answer.txt", b"<script>alert(1)</script>", content_type="text/html"
    )
    client.post(
        f"/m/{municipality_a.slug}/findings/{finding.pk}/",
        {"action": "acknowledge", "note": "our answer", "attachment": upload},
    )
    with municipality_scope(municipality_a):
        event = FindingEvent.objects.exclude(attachment="").get()
    assert "etc" not in event.attachment.name and "answer" not in event.attachment.name

    client.force_login(auditor)
    response = client.get(f"/m/{municipality_a.slug}/findings/{finding.pk}/files/{event.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    # Offered under the name it had (made safe: no path), though stored under another.
    assert 'filename="answer.txt"' in response["Content-Disposition"]
    assert response["Content-Security-Policy"].startswith("sandbox")
    download = ActivityEntry.objects.get(action="download")
    assert download.actor == auditor and download.municipality_id == municipality_a.pk


def test_an_administrator_removes_a_lost_authenticator(client, administrator, auditor):
    confirmed_device(auditor)
    client.force_login(administrator)
    page = client.get(f"/state/administration/accounts/{auditor.pk}/")
    assert b"Remove the authenticator" in page.content
    answer = client.post(
        f"/state/administration/accounts/{auditor.pk}/", {"remove_two_factor": "1"}
    )
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    assert ActivityEntry.objects.filter(action="account.two_factor_removed").exists()
