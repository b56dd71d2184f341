import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.core import demo
from apps.municipalities.models import Membership, Municipality

pytestmark = pytest.mark.django_db

HOME_BY_ROLE = {
    "municipal": "/m/{slug}/",
    "auditor": "/state/",
    "administrator": "/state/administration/",
}


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (Municipality.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert counts == (
        Municipality.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert counts[0] == len(demo.MUNICIPALITIES)


@pytest.mark.parametrize("account", demo.ACCOUNTS, ids=lambda a: a.username)
def test_every_demo_login_lands_on_its_role_home(client, account):
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/",
        {"username": account.username, "password": account.password},
        follow=True,
    )
    slug = account.municipalities[0] if account.municipalities else ""
    assert response.redirect_chain[-1][0] == HOME_BY_ROLE[account.role].format(slug=slug)
    assert "Demo data" not in response.content.decode()  # the test settings are not demo mode


def test_seed_demo_uploads_exports_that_break_every_rule():
    from apps.audits.models import Finding
    from apps.compliance.rulebook import RULES
    from apps.municipalities.scoping import statewide_scope

    call_command("seed_demo")

    with statewide_scope():
        seen = set(Finding.objects.values_list("rule_code", flat=True))
    assert seen == {rule["code"] for rule in RULES}
