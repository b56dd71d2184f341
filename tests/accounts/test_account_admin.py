"""Administrators manage accounts and memberships in the portal, with history."""

import pytest

from apps.accounts.models import User
from apps.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_clerk_to_a_municipality_and_the_change_is_kept(
    client, administrator, municipality_a, municipality_b
):
    client.force_login(administrator)

    created = client.post("/state/administration/accounts/new/", {
        "username": "new.clerk", "first_name": "Ana", "last_name": "Ruiz", "email": "",
        "role": "municipal", "is_active": "on", "municipalities": [municipality_a.pk],
        "password": "a-long-first-password-7", "change_reason": "Hired as records clerk",
    })  # fmt: skip
    clerk = User.objects.get(username="new.clerk")
    moved = client.post(f"/state/administration/accounts/{clerk.pk}/", {
        "username": "new.clerk", "first_name": "Ana", "last_name": "Ruiz", "email": "",
        "role": "municipal", "is_active": "on", "municipalities": [municipality_b.pk],
        "change_reason": "Transferred",
    })  # fmt: skip

    assert created.status_code == moved.status_code == 302
    assert clerk.check_password("a-long-first-password-7")
    assert list(clerk.memberships.values_list("municipality", flat=True)) == [municipality_b.pk]
    change = ChangeRecord.objects.filter(subject_type="accounts.user", subject_id=clerk.pk).first()
    assert change.actor == administrator and change.reason == "Transferred"
    assert change.changes["municipalities"] == [[municipality_a.name], [municipality_b.name]]
    page = client.get(f"/state/administration/accounts/{clerk.pk}/").content.decode()
    assert "Hired as records clerk" in page and "Transferred" in page


def test_municipal_staff_without_a_municipality_and_weak_passwords_are_refused(
    client, administrator
):
    client.force_login(administrator)

    response = client.post("/state/administration/accounts/new/", {
        "username": "x", "role": "municipal", "is_active": "on", "password": "short",
        "change_reason": "r",
    })  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 200
    assert "Municipal staff work for a municipality" in page and "too short" in page
    assert not User.objects.filter(username="x").exists()


def test_auditors_cannot_manage_accounts(client, auditor, clerk_a):
    client.force_login(auditor)
    assert client.get(f"/state/administration/accounts/{clerk_a.pk}/").status_code == 403
