"""A finding's life after evaluation opened it: people acknowledge, remediate, verify or
dismiss it. Every step is a FindingEvent with who, when and a note."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.core import activity, locks
from apps.core.files import download_name

from .models import Finding, FindingEvent
from .rollups import statuses_lock, statuses_refresh

S = Finding.Status

# (from statuses, to status, who may): "municipal" = the municipality's staff and state
# staff; "state" = auditors and administrators only.
TRANSITIONS = {
    "acknowledge": ({S.OPEN}, S.ACKNOWLEDGED, "municipal"),
    "remediate": ({S.OPEN, S.ACKNOWLEDGED}, S.REMEDIATED, "municipal"),
    "verify": ({S.REMEDIATED}, S.VERIFIED, "state"),
    "reject_remediation": ({S.REMEDIATED}, S.OPEN, "state"),
    "dismiss": ({S.OPEN, S.ACKNOWLEDGED, S.REMEDIATED}, S.DISMISSED, "state"),
    "reopen": ({S.DISMISSED, S.VERIFIED}, S.OPEN, "state"),
}
NOTE_REQUIRED = {"remediate", "dismiss", "reject_remediation", "reopen"}


def finding_actions(*, finding: Finding, user: User) -> list[str]:
    """The steps `user` may take on `finding` now."""
    return [
        action
        for action, (sources, _, who) in TRANSITIONS.items()
        if finding.status in sources and (who == "municipal" or user.is_state_staff)
    ]


@transaction.atomic
def finding_transition(
    *,
    finding: Finding,
    action: str,
    actor: User,
    note: str = "",
    attachment=None,
    refresh_status: bool = True,
) -> FindingEvent:
    """One step on a finding. `refresh_status=False` leaves the municipality's status row
    to the caller (a bulk step refreshes each municipality once)."""
    if action not in TRANSITIONS:
        raise ValidationError(f"Unknown action {action!r}.")
    sources, target, who = TRANSITIONS[action]
    if who == "state" and not actor.is_state_staff:
        raise PermissionDenied("Only state auditors can do that.")
    if (
        not actor.is_state_staff
        and not actor.memberships.filter(municipality_id=finding.municipality_id).exists()
    ):
        raise PermissionDenied("Not a finding of your municipality.")
    locks.FINDING_ROWS.claim([finding.municipality_id])
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status not in sources:
        raise ValidationError(
            f"A finding that is {finding.get_status_display().lower()} cannot be {action}d."
        )
    if action in NOTE_REQUIRED and not note.strip():
        raise ValidationError("Say why in the note.")
    event = FindingEvent(
        municipality_id=finding.municipality_id,
        finding=finding,
        actor=actor,
        from_status=finding.status,
        to_status=target,
        note=note.strip(),
    )
    if attachment is not None:
        event.attachment = attachment
        event.attachment_name = download_name(attachment.name, "")
    event.save()
    finding.status = target
    finding.save(update_fields=["status"])
    if refresh_status:
        statuses_refresh([finding.municipality_id])
    activity.record(
        f"finding.{action}",
        subject=finding,
        detail={"from": event.from_status, "to": target, "note": event.note,
                "file attached": bool(attachment)},
        actor=actor,
    )  # fmt: skip
    return event


def _findings_locked(findings) -> list[Finding]:
    """These findings read again and locked, in the order an evaluation locks them (by
    municipality, then id)."""
    locks.FINDING_ROWS.claim({finding.municipality_id for finding in findings})
    return list(
        Finding.objects.filter(pk__in=[finding.pk for finding in findings])
        .order_by("municipality_id", "pk")
        .select_for_update()
    )


@transaction.atomic
def findings_assign(*, findings, assignee: User | None, actor: User) -> int:
    """Give findings to an auditor (or to nobody); the step is kept in each history."""
    if not actor.is_state_staff:
        raise PermissionDenied("Only state auditors assign findings.")
    # Every finding locked before the first activity entry takes the log's lock: saving
    # them one by one between entries waited for a finding a run held while holding the
    # log it needs.
    findings = _findings_locked(findings)
    Finding.objects.filter(pk__in=[finding.pk for finding in findings]).update(assigned_to=assignee)
    for finding in findings:
        finding.assigned_to = assignee
        FindingEvent.objects.create(
            municipality_id=finding.municipality_id,
            finding=finding,
            actor=actor,
            from_status=finding.status,
            to_status=finding.status,
            note=f"Assigned to {assignee}." if assignee else "Unassigned.",
        )
        activity.record(
            "finding.assigned",
            subject=finding,
            detail={"assignee": str(assignee) if assignee else None},
            actor=actor,
        )
    return len(findings)


@transaction.atomic
def findings_bulk_transition(*, findings, action: str, actor: User, note: str = "") -> int:
    # Every finding first, then the status rows, recounted at the end but locked before
    # each finding's activity entry: that is the order of their locks (apps/core/locks.py).
    findings = _findings_locked(findings)
    statuses_lock({finding.municipality_id for finding in findings})
    done = 0
    for finding in findings:
        if action in finding_actions(finding=finding, user=actor):
            finding_transition(
                finding=finding, action=action, actor=actor, note=note, refresh_status=False
            )
            done += 1
    statuses_refresh({finding.municipality_id for finding in findings})
    return done
