"""An auditor picks an engagement's findings by filter or all at once, besides ticking
them one by one, and confirms before issuing the report or closing the engagement."""

from datetime import date

import pytest
from django.utils import timezone

from apps.audits.models import Engagement, Finding
from apps.audits.views import EngagementDetailView
from apps.core.models import ChangeRecord
from apps.municipalities.scoping import municipality_scope, statewide_scope
from tests.audits.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def a_finding(municipality, key: str, *, severity="high", agency=None, rule="VAGUE_REASON"):
    now = timezone.now()
    with municipality_scope(municipality):
        return Finding.objects.create(
            municipality=municipality, rule_code=rule, subject_key=key, subject_label=key,
            severity=severity, agency=agency, summary="…", evidence={},
            first_seen_at=now, last_seen_at=now,
        )  # fmt: skip


def an_engagement(municipality, auditor, **fields) -> Engagement:
    return Engagement.objects.create(
        title="Alder Park audit", municipality=municipality, created_by=auditor,
        period_start=date(2020, 1, 1), period_end=timezone.localdate(), **fields,
    )  # fmt: skip


def covered(engagement: Engagement) -> set[str]:
    with statewide_scope():
        return set(engagement.findings.values_list("subject_key", flat=True))


def history_of(engagement: Engagement):
    return ChangeRecord.objects.filter(subject_type="audits.engagement", subject_id=engagement.pk)


@pytest.fixture
def findings(municipality_a, municipality_b):
    ice = AgencyFactory(name="ICE ERO Chicago", state="IL", level="federal")
    police = AgencyFactory(name="Alder Park Police Department")
    return {
        "ice grant": a_finding(municipality_a, "ice grant", severity="critical", agency=ice,
                               rule="BLOCKED_AGENCY_GRANT"),
        "police grant": a_finding(municipality_a, "police grant", agency=police),
        "vague 1": a_finding(municipality_a, "vague 1"),
        "vague 2": a_finding(municipality_a, "vague 2"),
        "elsewhere": a_finding(municipality_b, "elsewhere", severity="critical", agency=ice,
                               rule="BLOCKED_AGENCY_GRANT"),
    }  # fmt: skip


def test_add_all_links_every_candidate_including_those_past_the_listed_rows(
    client, auditor, municipality_a, findings, monkeypatch
):
    monkeypatch.setattr(EngagementDetailView, "candidates_listed", 2)
    engagement = an_engagement(municipality_a, auditor)
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)

    page = client.get(url).content.decode()
    assert page.count('name="finding"') == 2
    assert "Add all 4 findings" in page

    response = client.post(url, {"action": "findings_add"}, follow=True)

    assert covered(engagement) == {"ice grant", "police grant", "vague 1", "vague 2"}
    assert "4 findings added; the engagement covers 4." in response.content.decode()
    assert history_of(engagement).filter(changes__has_key="findings").count() == 1


def test_add_all_matching_takes_the_filter_values_and_nothing_else(
    client, auditor, municipality_a, findings
):
    engagement = an_engagement(municipality_a, auditor)
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)

    page = client.get(url, {"candidates-severity": "critical"}).content.decode()
    assert "Add all 1 matching finding" in page
    assert 'name="candidates-severity" value="critical"' in page

    client.post(url, {"action": "findings_add", "candidates-severity": "critical"})
    assert covered(engagement) == {"ice grant"}

    client.post(url, {"action": "findings_add", "candidates-rule_code": "VAGUE_REASON"})
    assert covered(engagement) == {"ice grant", "police grant", "vague 1", "vague 2"}


def test_the_agency_filter_matches_acronyms_as_whole_words(
    client, auditor, municipality_a, findings
):
    engagement = an_engagement(municipality_a, auditor)
    client.force_login(auditor)

    client.post(
        f"/state/engagements/{engagement.pk}/",
        {"action": "findings_add", "candidates-agency": "ICE"},
    )

    # "Police" holds the letters of ICE, not the word; another municipality's ICE
    # finding is no candidate of this engagement.
    assert covered(engagement) == {"ice grant"}


def test_findings_outside_the_candidates_cannot_be_added_by_any_field(
    client, auditor, municipality_a, findings
):
    engagement = an_engagement(municipality_a, auditor)
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)
    elsewhere = findings["elsewhere"]

    client.post(url, {"action": "findings_add", "candidates-severity": "critical",
                      "finding": [elsewhere.pk], "shown": [elsewhere.pk],
                      "candidates-municipality": elsewhere.municipality_id})  # fmt: skip
    refused = client.post(url, {"action": "findings_add", "candidates-severity": "urgent"})

    assert covered(engagement) == {"ice grant"}
    assert refused.status_code == 400
    assert covered(engagement) == {"ice grant"}


def test_remove_all_matching_unlinks_only_what_matches(client, auditor, municipality_a, findings):
    engagement = an_engagement(municipality_a, auditor)
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)
    client.post(url, {"action": "findings_add"})

    response = client.post(
        url, {"action": "findings_remove", "candidates-rule_code": "VAGUE_REASON"}, follow=True
    )

    assert covered(engagement) == {"ice grant"}
    assert "3 findings removed; the engagement covers 1." in response.content.decode()


def test_ticking_a_filtered_list_keeps_covered_findings_that_were_not_listed(
    client, auditor, municipality_a, findings
):
    engagement = an_engagement(municipality_a, auditor)
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)
    client.post(url, {"action": "findings_add"})
    vague = [findings["vague 1"].pk, findings["vague 2"].pk]

    page = client.get(url, {"candidates-rule_code": "VAGUE_REASON"}).content.decode()
    assert page.count('name="shown"') == 3
    client.post(url, {"action": "findings", "shown": vague, "finding": vague[:1]})

    assert covered(engagement) == {"ice grant", "police grant", "vague 1"}


def test_the_covered_filter_lists_what_is_still_to_add(client, auditor, municipality_a, findings):
    engagement = an_engagement(municipality_a, auditor)
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)
    client.post(url, {"action": "findings_add", "candidates-severity": "critical"})

    page = client.get(url, {"candidates-covered": "no"}).content.decode()

    assert "3 candidates match the filter, 0 of them covered." in page
    assert ": ice grant</label>" not in page and ": vague 1</label>" in page


def test_municipal_staff_cannot_add_findings_to_an_engagement(
    client, auditor, clerk_a, municipality_a, findings
):
    engagement = an_engagement(municipality_a, auditor)
    client.force_login(clerk_a)

    response = client.post(f"/state/engagements/{engagement.pk}/", {"action": "findings_add"})

    assert response.status_code == 403
    assert covered(engagement) == set()


@pytest.mark.parametrize(
    ("status", "button", "confirmation"),
    [
        ("draft_report", "Move to: Issue the report", "I confirm: issue the report now."),
        ("issued", "Move to: Close", "I confirm: close the engagement."),
    ],
)
def test_issuing_and_closing_take_a_confirmation_and_change_nothing_without_it(
    client, auditor, municipality_a, status, button, confirmation
):
    engagement = an_engagement(municipality_a, auditor, status=status, conclusion="Shared.")
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)

    page = client.get(url).content.decode()
    assert button in page and confirmation in page
    assert 'type="checkbox" name="confirm" required' in page

    refused = client.post(url, {"action": "advance"})
    engagement.refresh_from_db()
    assert refused.status_code == 400
    assert "Nothing was changed: tick the box" in refused.content.decode()
    assert (engagement.status, engagement.issued_at) == (status, None)
    assert not history_of(engagement).exists()

    client.post(url, {"action": "advance", "confirm": "on"})
    engagement.refresh_from_db()
    assert engagement.status == {"draft_report": "issued", "issued": "closed"}[status]


def test_earlier_steps_need_no_confirmation(client, auditor, municipality_a):
    engagement = an_engagement(municipality_a, auditor)
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)

    assert 'name="confirm"' not in client.get(url).content.decode()
    client.post(url, {"action": "advance"})

    engagement.refresh_from_db()
    assert engagement.status == "fieldwork"
