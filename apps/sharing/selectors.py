"""Reads of grants and searches for their lists and for a grant's timeline (in the scope
the request entered: one municipality, or every one for state staff)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from apps.audits.models import Finding
from apps.vendors.models import VendorExport

from .models import Declaration, SearchEvent, SharingChange, SharingGrant


def grants_listed() -> QuerySet[SharingGrant]:
    """Grants as their list shows them, with when and by whom each was first accepted.

    The first acceptance comes from the grant's history: a grant's own `decided_at` /
    `decided_by` are its latest decision, which for a revoked grant is the revocation.
    """
    accepted = SharingChange.objects.filter(grant=OuterRef("pk"), new_status="accepted").order_by(
        "occurred_at", "id"
    )
    # A grant loaded without history: an accepted grant's own decision.
    still_accepted = Q(status=SharingGrant.Status.ACCEPTED)
    return SharingGrant.objects.select_related("agency", "municipality").annotate(
        first_accepted_at=Coalesce(
            Subquery(accepted.values("occurred_at")[:1]),
            Case(When(still_accepted, then=Coalesce("decided_at", "status_changed_at"))),
        ),
        first_accepted_by=Coalesce(
            Subquery(accepted.values("actor")[:1]),
            Case(When(still_accepted, then="decided_by"), default=Value("")),
        ),
    )


def _grant_ids(changes: QuerySet[SharingChange]) -> QuerySet:
    # `pk IN (subquery)`, which PostgreSQL hashes once, rather than EXISTS, which it runs
    # for every grant when it stands in an OR.
    return changes.values("grant_id")


def grants_accepted_by(queryset: QuerySet[SharingGrant], *, person: str) -> QuerySet:
    """Grants a person accepted: a change to accepted in their name, or the decision of a
    grant still accepted (a grant loaded without history)."""
    changes = SharingChange.objects.filter(new_status="accepted", actor__icontains=person)
    return queryset.filter(
        Q(status=SharingGrant.Status.ACCEPTED, decided_by__icontains=person)
        | Q(pk__in=_grant_ids(changes))
    )


def grants_active_during(
    queryset: QuerySet[SharingGrant], *, start: datetime | None, end: datetime | None
) -> QuerySet:
    """Grants the partner could use at some time in [start, end) (either may be open).

    Accepted before `end`: a change to accepted before it (or, for a grant loaded
    without history, still accepted since before it). Not ended before `start`: still
    accepted, or revoked at or after it (for a grant gone from a sharing list, the date
    of the first list without it: the sharing may have lasted until then).
    """
    queryset = queryset.filter(
        status__in=[SharingGrant.Status.ACCEPTED, SharingGrant.Status.REVOKED]
    )
    if end is not None:
        accepted = SharingChange.objects.filter(new_status="accepted", occurred_at__lt=end)
        queryset = queryset.filter(
            Q(pk__in=_grant_ids(accepted))
            | Q(status=SharingGrant.Status.ACCEPTED, status_changed_at__lt=end)
        )
    if start is not None:
        queryset = queryset.filter(
            Q(status=SharingGrant.Status.ACCEPTED) | Q(status_changed_at__gte=start)
        )
    return queryset


def grants_in_export(queryset: QuerySet[SharingGrant], *, export_id: int) -> QuerySet:
    """Grants an export shows: as their latest source, or by a change it recorded."""
    changes = SharingChange.objects.filter(source_export_id=export_id)
    return queryset.filter(Q(source_export_id=export_id) | Q(pk__in=_grant_ids(changes)))


def searches_listed() -> QuerySet[SearchEvent]:
    """Searches as their list shows them: the searching agency, the file and line."""
    return SearchEvent.objects.select_related("agency", "municipality", "source_export").defer(
        "filters", "text_prompt", "plate_hash", "time_frame_start", "time_frame_end"
    )


# --- a grant's timeline --------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime | None
    what: str
    who: str = ""
    export: VendorExport | None = None
    line: int = 0
    # For an end seen only as a grant gone from a sharing list: the last list showing it.
    last_listed_at: datetime | None = None
    # The status the grant had after this entry ("" when unknown).
    status: str = ""


_CHANGE_WORDS = {
    ("", "accepted"): "Shared: accepted",
    ("", "pending"): "Requested",
    ("", "denied"): "Requested and denied",
    ("", "revoked"): "Recorded as revoked",
    ("pending", "accepted"): "Accepted",
    ("pending", "denied"): "Denied",
    ("accepted", "revoked"): "Revoked",
    ("pending", "revoked"): "Withdrawn",
    ("revoked", "accepted"): "Accepted again",
    ("denied", "accepted"): "Accepted after a denial",
}


def _change_words(old: str, new: str) -> str:
    if old == new:
        return f"Changed, status unchanged ({new or 'unknown'})"
    return _CHANGE_WORDS.get((old, new), f"{old or 'new'} → {new}")


def grant_timeline(*, grant: SharingGrant) -> list[TimelineEntry]:
    """The grant's life in time order: the request, then every change the uploads
    recorded (who, which file and line), ending with a snapshot's end as "between the
    last list showing it and the first without it"."""
    changes = list(grant.changes.select_related("source_export").order_by("occurred_at", "id"))
    entries = []
    first_change_at = changes[0].occurred_at if changes else None
    if grant.requested_at and (first_change_at is None or grant.requested_at < first_change_at):
        entries.append(TimelineEntry(at=grant.requested_at, what="Requested", status="pending"))
    for change in changes:
        snapshot_end = change.last_listed_at is not None and not change.source_line
        what = _change_words(change.old_status, change.new_status)
        if snapshot_end:
            what = f"{what}: gone from the sharing list"
        entries.append(
            TimelineEntry(
                at=change.occurred_at, what=what, who=change.actor, export=change.source_export,
                line=change.source_line,
                last_listed_at=change.last_listed_at if snapshot_end else None,
                status=change.new_status,
            )
        )  # fmt: skip
    if not changes:
        # Loaded before the portal kept a history: what the grant row itself says.
        entries.append(
            TimelineEntry(
                at=grant.decided_at or grant.status_changed_at, what=grant.get_status_display(),
                who=grant.decided_by, export=grant.source_export, line=grant.source_line,
                status=grant.status,
            )
        )  # fmt: skip
    return entries


def grant_answers(*, grant: SharingGrant, entries: list[TimelineEntry]) -> dict:
    """What the auditor asks first: since when the partner could search (the first
    acceptance), who approved it, and whether and when it ended."""
    accepted = next((entry for entry in entries if entry.status == "accepted"), None)
    ended = None
    if grant.status in (SharingGrant.Status.REVOKED, SharingGrant.Status.DENIED):
        ended = next((entry for entry in reversed(entries) if entry.status == grant.status), None)
    return {"accepted": accepted, "ended": ended}


def grant_sources(*, grant: SharingGrant, entries: list[TimelineEntry]) -> list[dict]:
    """Every upload that says something about the grant, with its lines, oldest first."""
    by_export: dict[int, dict] = {}
    for export, line in [(entry.export, entry.line) for entry in entries if entry.export] + [
        (grant.source_export, grant.source_line)
    ]:
        item = by_export.setdefault(export.pk, {"export": export, "lines": set()})
        if line:
            item["lines"].add(line)
    return [
        {"export": item["export"], "lines": sorted(item["lines"])}
        for item in sorted(by_export.values(), key=lambda item: item["export"].received_at)
    ]


def grant_declarations(*, grant: SharingGrant) -> QuerySet[Declaration]:
    """The written declarations the municipality holds from the grant's agency."""
    return Declaration.objects.filter(agency_id=grant.agency_id).select_related("entered_by")


def grant_findings(*, grant: SharingGrant) -> QuerySet[Finding]:
    return Finding.objects.filter(Q(grant=grant) | Q(subject_key=f"grant:{grant.pk}")).order_by(
        "-last_seen_at"
    )
