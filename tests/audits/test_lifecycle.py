"""A finding's life after evaluation opened it: acknowledge, remediate, verify, dismiss,
who may do what, and the FindingEvent each step leaves."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.audits.models import Finding, FindingEvent
from apps.audits.services import finding_actions, finding_transition, findings_bulk_transition
from apps.municipalities.scoping import municipality_scope

pytestmark = pytest.mark.django_db

S = Finding.Status


def make_finding(municipality, status=S.OPEN, subject="grant:1") -> Finding:
    now = timezone.now()
    return Finding.objects.create(
        municipality=municipality,
        rule_code="BLOCKED_AGENCY_GRANT",
        subject_key=subject,
        subject_label="ICE ERO Chicago [Federal]",
        severity="critical",
        status=status,
        summary="Data is shared with ICE.",
        evidence={"count": 1, "files": []},
        first_seen_at=now,
        last_seen_at=now,
    )


def step(finding, action, actor, note=""):
    with municipality_scope(finding.municipality):
        return finding_transition(finding=finding, action=action, actor=actor, note=note)


def status_of(finding) -> str:
    with municipality_scope(finding.municipality):
        return Finding.objects.get(pk=finding.pk).status


def events_of(finding) -> list[FindingEvent]:
    with municipality_scope(finding.municipality):
        return list(FindingEvent.objects.filter(finding=finding).order_by("at", "id"))


def actions(finding, user) -> list[str]:
    with municipality_scope(finding.municipality):
        finding = Finding.objects.get(pk=finding.pk)
        return finding_actions(finding=finding, user=user)


@pytest.fixture
def finding(municipality_a):
    return make_finding(municipality_a)


def test_open_acknowledged_remediated_verified(finding, clerk_a, auditor):
    acknowledged = step(finding, "acknowledge", clerk_a)
    assert status_of(finding) == S.ACKNOWLEDGED

    remediated = step(finding, "remediate", clerk_a, note="  Revoked ICE in Flock on 9/23  ")
    assert status_of(finding) == S.REMEDIATED

    verified = step(finding, "verify", auditor, note="New sharing list shows no ICE")
    assert status_of(finding) == S.VERIFIED

    events = events_of(finding)
    assert [e.pk for e in events] == [acknowledged.pk, remediated.pk, verified.pk]
    assert [(e.actor, e.from_status, e.to_status, e.note) for e in events] == [
        (clerk_a, S.OPEN, S.ACKNOWLEDGED, ""),
        (clerk_a, S.ACKNOWLEDGED, S.REMEDIATED, "Revoked ICE in Flock on 9/23"),
        (auditor, S.REMEDIATED, S.VERIFIED, "New sharing list shows no ICE"),
    ]
    assert all(e.municipality_id == finding.municipality_id for e in events)
    assert all(e.at is not None for e in events)


def test_remediation_can_skip_acknowledgement(finding, clerk_a):
    step(finding, "remediate", clerk_a, note="Revoked")
    assert status_of(finding) == S.REMEDIATED


@pytest.mark.parametrize("note", ["", "   "])
def test_remediation_needs_a_note(finding, clerk_a, note):
    with pytest.raises(ValidationError):
        step(finding, "remediate", clerk_a, note=note)

    assert status_of(finding) == S.OPEN
    assert events_of(finding) == []


def test_municipal_staff_cannot_verify_their_own_remediation(finding, clerk_a):
    step(finding, "remediate", clerk_a, note="Revoked")

    with pytest.raises(PermissionDenied):
        step(finding, "verify", clerk_a, note="Looks fine to me")

    assert status_of(finding) == S.REMEDIATED
    assert len(events_of(finding)) == 1


def test_an_administrator_may_verify(finding, clerk_a, administrator):
    step(finding, "remediate", clerk_a, note="Revoked")
    step(finding, "verify", administrator)
    assert status_of(finding) == S.VERIFIED


def test_dismissing_needs_an_auditor_and_a_reason(finding, clerk_a, auditor):
    with pytest.raises(PermissionDenied):
        step(finding, "dismiss", clerk_a, note="We think this is fine")
    assert status_of(finding) == S.OPEN

    for note in ("", "  "):
        with pytest.raises(ValidationError):
            step(finding, "dismiss", auditor, note=note)
    assert status_of(finding) == S.OPEN
    assert events_of(finding) == []

    event = step(finding, "dismiss", auditor, note="Test account, never shared data")

    assert status_of(finding) == S.DISMISSED
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        auditor,
        S.OPEN,
        S.DISMISSED,
        "Test account, never shared data",
    )


def test_an_auditor_can_reject_a_remediation_and_reopen_a_dismissal(finding, clerk_a, auditor):
    step(finding, "remediate", clerk_a, note="Revoked")
    with pytest.raises(PermissionDenied):
        step(finding, "reject_remediation", clerk_a, note="no")
    step(finding, "reject_remediation", auditor, note="ICE still in the May sharing list")
    assert status_of(finding) == S.OPEN

    step(finding, "dismiss", auditor, note="Duplicate")
    with pytest.raises(ValidationError):
        step(finding, "reopen", auditor)
    step(finding, "reopen", auditor, note="Not a duplicate after all")
    assert status_of(finding) == S.OPEN
    assert [(e.from_status, e.to_status) for e in events_of(finding)] == [
        (S.OPEN, S.REMEDIATED),
        (S.REMEDIATED, S.OPEN),
        (S.OPEN, S.DISMISSED),
        (S.DISMISSED, S.OPEN),
    ]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.OPEN, "verify"),
        (S.ACKNOWLEDGED, "acknowledge"),
        (S.ACKNOWLEDGED, "verify"),
        (S.VERIFIED, "remediate"),
        (S.VERIFIED, "dismiss"),
        (S.DISMISSED, "acknowledge"),
        (S.DISMISSED, "verify"),
        (S.CLOSED, "acknowledge"),
        (S.CLOSED, "remediate"),
        (S.CLOSED, "dismiss"),
        (S.CLOSED, "reopen"),
        (S.OPEN, "close"),
        (S.OPEN, "delete"),
    ],
)
def test_invalid_transitions_are_refused(municipality_a, auditor, status, action):
    finding = make_finding(municipality_a, status=status)

    with pytest.raises(ValidationError):
        step(finding, action, auditor, note="a note, so only the transition is wrong")

    assert status_of(finding) == status
    assert events_of(finding) == []


def test_finding_actions_lists_what_each_user_may_do(
    municipality_a, clerk_a, auditor, administrator
):
    expected = {
        S.OPEN: (["acknowledge", "remediate"], ["acknowledge", "remediate", "dismiss"]),
        S.ACKNOWLEDGED: (["remediate"], ["remediate", "dismiss"]),
        S.REMEDIATED: ([], ["verify", "reject_remediation", "dismiss"]),
        S.VERIFIED: ([], ["reopen"]),
        S.DISMISSED: ([], ["reopen"]),
        S.CLOSED: ([], []),
    }
    for number, (status, (municipal, state)) in enumerate(expected.items()):
        finding = make_finding(municipality_a, status=status, subject=f"grant:{number}")
        assert actions(finding, clerk_a) == municipal, status
        assert actions(finding, auditor) == state, status
        assert actions(finding, administrator) == state, status


def test_every_listed_action_can_be_taken(municipality_a, clerk_a, auditor):
    targets = {
        "acknowledge": S.ACKNOWLEDGED,
        "remediate": S.REMEDIATED,
        "verify": S.VERIFIED,
        "reject_remediation": S.OPEN,
        "dismiss": S.DISMISSED,
        "reopen": S.OPEN,
    }
    taken = set()
    for status in (S.OPEN, S.ACKNOWLEDGED, S.REMEDIATED, S.VERIFIED, S.DISMISSED):
        for user in (clerk_a, auditor):
            probe = make_finding(municipality_a, status=status, subject=f"probe:{status}:{user}")
            for action in actions(probe, user):
                finding = make_finding(
                    municipality_a, status=status, subject=f"{status}:{user}:{action}"
                )
                step(finding, action, user, note="because")
                assert status_of(finding) == targets[action]
                taken.add(action)
    assert taken == set(targets)


def test_bulk_transition_skips_findings_not_eligible(municipality_a, clerk_a, auditor):
    fresh = make_finding(municipality_a, S.OPEN, "grant:1")
    seen = make_finding(municipality_a, S.ACKNOWLEDGED, "grant:2")
    settled = make_finding(municipality_a, S.VERIFIED, "grant:3")
    cleared = make_finding(municipality_a, S.CLOSED, "grant:4")
    everything = [fresh, seen, settled, cleared]

    with municipality_scope(municipality_a):
        done = findings_bulk_transition(findings=everything, action="acknowledge", actor=clerk_a)
    assert done == 1
    assert [status_of(f) for f in everything] == [
        S.ACKNOWLEDGED,
        S.ACKNOWLEDGED,
        S.VERIFIED,
        S.CLOSED,
    ]
    assert [len(events_of(f)) for f in everything] == [1, 0, 0, 0]

    with municipality_scope(municipality_a):
        refused = findings_bulk_transition(
            findings=Finding.objects.order_by("id"), action="dismiss", actor=clerk_a, note="x"
        )
        dismissed = findings_bulk_transition(
            findings=Finding.objects.order_by("id"),
            action="dismiss",
            actor=auditor,
            note="Vendor test accounts",
        )
    assert refused == 0
    assert dismissed == 2
    assert [status_of(f) for f in everything] == [S.DISMISSED, S.DISMISSED, S.VERIFIED, S.CLOSED]
    event = events_of(fresh)[-1]
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        auditor,
        S.ACKNOWLEDGED,
        S.DISMISSED,
        "Vendor test accounts",
    )


def test_bulk_transition_without_a_required_note_changes_nothing(municipality_a, clerk_a):
    first = make_finding(municipality_a, S.OPEN, "grant:1")
    second = make_finding(municipality_a, S.OPEN, "grant:2")

    with municipality_scope(municipality_a), pytest.raises(ValidationError):
        findings_bulk_transition(findings=[first, second], action="remediate", actor=clerk_a)

    assert [status_of(first), status_of(second)] == [S.OPEN, S.OPEN]
    assert events_of(first) == events_of(second) == []
