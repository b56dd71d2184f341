import pytest
from django.urls import reverse

from config.settings import base as base_settings
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, follow=True
    )


def test_municipal_staff_lands_on_their_municipality(client, clerk_a, municipality_a):
    response = login(client, clerk_a.username)
    assert response.redirect_chain[-1][0] == f"/m/{municipality_a.slug}/"
    assert municipality_a.name in response.content.decode()


def test_member_of_several_municipalities_chooses_one(client, clerk_a, municipality_b):
    from tests.municipalities.factories import MembershipFactory

    MembershipFactory(user=clerk_a, municipality=municipality_b)
    response = login(client, clerk_a.username)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "/m/alder-park/" in page and "/m/birch-hollow/" in page


def test_staff_without_municipality_is_told_so(client, db):
    from tests.accounts.factories import UserFactory

    UserFactory(username="orphan")
    response = login(client, "orphan")
    assert "not attached to a municipality" in response.content.decode()


def test_auditor_lands_on_statewide_page(client, auditor, municipality_a):
    response = login(client, auditor.username)
    assert response.redirect_chain[-1][0] == "/state/"
    assert municipality_a.name in response.content.decode()


def test_administrator_lands_on_administration(client, administrator):
    response = login(client, administrator.username)
    assert response.redirect_chain[-1][0] == "/state/administration/"


def test_wrong_password_is_refused_without_saying_which_part(client, clerk_a):
    response = login(client, clerk_a.username, "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_hold_the_account_even_with_the_right_password(client, clerk_a, settings):
    for _ in range(settings.PORTAL_SIGN_IN_USERNAME_FREE_FAILURES):
        login(client, clerk_a.username, "wrong-password")
    response = login(client, clerk_a.username)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client, clerk_a):
    client.force_login(clerk_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_password_change_applies_validators_and_then_works(client, clerk_a):
    client.force_login(clerk_a)
    url = reverse("accounts:password_change")
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )
    assert "too short" in weak.content.decode()
    strong = "correct-horse-battery-staple-9"
    done = client.post(
        url, {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert done.status_code == 302
    clerk_a.refresh_from_db()
    assert clerk_a.check_password(strong)


def test_production_hashes_passwords_with_argon2():
    assert base_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
