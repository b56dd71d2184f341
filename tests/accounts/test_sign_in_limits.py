"""Sign-in limits: failed sign-ins slow and then lock a username (from any address) and
an address (for any username), behind a proxy too, without ever checking a password
while held; administrators lift them under Lockouts."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.test import Client

from apps.accounts.models import SignInLimit
from apps.accounts.sign_in_limits import (
    sign_in_check,
    sign_in_failure_record,
    sign_in_limits_purge_stale,
)
from apps.core.models import ActivityEntry
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKOUTS = "/state/administration/lockouts/"
PROXY = "10.0.0.2"


def sign_in(client, username: str, password: str, **meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def time_passes(*, seconds: float) -> None:
    """As if `seconds` had gone by: every sign-in count moves that far into the past."""
    delta = timedelta(seconds=seconds)
    SignInLimit.objects.update(
        first_failure_at=F("first_failure_at") - delta,
        last_failure_at=F("last_failure_at") - delta,
        retry_after=F("retry_after") - delta,
        locked_at=F("locked_at") - delta,
    )


def lock_username(client, username: str) -> None:
    """Fail as often as the lock needs, each time from a new address after the wait."""
    for n in range(settings.PORTAL_SIGN_IN_USERNAME_LOCK_FAILURES):
        response = sign_in(client, username, "wrong-password", REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert response.status_code == 200, response.status_code
        time_passes(seconds=settings.PORTAL_SIGN_IN_MAX_DELAY_SECONDS)


def held(response) -> bool:
    return response.status_code == 429 and "Too many failed sign-ins" in response.content.decode()


def test_ten_usernames_failing_once_from_one_address_hold_that_address(client, clerk_a):
    sprayer = "203.0.113.50"
    for n in range(settings.PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES):
        name = clerk_a.username if n == 0 else f"guess-{n}"
        assert sign_in(client, name, "Winter2026!", REMOTE_ADDR=sprayer).status_code == 200
    assert not SignInLimit.objects.filter(kind="username", failures__gt=1).exists()

    with mock.patch("apps.accounts.forms.authenticate") as authenticate:
        refused = sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR=sprayer)
    assert held(refused) and "from your address" in refused.content.decode()
    assert refused["Retry-After"] == str(settings.PORTAL_SIGN_IN_FIRST_DELAY_SECONDS)
    authenticate.assert_not_called()  # a held sign-in costs no password hash
    assert "_auth_user_id" not in client.session
    entry = ActivityEntry.objects.filter(action="account.sign_in_held").get()
    assert entry.ip == sprayer and entry.detail["held_by"] == "address"

    elsewhere = sign_in(Client(), clerk_a.username, PASSWORD, REMOTE_ADDR="203.0.113.51")
    assert elsewhere.status_code == 302


def test_one_username_from_many_addresses_waits_longer_each_time_and_then_is_locked(
    client, clerk_a
):
    free = settings.PORTAL_SIGN_IN_USERNAME_FREE_FAILURES
    for n in range(free):
        sign_in(client, clerk_a.username, "wrong-password", REMOTE_ADDR=f"198.51.100.{n + 1}")
    waits = []
    for n in range(free, settings.PORTAL_SIGN_IN_USERNAME_LOCK_FAILURES):
        refused = sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert held(refused) and "for this username" in refused.content.decode()
        waits.append(int(refused["Retry-After"]))
        time_passes(seconds=waits[-1])
        failed = sign_in(client, clerk_a.username, "wrong-password", REMOTE_ADDR=f"192.0.2.{n}")
        assert failed.status_code == 200 and "correct username and password" in failed.text
    assert waits == [2, 4, 8, 16, 32, 64, 128]

    time_passes(seconds=settings.PORTAL_SIGN_IN_MAX_DELAY_SECONDS)
    locked = sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR="203.0.113.99")
    assert held(locked) and "locked until" in locked.content.decode()
    lockout = settings.PORTAL_SIGN_IN_LOCKOUT_MINUTES * 60
    assert int(locked["Retry-After"]) == lockout - settings.PORTAL_SIGN_IN_MAX_DELAY_SECONDS
    assert "_auth_user_id" not in client.session


def test_a_locked_username_signs_in_again_once_an_administrator_lifts_it(
    client, clerk_a, administrator
):
    lock_username(client, clerk_a.username)
    assert held(sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR="203.0.113.99"))

    admin = Client()
    admin.force_login(administrator)
    page = admin.get(LOCKOUTS).content.decode()
    assert f"<td>{clerk_a.username}</td>" in page and "<strong>locked</strong>" in page
    limit = SignInLimit.objects.get(kind="username", key=clerk_a.username)
    assert admin.post(LOCKOUTS, {"limit": limit.pk}).status_code == 302
    entry = ActivityEntry.objects.filter(action="account.unlocked").get()
    assert entry.actor == administrator and entry.detail["key"] == clerk_a.username
    assert f"<td>{clerk_a.username}</td>" not in admin.get(LOCKOUTS).content.decode()

    again = sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR="203.0.113.99")
    assert again.status_code == 302


def test_a_lock_ends_after_the_lockout_period_and_one_more_failure_locks_again(client, clerk_a):
    lock_username(client, clerk_a.username)
    time_passes(seconds=settings.PORTAL_SIGN_IN_LOCKOUT_MINUTES * 60)
    after_the_period = sign_in(client, clerk_a.username, "wrong-again", REMOTE_ADDR="203.0.113.7")
    assert after_the_period.status_code == 200
    assert held(sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR="203.0.113.7"))


def test_with_a_lockout_period_of_zero_only_an_administrator_ends_a_lock(client, clerk_a, settings):
    settings.PORTAL_SIGN_IN_LOCKOUT_MINUTES = 0
    lock_username(client, clerk_a.username)
    time_passes(seconds=30 * 24 * 3600)
    refused = sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert held(refused) and "administrator lifts the lock" in refused.content.decode()
    assert "Retry-After" not in refused


def test_unknown_usernames_are_counted_and_answered_like_real_ones(client, clerk_a):
    answers = {}
    for name in (clerk_a.username, "nobody-here"):
        for n in range(settings.PORTAL_SIGN_IN_USERNAME_FREE_FAILURES):
            first = sign_in(client, name, "wrong-password", REMOTE_ADDR=f"198.51.100.{n + 1}")
        refused = sign_in(client, name, "wrong-password", REMOTE_ADDR="198.51.100.200")
        assert held(refused)
        answers[name] = (first.status_code, first.context["form"].non_field_errors(),
                         refused.status_code, refused["Retry-After"])  # fmt: skip
    assert answers[clerk_a.username] == answers["nobody-here"]


def test_a_quiet_day_restarts_the_count(client, clerk_a):
    for n in range(settings.PORTAL_SIGN_IN_USERNAME_FREE_FAILURES):
        sign_in(client, clerk_a.username, "wrong-password", REMOTE_ADDR=f"198.51.100.{n + 1}")
    time_passes(seconds=settings.PORTAL_SIGN_IN_QUIET_HOURS * 3600 + 1)
    sign_in(client, clerk_a.username, "wrong-password", REMOTE_ADDR="198.51.100.9")
    assert SignInLimit.objects.get(kind="username", key=clerk_a.username).failures == 1
    right = sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR="198.51.100.9")
    assert right.status_code == 302


def test_signing_in_clears_the_usernames_count_but_not_the_addresss(client, clerk_a):
    office = "198.51.100.77"
    sign_in(client, "someone-else", "wrong-password", REMOTE_ADDR=office)
    sign_in(client, clerk_a.username, "wrong-password", REMOTE_ADDR=office)
    assert sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR=office).status_code == 302
    assert not SignInLimit.objects.filter(kind="username", key=clerk_a.username).exists()
    assert SignInLimit.objects.get(kind="address", key=office).failures == 2


def test_in_a_slowed_office_one_sign_in_does_not_make_the_next_colleague_wait(clerk_a, clerk_b):
    office = "198.51.100.77"
    for n in range(settings.PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES):
        sign_in(Client(), f"typo-{n}", "wrong-password", REMOTE_ADDR=office)
    time_passes(seconds=settings.PORTAL_SIGN_IN_FIRST_DELAY_SECONDS)
    assert sign_in(Client(), clerk_a.username, PASSWORD, REMOTE_ADDR=office).status_code == 302
    assert sign_in(Client(), clerk_b.username, PASSWORD, REMOTE_ADDR=office).status_code == 302


def test_behind_a_trusted_proxy_each_client_is_limited_apart(clerk_a, clerk_b, settings):
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    sprayer, neighbour = Client(), Client()
    for n in range(settings.PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES):
        # Whatever the sprayer puts in front, the proxy appends the address it saw.
        made_up = f"192.0.2.{n}, 203.0.113.5"
        sign_in(sprayer, f"guess-{n}", "Winter2026!", REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=made_up)  # fmt: skip
    refused = sign_in(sprayer, clerk_a.username, PASSWORD, REMOTE_ADDR=PROXY,
                      HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")  # fmt: skip
    assert held(refused)
    assert SignInLimit.objects.filter(kind="address").get().key == "203.0.113.5"

    allowed = sign_in(neighbour, clerk_b.username, PASSWORD, REMOTE_ADDR=PROXY,
                      HTTP_X_FORWARDED_FOR="203.0.113.6")  # fmt: skip
    assert allowed.status_code == 302
    failures = ActivityEntry.objects.filter(action="account.sign_in_failed")
    assert set(failures.values_list("ip", flat=True)) == {"203.0.113.5"}
    signed_in = ActivityEntry.objects.get(action="account.signed_in")
    assert signed_in.ip == "203.0.113.6"


def test_from_an_untrusted_peer_a_spoofed_forwarded_for_changes_nothing(clerk_a, settings):
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    peer = "198.51.100.20"
    client = Client()
    for n in range(settings.PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES):
        sign_in(client, f"guess-{n}", "Winter2026!", REMOTE_ADDR=peer,
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")  # fmt: skip
    refused = sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR=peer,
                      HTTP_X_FORWARDED_FOR="203.0.113.200")  # fmt: skip
    assert held(refused)
    assert list(SignInLimit.objects.filter(kind="address").values_list("key", flat=True)) == [peer]
    logged = ActivityEntry.objects.filter(action__startswith="account.sign_in")
    assert logged.count() == settings.PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES + 1
    assert set(logged.values_list("ip", flat=True)) == {peer}


def test_ipv6_clients_are_counted_by_their_64_network(client, clerk_a):
    for n in range(settings.PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES):
        sign_in(client, f"guess-{n}", "Winter2026!", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
    assert held(sign_in(client, clerk_a.username, PASSWORD, REMOTE_ADDR="2001:db8:1:2::ffff"))
    assert SignInLimit.objects.get(kind="address").key == "2001:db8:1:2::/64"


def test_the_django_admin_sign_in_is_held_by_the_same_limits(client, administrator):
    administrator.is_staff = True
    administrator.save()
    admin_login = "/django-admin/login/"
    for n in range(settings.PORTAL_SIGN_IN_USERNAME_FREE_FAILURES):
        wrong = {"username": administrator.username, "password": "wrong"}
        client.post(admin_login, wrong, REMOTE_ADDR=f"192.0.2.{n}")
    right = {"username": administrator.username, "password": PASSWORD}
    with mock.patch("apps.accounts.forms.authenticate") as authenticate:
        refused = client.post(admin_login, right, REMOTE_ADDR="192.0.2.99")
    authenticate.assert_not_called()
    assert "Too many failed sign-ins" in refused.content.decode()


@pytest.mark.parametrize("junk", ["²", "٣", "abc", "", "1' OR '1'='1", "\x00", "9" * 30, "-1"])
def test_junk_in_the_lockouts_form_is_a_400_with_a_message(client, administrator, junk):
    client.force_login(administrator)
    response = client.post(LOCKOUTS, {"limit": junk})
    assert response.status_code == 400
    assert "message-error" in response.content.decode()
    assert client.post(LOCKOUTS, {"attempt": "²"}).status_code == 400


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_failures_are_each_counted():
    def fail() -> None:
        try:
            barrier.wait()
            sign_in_failure_record(username="target", address="203.0.113.9")
        finally:
            connection.close()

    attempts = 20
    barrier = threading.Barrier(attempts)
    threads = [threading.Thread(target=fail) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SignInLimit.objects.get(kind="username", key="target").failures == attempts
    assert SignInLimit.objects.get(kind="address", key="203.0.113.9").failures == attempts
    assert SignInLimit.objects.get(kind="username", key="target").locked_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requests_sent_together_to_a_slowed_username_get_one_turn_between_them():
    for _ in range(settings.PORTAL_SIGN_IN_USERNAME_FREE_FAILURES):
        sign_in_failure_record(username="target", address="")
    time_passes(seconds=settings.PORTAL_SIGN_IN_MAX_DELAY_SECONDS)
    turns = []

    def check(n: int) -> None:
        try:
            barrier.wait()
            turns.append(sign_in_check(username="target", address=f"203.0.113.{n}"))
        finally:
            connection.close()

    attempts = 10
    barrier = threading.Barrier(attempts)
    threads = [threading.Thread(target=check, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(turn.hold is None for turn in turns) == [False] * (attempts - 1) + [True]
    held = ActivityEntry.objects.filter(action="account.sign_in_held")
    assert held.count() == attempts - 1


def test_quiet_counts_are_purged_but_locks_kept(settings):
    settings.PORTAL_SIGN_IN_LOCKOUT_MINUTES = 0
    sign_in_failure_record(username="once", address="203.0.113.1")
    for _ in range(settings.PORTAL_SIGN_IN_USERNAME_LOCK_FAILURES):
        sign_in_failure_record(username="locked", address="")
    time_passes(seconds=settings.PORTAL_SIGN_IN_QUIET_HOURS * 3600 + 1)
    assert sign_in_limits_purge_stale() == 2
    assert list(SignInLimit.objects.values_list("key", flat=True)) == ["locked"]
