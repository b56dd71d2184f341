"""Two-factor sign-in: a session that has given only its password reaches the code page
and sign-out and nothing else; changing the authenticator takes a verified session and
the password again; backup codes are kept hashed and work once."""

import base64
import re
import threading

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from psycopg import sql

from apps.accounts.models import BackupCode, BackupCodeDevice
from apps.accounts.two_factor import (
    HELD_SESSION_VIEWS,
    PASSWORD_FAILURE_LIMIT,
    PENDING_KEY_SESSION,
    authenticator_confirm,
    backup_codes_generate,
    sign_in_code_verify,
)
from apps.core.models import ActivityEntry
from tests.accounts.factories import PASSWORD, UserFactory
from tests.core.test_access_matrix import PATTERNS, path_for

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
BACKUP_CODES = "/accounts/two-factor/backup-codes/"
TURN_OFF = "/accounts/two-factor/off/"


def code_for(key: str) -> str:
    device = TOTPDevice(key=key)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def with_authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def password_only(client: Client, user) -> Client:
    answer = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302 and "_auth_user_id" in client.session
    return client


def verified(client: Client, user, device: TOTPDevice) -> Client:
    password_only(client, user)
    answer = client.post(VERIFY, {"token": code_for(device.key)})
    assert answer.status_code == 302
    return client


def device_rows() -> list[tuple]:
    return [
        *TOTPDevice.objects.order_by("pk").values_list("pk", "user_id", "key", "confirmed"),
        *BackupCodeDevice.objects.order_by("pk").values_list("pk", "user_id"),
        *BackupCode.objects.order_by("pk").values_list("pk", "digest", "used_at"),
    ]


def shown_codes(response) -> list[str]:
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())


def held(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(VERIFY)


# --- a session that gave only its password ----------------------------------------


def test_a_password_only_session_is_sent_to_the_code_page_from_every_other_url(
    client, clerk_a, municipality_a
):
    with_authenticator(clerk_a)
    password_only(client, clerk_a)
    values = {"municipality_slug": municipality_a.slug}
    refused = []
    for name, route, _ in PATTERNS:
        if name in HELD_SESSION_VIEWS or name == "healthz":
            continue
        path = path_for(route, values)
        for method in ("get", "post"):
            answer = getattr(client, method)(path)
            if not held(answer):
                refused.append(f"{method.upper()} {path}: {answer.status_code}")
    assert not refused, refused
    assert held(client.get("/no/such/page/"))


@pytest.mark.parametrize(
    "path",
    [SETUP, BACKUP_CODES, TURN_OFF, "/accounts/password/", "/m/alder-park/",
     "/m/alder-park/exports/", "/state/", "/state/administration/"],
)  # fmt: skip
def test_a_password_only_session_cannot_reach_setup_tenant_state_or_password_pages(
    client, clerk_a, path
):
    with_authenticator(clerk_a)
    password_only(client, clerk_a)
    for answer in (client.get(path), client.post(path, {"token": "123456"})):
        assert held(answer)
        assert f"next={path.replace('/', '%2F')}" in answer["Location"]


def test_a_password_only_session_cannot_replace_the_authenticator(client, clerk_a):
    device = with_authenticator(clerk_a)
    password_only(client, clerk_a)
    before = device_rows()
    assert held(client.get(SETUP))
    pending = client.session.get(PENDING_KEY_SESSION, "00" * 20)
    attempt = {"token": code_for(pending), "password": PASSWORD}
    assert held(client.post(SETUP, attempt))
    assert held(client.post(BACKUP_CODES, {"password": PASSWORD}))
    assert held(client.post(TURN_OFF, {"password": PASSWORD}))
    assert device_rows() == before
    assert PENDING_KEY_SESSION not in client.session
    device.refresh_from_db()
    assert device.confirmed


def test_the_code_page_and_sign_out_stay_open_to_a_password_only_session(client, clerk_a):
    with_authenticator(clerk_a)
    password_only(client, clerk_a)
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


# --- changing the authenticator ----------------------------------------------------


def test_showing_the_setup_page_stores_no_device_and_keeps_one_key(client, clerk_a):
    client.force_login(clerk_a)
    first = client.get(SETUP)
    second = client.get(SETUP)
    assert first.status_code == second.status_code == 200
    assert device_rows() == []
    key = client.session[PENDING_KEY_SESSION]
    assert first.context["secret"] == second.context["secret"]
    assert first.context["secret"] == base64.b32encode(bytes.fromhex(key)).decode()


def test_a_verified_session_that_does_not_confirm_the_new_code_keeps_the_old_device(
    client, clerk_a
):
    device = with_authenticator(clerk_a)
    verified(client, clerk_a, device)
    assert client.get(SETUP).status_code == 200
    before = device_rows()
    answer = client.post(SETUP, {"token": "000000", "password": PASSWORD})
    assert answer.status_code == 400 and "does not match" in answer.content.decode()
    assert device_rows() == before
    assert TOTPDevice.objects.get(user=clerk_a).key == device.key


def test_a_verified_session_with_a_wrong_password_keeps_the_old_device_and_is_logged(
    client, clerk_a
):
    device = with_authenticator(clerk_a)
    verified(client, clerk_a, device)
    client.get(SETUP)
    pending = client.session[PENDING_KEY_SESSION]
    before = device_rows()
    answer = client.post(SETUP, {"token": code_for(pending), "password": "not-my-password"})
    assert answer.status_code == 400 and "That is not your password" in answer.content.decode()
    assert device_rows() == before
    failure = ActivityEntry.objects.get(action="account.two_factor_password_failed")
    assert failure.actor == clerk_a and failure.detail["page"] == "accounts:two_factor_setup"


def test_a_verified_session_with_the_password_and_a_new_code_moves_to_the_new_phone(
    client, clerk_a, municipality_a
):
    old = with_authenticator(clerk_a)
    verified(client, clerk_a, old)
    client.get(SETUP)
    pending = client.session[PENDING_KEY_SESSION]
    answer = client.post(SETUP, {"token": code_for(pending), "password": PASSWORD})
    assert answer.status_code == 200 and len(shown_codes(answer)) == 10
    assert list(TOTPDevice.objects.filter(user=clerk_a).values_list("key", flat=True)) == [pending]
    assert PENDING_KEY_SESSION not in client.session
    assert client.get(f"/m/{municipality_a.slug}/").status_code == 200
    added = ActivityEntry.objects.get(action="account.two_factor_added")
    assert added.detail == {"replaced_authenticator": True}


def test_confirming_a_new_authenticator_refuses_to_replace_one_from_an_unverified_session(
    clerk_a,
):
    old = with_authenticator(clerk_a)
    key = "ab" * 20
    with pytest.raises(PermissionDenied):
        authenticator_confirm(user=clerk_a, key=key, token=code_for(key), session_verified=False)
    assert list(TOTPDevice.objects.filter(user=clerk_a)) == [old]


def test_an_administrator_who_must_enrol_reaches_setup_and_sign_out_only_until_done(
    client, administrator, settings
):
    settings.PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS = True
    password_only(client, administrator)
    for path in ("/state/administration/", "/accounts/password/", BACKUP_CODES, TURN_OFF):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"] == SETUP
    assert client.get(SETUP).status_code == 200
    pending = client.session[PENDING_KEY_SESSION]
    answer = client.post(SETUP, {"token": code_for(pending), "password": PASSWORD})
    assert answer.status_code == 200 and len(shown_codes(answer)) == 10
    assert client.get("/state/administration/").status_code == 200


def test_an_administrator_who_must_have_two_factor_cannot_turn_it_off(
    client, administrator, settings
):
    settings.PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS = True
    device = with_authenticator(administrator)
    verified(client, administrator, device)
    assert client.post(TURN_OFF, {"password": PASSWORD}).status_code == 400
    assert TOTPDevice.objects.filter(user=administrator).exists()


def test_turning_two_factor_off_takes_the_password_and_removes_the_backup_codes(client, clerk_a):
    device = with_authenticator(clerk_a)
    backup_codes_generate(user=clerk_a)
    verified(client, clerk_a, device)
    assert client.post(TURN_OFF, {"password": "wrong"}).status_code == 400
    assert TOTPDevice.objects.filter(user=clerk_a).exists()
    assert client.post(TURN_OFF, {"password": PASSWORD}).status_code == 302
    assert device_rows() == []
    assert ActivityEntry.objects.filter(action="account.two_factor_removed").exists()


def test_wrong_passwords_on_the_two_factor_pages_sign_the_session_out(client, clerk_a):
    device = with_authenticator(clerk_a)
    verified(client, clerk_a, device)
    for _ in range(PASSWORD_FAILURE_LIMIT - 1):
        assert client.post(BACKUP_CODES, {"password": "guess"}).status_code == 400
    last = client.post(BACKUP_CODES, {"password": "guess"})
    assert last.status_code == 302 and last["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_an_administrator_removing_a_lost_authenticator_removes_the_backup_codes_too(
    client, administrator, auditor
):
    with_authenticator(auditor)
    backup_codes_generate(user=auditor)
    client.force_login(administrator)
    answer = client.post(
        f"/state/administration/accounts/{auditor.pk}/", {"remove_two_factor": "1"}
    )
    assert answer.status_code == 302
    assert not BackupCodeDevice.objects.filter(user=auditor).exists()
    assert not BackupCode.objects.exists()


# --- backup codes ------------------------------------------------------------------


def test_backup_codes_are_shown_once_and_stored_only_as_keyed_hashes(client, clerk_a):
    device = with_authenticator(clerk_a)
    verified(client, clerk_a, device)
    answer = client.post(BACKUP_CODES, {"password": PASSWORD})
    codes = shown_codes(answer)
    assert answer.status_code == 200 and len(set(codes)) == 10
    digests = list(BackupCode.objects.values_list("digest", flat=True))
    assert len(digests) == 10 and all(re.fullmatch(r"[0-9a-f]{64}", d) for d in digests)
    any_form = "|".join([*codes, *(code.replace("-", "") for code in codes)])
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # Every column of every row, as text.
            query = sql.SQL("SELECT count(*) FROM {} AS row WHERE row::text ~* %s")
            cursor.execute(query.format(sql.Identifier(table)), [any_form])
            if cursor.fetchone()[0]:
                found.append(table)
    sessions = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    found += ["session" for code in codes if code.replace("-", "") in sessions]
    assert not found, found
    page = client.get(BACKUP_CODES).content.decode()
    assert "10 unused" in page and not any(code in page for code in codes)


def test_a_backup_code_signs_in_once_and_says_how_many_remain(client, clerk_a):
    with_authenticator(clerk_a)
    code = backup_codes_generate(user=clerk_a)[0]
    password_only(client, clerk_a)
    typed = f" {code[:5].upper()}-{code[5:]} "
    answer = client.post(f"{VERIFY}?next=/accounts/password/", {"token": typed}, follow=True)
    assert answer.redirect_chain[0][0] == "/accounts/password/"
    assert "9 backup codes left" in answer.content.decode()
    used = ActivityEntry.objects.get(action="account.backup_code_used")
    assert used.actor == clerk_a and used.detail == {"left": 9}

    again = password_only(Client(), clerk_a)
    refused = again.post(VERIFY, {"token": code})
    assert refused.status_code == 400
    assert held(again.get("/accounts/password/"))


def test_regenerating_backup_codes_voids_the_old_set(clerk_a):
    with_authenticator(clerk_a)
    old = backup_codes_generate(user=clerk_a)
    new = backup_codes_generate(user=clerk_a)
    assert not set(old) & set(new)
    assert sign_in_code_verify(user=clerk_a, token=old[0]) is None
    BackupCodeDevice.objects.update(throttling_failure_count=0)
    assert sign_in_code_verify(user=clerk_a, token=new[0]) is not None
    assert BackupCode.objects.count() == 10


def test_regenerating_backup_codes_takes_the_password(client, clerk_a):
    device = with_authenticator(clerk_a)
    old = backup_codes_generate(user=clerk_a)
    verified(client, clerk_a, device)
    before = device_rows()
    assert client.post(BACKUP_CODES, {"password": "wrong"}).status_code == 400
    assert device_rows() == before
    assert sign_in_code_verify(user=clerk_a, token=old[0]) is not None


def test_wrong_backup_codes_are_throttled(clerk_a):
    with_authenticator(clerk_a)
    codes = backup_codes_generate(user=clerk_a)
    assert sign_in_code_verify(user=clerk_a, token="zzzzzzzzzz") is None
    # Straight after a failure even a right code waits its turn.
    assert sign_in_code_verify(user=clerk_a, token=codes[0]) is None
    device = BackupCodeDevice.objects.get(user=clerk_a)
    assert device.throttling_failure_count == 1
    assert device.unused_count() == 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_uses_of_one_backup_code_let_only_one_through():
    user = UserFactory(username="racer")
    with_authenticator(user)
    code = backup_codes_generate(user=user)[0]
    start = threading.Barrier(4)
    outcomes: list[bool] = []

    def use() -> None:
        try:
            start.wait()
            outcomes.append(sign_in_code_verify(user=user, token=code) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, False, False, True]
    assert BackupCode.objects.filter(used_at__isnull=False).count() == 1
