"""The auditors' findings queue across municipalities, with bulk steps."""

import pytest
from django.utils import timezone

from apps.audits.models import Finding, FindingEvent
from apps.municipalities.scoping import municipality_scope, statewide_scope

pytestmark = pytest.mark.django_db


def finding(municipality, label: str, severity: str = "high") -> Finding:
    now = timezone.now()
    with municipality_scope(municipality):
        return Finding.objects.create(
            municipality=municipality, rule_code="VAGUE_REASON", subject_key=f"agency:{label}",
            subject_label=label, severity=severity, summary="s", evidence={},
            first_seen_at=now, last_seen_at=now,
        )  # fmt: skip


def test_an_auditor_acknowledges_findings_of_two_municipalities_at_once(
    client, auditor, municipality_a, municipality_b
):
    first, second = finding(municipality_a, "A agency"), finding(municipality_b, "B agency")
    untouched = finding(municipality_b, "C agency")
    client.force_login(auditor)

    page = client.get("/state/findings/").content.decode()
    client.post("/state/findings/", {"action": "acknowledge", "selection": [first.pk, second.pk]})

    assert municipality_a.name in page and municipality_b.name in page
    with statewide_scope():
        statuses = dict(Finding.objects.values_list("pk", "status"))
        assert FindingEvent.objects.filter(actor=auditor, to_status="acknowledged").count() == 2
    assert statuses == {first.pk: "acknowledged", second.pk: "acknowledged", untouched.pk: "open"}


def test_dismissing_in_bulk_without_a_reason_changes_nothing(client, auditor, municipality_a):
    one, two = finding(municipality_a, "A"), finding(municipality_a, "B")
    client.force_login(auditor)

    response = client.post(
        "/state/findings/", {"action": "dismiss", "selection": [one.pk, two.pk]}, follow=True
    )

    assert "Say why in the note" in response.content.decode()
    with statewide_scope():
        assert set(Finding.objects.values_list("status", flat=True)) == {"open"}


def test_findings_are_assigned_to_an_auditor_and_the_step_is_kept(
    client, auditor, administrator, municipality_a
):
    one = finding(municipality_a, "A")
    client.force_login(administrator)

    client.post("/state/findings/", {"action": "assign", "assignee": auditor.pk,
                                     "selection": [one.pk]})  # fmt: skip

    with statewide_scope():
        one.refresh_from_db()
        assert one.assigned_to == auditor
        assert FindingEvent.objects.filter(finding=one, note__contains="Assigned").exists()


def test_the_queue_filters_by_municipality_and_is_closed_to_municipal_staff(
    client, auditor, clerk_a, municipality_a, municipality_b
):
    finding(municipality_a, "Only in A")
    finding(municipality_b, "Only in B")
    client.force_login(auditor)

    page = client.get(f"/state/findings/?municipality={municipality_b.pk}").content.decode()

    assert "Only in B" in page and "Only in A" not in page
    client.force_login(clerk_a)
    assert client.get("/state/findings/").status_code == 403


@pytest.mark.parametrize(
    ("crafted", "message"),
    [
        ({"action": "acknowledge", "selection": ["²"]}, "not in the queue any more"),
        ({"action": "acknowledge", "selection": ["99999999999999999999"]}, "not in the queue"),
        ({"action": "assign", "assignee": "abc"}, "Choose the auditor from the list"),
        ({"action": "assign", "assignee": "٣"}, "Choose the auditor from the list"),
        ({"action": "shred"}, "Choose what to do with the selected findings"),
    ],
)
def test_a_crafted_bulk_step_is_refused_with_a_message_and_changes_nothing(
    client, auditor, municipality_a, crafted, message
):
    one = finding(municipality_a, "A")
    client.force_login(auditor)

    response = client.post("/state/findings/", {"selection": [one.pk], **crafted})

    assert response.status_code == 400
    assert message in response.content.decode()
    with statewide_scope():
        one.refresh_from_db()
        assert (one.status, one.assigned_to) == ("open", None)
        assert not FindingEvent.objects.filter(finding=one).exists()
