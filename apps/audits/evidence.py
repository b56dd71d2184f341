"""The rows behind a finding, read back from its evidence (export, line) to show inline.

A finding's evidence names up to `EVIDENCE_LINES` lines per file; the rows themselves
are read by (source_export, source_line), which the searches' index serves, in one query
per finding whatever the rule. Run inside the finding's municipality scope.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Q

from apps.compliance import classifier, learned
from apps.compliance.blocklist import blocked_agency_ids
from apps.compliance.reading import readings_shown
from apps.sharing.models import SearchEvent, SharingChange, SharingGrant

from .models import Finding

SHOWN_ROWS = 20

# What each search rule looks at, as the searches list filters it (`reason_label`).
_SEARCH_LABELS = {
    "IMMIGRATION_SEARCH": classifier.IMMIGRATION,
    "HEALTH_CARE_SEARCH": classifier.HEALTH_CARE,
    "VAGUE_REASON": classifier.VAGUE,
    "SENSITIVE_DATA_IN_REASON": classifier.SENSITIVE_DATA,
    **learned.REVIEW_RULES,
    "SEARCH_WITHOUT_GRANT": "",
    # A 287(g) partner's searches: those for immigration purposes, or any (the review).
    "IMMIGRATION_PARTNER_SEARCH": "",
}


@dataclass(frozen=True)
class EvidenceRow:
    export_id: int
    export_name: str
    line: int
    at: datetime | None = None
    agency: str = ""
    reason: str = ""
    case_number: str = ""


@dataclass
class EvidenceRows:
    """What the finding page shows: `kind` is "searches", "grant" or "acceptances"."""

    kind: str
    rows: list = field(default_factory=list)
    total: int = 0
    # GET parameters of the full list (the searches or grants list) these rows come from.
    list_query: dict[str, str | int] = field(default_factory=dict)
    grant: SharingGrant | None = None
    accepted_by: str = ""
    # For a finding of the learned signal: its reading of each shown reason, and why.
    readings: dict[str, learned.Reading] = field(default_factory=dict)

    @property
    def list_query_string(self) -> str:
        return urlencode(self.list_query)


def _pairs(finding: Finding) -> tuple[Q | None, dict[int, str]]:
    """A filter on (source_export, source_line) for every line the evidence names, and
    each export's name."""
    files = finding.evidence.get("files") or []
    names = {file["export"]: file["name"] for file in files}
    parts = [
        Q(source_export_id=file["export"], source_line__in=file["lines"])
        for file in files
        if file.get("lines")
    ]
    return (reduce(or_, parts) if parts else None), names


def _search_rows(finding: Finding) -> EvidenceRows:
    pairs, names = _pairs(finding)
    label = _SEARCH_LABELS[finding.rule_code]
    if finding.rule_code == "IMMIGRATION_SEARCH" and finding.agency_id in blocked_agency_ids():
        label = ""  # every search of a blocked agency counts, whatever its reason
    if finding.subject_key.endswith(":immigration-reasons"):
        label = classifier.IMMIGRATION
    query = {"agency_id": finding.agency_id, **({"reason_label": label} if label else {})}
    result = EvidenceRows("searches", total=finding.evidence.get("count", 0), list_query=query)
    if pairs is None:
        return result
    searches = (
        SearchEvent.objects.filter(pairs)
        .order_by("searched_at", "id")
        .values("searched_at", "agency_name", "reason", "case_number", "source_export_id",
                "source_line")[:SHOWN_ROWS]
    )  # fmt: skip
    result.rows = [
        EvidenceRow(
            export_id=row["source_export_id"],
            export_name=names.get(row["source_export_id"], ""),
            line=row["source_line"],
            at=row["searched_at"],
            agency=row["agency_name"],
            reason=row["reason"],
            case_number=row["case_number"],
        )
        for row in searches
    ]
    if finding.rule_code in learned.REVIEW_RULES:
        # Worked out now from the rows' own reasons: nothing of a reason is stored.
        result.readings = readings_shown(row.reason for row in result.rows)
    return result


def _grant_rows(finding: Finding) -> EvidenceRows:
    result = EvidenceRows("grant", total=1, list_query={"agency_id": finding.agency_id})
    grant = finding.grant
    if grant is None:
        return result
    accepted = (
        SharingChange.objects.filter(grant=grant, new_status=SharingGrant.Status.ACCEPTED)
        .order_by("occurred_at", "id")
        .values_list("actor", flat=True)
        .first()
    )
    result.grant = grant
    result.accepted_by = accepted or (
        grant.decided_by if grant.status == SharingGrant.Status.ACCEPTED else ""
    )
    # A grant finding rests on one row: the grant's own, or the one that showed it
    # accepted (a grant gone from a sharing list is on no row of the latest list).
    files = finding.evidence.get("files") or [{"export": 0, "name": "", "lines": []}]
    result.rows = [
        EvidenceRow(
            export_id=files[0]["export"],
            export_name=files[0]["name"],
            line=(files[0]["lines"] or [0])[0],
        )
    ]
    return result


def _acceptance_rows(finding: Finding) -> EvidenceRows:
    actor = finding.bulk_actor
    result = EvidenceRows(
        "acceptances",
        total=finding.evidence.get("count", 0),
        list_query={"accepted_by": actor},
    )
    pairs, names = _pairs(finding)
    if pairs is None:
        return result
    changes = (
        SharingChange.objects.filter(pairs, new_status=SharingGrant.Status.ACCEPTED, actor=actor)
        .order_by("occurred_at", "id")
        .values("occurred_at", "grant__partner_name", "source_export_id", "source_line")[
            :SHOWN_ROWS
        ]
    )
    result.rows = [
        EvidenceRow(
            export_id=row["source_export_id"],
            export_name=names.get(row["source_export_id"], ""),
            line=row["source_line"],
            at=row["occurred_at"],
            agency=row["grant__partner_name"],
        )
        for row in changes
    ]
    return result


def finding_evidence_rows(*, finding: Finding) -> EvidenceRows | None:
    """The first `SHOWN_ROWS` rows behind a finding, with what the full list needs."""
    if finding.rule_code in _SEARCH_LABELS and finding.agency_id:
        return _search_rows(finding)
    if finding.is_about_a_grant:
        return _grant_rows(finding)
    if finding.rule_code == "BULK_ACCEPTANCE":
        return _acceptance_rows(finding)
    return None
