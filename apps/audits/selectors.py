from collections.abc import Iterator

from django.db.models import Case, IntegerField, QuerySet, Value, When

from apps.accounts.models import User
from apps.compliance.models import SEVERITY_ORDER
from apps.compliance.packs import packs_read

from .models import Finding


def findings_list() -> QuerySet[Finding]:
    return Finding.objects.select_related("municipality", "agency").order_by(
        "municipality__name", "rule_code", "subject_label"
    )


# Open work first, most severe first.
STATUS_ORDER = ["open", "acknowledged", "remediated", "verified", "dismissed", "closed"]


def _rank(field: str, order) -> Case:
    return Case(
        *[When(**{field: value}, then=Value(rank)) for value, rank in order],
        default=Value(99),
        output_field=IntegerField(),
    )


def findings_by_urgency() -> QuerySet[Finding]:
    return Finding.objects.annotate(
        status_rank=_rank("status", [(s, i) for i, s in enumerate(STATUS_ORDER)]),
        severity_rank=_rank("severity", SEVERITY_ORDER.items()),
    ).order_by("status_rank", "severity_rank", "-last_seen_at")


def finding_assignees() -> QuerySet[User]:
    """Who findings can be assigned to: active auditors and administrators."""
    return User.objects.filter(
        role__in=[User.Role.AUDITOR, User.Role.ADMINISTRATOR], is_active=True
    )


def evidence_text(evidence: dict) -> str:
    """`network_audit.csv lines 12, 40, 41 (+3 more)`; one part per file."""
    parts = []
    for file in evidence.get("files", []):
        lines = ", ".join(str(line) for line in file["lines"])
        more = file["count"] - len(file["lines"])
        parts.append(f"{file['name']} line{'s' if file['count'] > 1 else ''} {lines}"
                     + (f" (+{more} more)" if more > 0 else ""))  # fmt: skip
    return "; ".join(parts)


def findings_for_export() -> Iterator[dict]:
    """Every finding of the active scope as plain values, with the citation of its rule in
    its municipality's pack."""
    packs = packs_read()
    for finding in findings_list():
        rule = packs.rule(finding.municipality.state, finding.rule_code)
        yield {
            "rule": finding.rule_code,
            "severity": finding.severity,
            "status": finding.status,
            "municipality": finding.municipality.name,
            "agency": finding.agency.name if finding.agency else "",
            "subject": finding.subject_label,
            "citation": rule.citation if rule else "",
            "evidence": evidence_text(finding.evidence),
            "evidence_detail": finding.evidence,
            "first_seen": finding.first_seen_at,
            "last_seen": finding.last_seen_at,
            "summary": finding.summary,
        }
