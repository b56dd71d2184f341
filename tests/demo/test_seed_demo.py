from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import User
from apps.audits.models import Finding
from apps.demo import data as demo
from apps.demo.management.commands import seed_demo
from apps.municipalities.models import Membership, Municipality
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import SearchEvent, SharingChange, SharingGrant

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
# A date far from the samples' (2022 to early 2026), and the real one.
DATES = [date(2031, 6, 15), None]


@pytest.fixture
def clock(monkeypatch):
    """Sets the portal's clock (django.utils.timezone.now) to 10:30 in Chicago on a day;
    None leaves the real clock."""

    def set_day(day: date | None) -> None:
        if day is not None:
            moment = datetime.combine(day, time(10, 30), tzinfo=CHICAGO)
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_day


def demo_times() -> dict:
    with statewide_scope():
        return {
            "searches": sorted(SearchEvent.objects.values_list("vendor_search_id", "searched_at")),
            "changes": sorted(SharingChange.objects.values_list("pk", "occurred_at")),
            "grants": sorted(
                SharingGrant.objects.values_list("pk", "decided_at", "status_changed_at")
            ),
            "findings": sorted(Finding.objects.values_list("pk", "summary", "first_seen_at")),
        }


HOME_BY_ROLE = {
    "municipal": "/m/{slug}/",
    "auditor": "/state/",
    "administrator": "/state/administration/",
}


# What production's settings turn on (config/settings/production.py), one at a time.
PRODUCTION_LIKE = [
    {"SETTINGS_MODULE": "config.settings.production"},
    {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True},
    {"SECURE_HSTS_SECONDS": 31536000},
]


@pytest.mark.parametrize("production", PRODUCTION_LIKE, ids=lambda values: next(iter(values)))
def test_seed_demo_refuses_production_settings_and_writes_nothing(production):
    with override_settings(**production), pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    with statewide_scope():
        assert not Municipality.objects.exists()
        assert not User.objects.exists()
        assert not SearchEvent.objects.exists()


def test_seed_demo_reads_its_own_samples_not_the_tests():
    """The demo runs from its app: every upload it names is in apps/demo/samples."""
    samples = Path(seed_demo.__file__).resolve().parents[2] / "samples"
    assert samples == seed_demo.SAMPLES
    assert all((samples / item.file).is_file() for item in demo.EXPORTS)
    assert "tests" not in samples.parts


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (Municipality.objects.count(), User.objects.count(), Membership.objects.count())
    times = demo_times()
    call_command("seed_demo")
    assert counts == (
        Municipality.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert counts[0] == len(demo.MUNICIPALITIES)
    assert demo_times() == times  # the dates were moved once, not twice


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


@pytest.mark.parametrize("day", DATES, ids=["2031-06-15", "today"])
def test_seed_demo_uploads_exports_that_break_every_rule(clock, day):
    from apps.compliance.rulebook import RULES

    clock(day)
    call_command("seed_demo")

    with statewide_scope():
        seen = set(Finding.objects.values_list("rule_code", flat=True))
    assert seen == {rule["code"] for rule in RULES}


@pytest.mark.parametrize("day", DATES, ids=["2031-06-15", "today"])
def test_demo_activity_ends_in_the_week_before_today(clock, day):
    clock(day)
    call_command("seed_demo")

    today = timezone.localdate()
    # Each municipality's story moves on its own, by whole weeks: which one ends latest
    # statewide depends on today's weekday, so the weekday is checked on one of them.
    with statewide_scope():
        latest = dict(
            SearchEvent.objects.values("municipality__name")
            .annotate(at=Max("searched_at"))
            .values_list("municipality__name", "at")
        )
    statewide = max(latest.values())
    assert today - timedelta(days=7) <= timezone.localdate(statewide) < today
    assert statewide < timezone.now()
    # Maple Grove's Network Audit sample ends on Monday, February 9, 2026 (local time).
    maple_grove = timezone.localdate(latest["Maple Grove"])
    assert today - timedelta(days=7) <= maple_grove < today
    assert maple_grove.weekday() == date(2026, 2, 9).weekday()


def test_seed_demo_leads_up_to_the_date_it_is_given():
    call_command("seed_demo", "--today", "2031-06-15")

    with statewide_scope():
        latest = SearchEvent.objects.aggregate(at=Max("searched_at"))["at"]
    assert date(2031, 6, 8) <= timezone.localdate(latest) < date(2031, 6, 15)


@pytest.mark.parametrize("day", DATES, ids=["2031-06-15", "today"])
def test_demo_dashboards_show_the_last_30_and_90_days(client, clock, day):
    clock(day)
    call_command("seed_demo")
    client.force_login(User.objects.get(username="auditor"))

    statewide = client.get("/state/").context
    assert statewide["figures"]["flagged_searches_30d"] > 0
    assert any(bar.value for bar in statewide["searches_chart"].bars)
    assert any(bar.value for bar in statewide["findings_chart"].bars)

    for slug in ("maple-grove", "riverbend", "oak-prairie", "lakeview-heights"):
        home = client.get(f"/m/{slug}/").context
        assert home["summary"]["searches_30d"]["total"] > 0, slug
        assert home["summary"]["searches_30d"]["flagged"] > 0, slug
        assert any(total for *_, total in home["level_chart"].columns), slug
        assert home["top_agencies"], slug  # the last 90 days


@pytest.mark.parametrize("day", DATES, ids=["2031-06-15", "today"])
def test_the_demo_story_keeps_its_shape_when_moved(clock, day):
    """The night a detective accepted 214 requests within four minutes (Tuesday, April
    16, 2024 in the sample, 14:02 in Chicago) and the revocation of the ICE grant
    accepted in it, 525 days (17 months) later."""
    clock(day)
    call_command("seed_demo")

    riverbend = Municipality.objects.get(slug="riverbend")
    with municipality_scope(riverbend):
        (burst,) = Finding.objects.filter(rule_code="BULK_ACCEPTANCE")
        ice = SharingGrant.objects.get(partner_name="ICE ERO Chicago [Federal]")
        accepted = ice.changes.get(new_status="accepted").occurred_at
        revoked = ice.changes.get(new_status="revoked").occurred_at
    assert burst.evidence["count"] == 214
    assert burst.last_seen_at - burst.first_seen_at < timedelta(minutes=4)
    assert burst.first_seen_at <= accepted <= burst.last_seen_at
    start = timezone.localtime(burst.first_seen_at)
    shift = start.date() - date(2024, 4, 16)
    assert shift.days > 0 and shift.days % 7 == 0  # whole weeks: a Tuesday still
    assert (start.hour, start.minute) == (14, 2)
    with municipality_scope(riverbend):
        latest = SearchEvent.objects.aggregate(at=Max("searched_at"))["at"]
    # Riverbend's last search in its files (Oct 20, 2025) moved as far as the burst.
    assert timezone.localdate(latest) - shift == date(2025, 10, 20)
    days = (timezone.localdate(revoked) - timezone.localdate(accepted)).days
    assert days == (date(2025, 9, 23) - date(2024, 4, 16)).days


def test_the_demo_searches_sit_in_their_monthly_partitions_not_the_default_one():
    from django.db import connection

    from apps.sharing.partitions import DEFAULT

    call_command("seed_demo")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT}")  # noqa: S608 - constant name
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM sharing_searchevent")
        assert cursor.fetchone()[0] > 0
