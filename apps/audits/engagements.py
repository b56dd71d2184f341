"""Audit engagements: their steps, the findings they cover, and the report they issue."""

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from apps.accounts.models import User
from apps.compliance.models import SEVERITY_ORDER, Rule
from apps.compliance.packs import packs_read
from apps.core import activity
from apps.core.files import download_name
from apps.core.history import change_record, model_update, row_reread, snapshot
from apps.vendors.models import VendorExport

from .models import Engagement, EngagementNote, Finding, FindingEvent

STEPS = [
    Engagement.Status.PLANNED,
    Engagement.Status.FIELDWORK,
    Engagement.Status.DRAFT_REPORT,
    Engagement.Status.ISSUED,
    Engagement.Status.CLOSED,
]


def engagement_next_step(engagement: Engagement) -> str | None:
    index = STEPS.index(engagement.status)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


@transaction.atomic
def engagement_create(*, actor: User, auditors, **fields) -> Engagement:
    engagement = Engagement(created_by=actor, **fields)
    engagement.full_clean()
    engagement.save()
    engagement.auditors.set(auditors or [actor])
    change_record(
        instance=engagement, action="created", before=None,
        after=snapshot(engagement, ["title", "status", "period_start", "period_end"]),
        actor=actor,
    )  # fmt: skip
    return engagement


@transaction.atomic
def engagement_advance(*, engagement: Engagement, actor: User) -> Engagement:
    """Move to the next step; issuing the report needs a conclusion and freezes its date."""
    row_reread(engagement)
    target = engagement_next_step(engagement)
    if target is None:
        raise ValidationError("The engagement is closed.")
    data = {"status": target}
    if target == Engagement.Status.ISSUED:
        if not engagement.conclusion.strip():
            raise ValidationError("Write the report's conclusion before issuing it.")
        data["issued_at"] = timezone.now()
    model_update(instance=engagement, fields=["status", "issued_at"], data=data, actor=actor)
    return engagement


@transaction.atomic
def engagement_conclude(*, engagement: Engagement, conclusion: str, actor: User) -> Engagement:
    """Write the report's conclusion (until the report is issued)."""
    row_reread(engagement)
    if engagement.status in (Engagement.Status.ISSUED, Engagement.Status.CLOSED):
        raise ValidationError("An issued report's conclusion cannot change.")
    model_update(
        instance=engagement, fields=["conclusion"], data={"conclusion": conclusion}, actor=actor
    )
    return engagement


def engagement_candidate_findings(engagement: Engagement):
    """Findings an engagement may cover: its municipality's (or its vendor's), whose
    condition held at some time in the period (a finding still holding has no end).
    Run in the statewide scope."""
    start, end = engagement.period_start, engagement.period_end
    held = Q(period_start__date__lte=end) & (Q(period_end=None) | Q(period_end__date__gte=start))
    # A finding written without a period (not by evaluation) counts by when it was seen.
    seen = Q(period_start=None, first_seen_at__date__lte=end, last_seen_at__date__gte=start)
    findings = Finding.objects.filter(held | seen).select_related("municipality")
    if engagement.municipality_id:
        return findings.filter(municipality=engagement.municipality_id)
    # A vendor's engagement covers the municipalities that upload that vendor's exports.
    return findings.filter(
        municipality__in=VendorExport.objects.filter(vendor=engagement.vendor_id).values(
            "municipality"
        )
    )


@transaction.atomic
def engagement_link_findings(*, engagement: Engagement, findings, actor: User) -> None:
    row_reread(engagement)
    if engagement.status in (Engagement.Status.ISSUED, Engagement.Status.CLOSED):
        raise ValidationError("An issued report's findings cannot change.")
    model_update(instance=engagement, fields=["findings"], data={"findings": findings}, actor=actor)


def engagement_add_note(*, engagement: Engagement, author: User, text: str, attachment=None):
    if not text.strip():
        raise ValidationError("Write the note.")
    with transaction.atomic():
        note = EngagementNote.objects.create(
            engagement=engagement,
            author=author,
            text=text.strip(),
            attachment=attachment or "",
            attachment_name=download_name(attachment.name, "") if attachment else "",
        )
        activity.record("engagement.note_added", subject=engagement, actor=author,
                        detail={"file attached": bool(attachment)})  # fmt: skip
    return note


@dataclass(frozen=True)
class ReportFinding:
    finding: Finding
    rule: Rule | None
    response: FindingEvent | None  # the municipality's latest answer


def report_findings(engagement: Engagement) -> list[ReportFinding]:
    """The report's findings, most severe first, each with its rule and the municipality's
    latest response (statewide scope)."""
    findings = list(engagement.findings.select_related("municipality", "agency"))
    packs = packs_read()
    responses: dict[int, FindingEvent] = {}
    for event in (
        FindingEvent.objects.filter(finding__in=findings, actor__role=User.Role.MUNICIPAL)
        .exclude(note="")
        .select_related("actor")
        .order_by("at")
    ):
        responses[event.finding_id] = event
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.municipality.name))
    return [
        ReportFinding(f, packs.rule(f.municipality.state, f.rule_code), responses.get(f.pk))
        for f in findings
    ]


def report_pdf(engagement: Engagement) -> bytes:
    """The issued report as a PDF: letterhead, scope, conclusion, findings with their
    citations, evidence counts and the municipality's responses."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8.5, leading=10.5)

    # Paragraph reads its text as markup (<b>, <font color=…>, &amp;): anything a person
    # typed goes through escape(), or a title could break the report or hide words in it.
    def text(value) -> Paragraph:
        return Paragraph(escape(str(value or "—")), small)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=LETTER, title=engagement.title, author="Office of the Secretary of State",
        leftMargin=0.8 * inch, rightMargin=0.8 * inch, topMargin=0.7 * inch,
    )  # fmt: skip
    story = [
        Paragraph("Office of the Illinois Secretary of State", styles["Title"]),
        Paragraph("Audit of ALPR data sharing — 625 ILCS 5/2-130 and 5 ILCS 805", styles["h3"]),
        HRFlowable(width="100%", color=colors.HexColor("#173f6b"), thickness=2),
        Spacer(1, 8),
        Paragraph(escape(engagement.title), styles["h2"]),
        text(f"Subject: {engagement.subject}. Period: {engagement.period_start:%B %-d, %Y} to "
             f"{engagement.period_end:%B %-d, %Y}. Status: {engagement.get_status_display()}"
             + (f", issued {engagement.issued_at:%B %-d, %Y}." if engagement.issued_at else ".")),
        text("Auditors: " + ", ".join(a.get_full_name() or a.username
                                      for a in engagement.auditors.all())),
        Spacer(1, 8),
        Paragraph("Conclusion", styles["h3"]),
        text(engagement.conclusion),
        Spacer(1, 8),
        Paragraph("Findings", styles["h3"]),
    ]  # fmt: skip
    rows = [[text(h) for h in ("Severity", "Finding", "Legal basis", "Evidence", "Status",
                                 "Municipality's response")]]  # fmt: skip
    for item in report_findings(engagement):
        finding = item.finding
        response = item.response
        rows.append([
            text(finding.get_severity_display()),
            text(f"{item.rule.title if item.rule else finding.rule_code}: {finding.summary}"),
            text(item.rule.citation if item.rule else ""),
            text(f"{finding.evidence.get('count', 0)} row(s) in "
                 f"{len(finding.evidence.get('files', []))} file(s)"),
            text(finding.get_status_display()),
            text(f"{response.note} ({response.actor}, {response.at:%b %-d, %Y})" if response
                 else "No response recorded."),
        ])  # fmt: skip
    if len(rows) == 1:
        rows.append(
            [text("")] + [text("No finding is linked to this engagement.")] + [text("")] * 4
        )
    table = Table(rows, colWidths=[0.7 * inch, 2.1 * inch, 1.1 * inch, 0.9 * inch, 0.8 * inch,
                                   1.3 * inch], repeatRows=1)  # fmt: skip
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d5dbe3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    story.append(table)
    document.build(story)
    return buffer.getvalue()
