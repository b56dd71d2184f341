"""An auditor opens an engagement, links findings, moves it to an issued report, and
downloads the report as a web page and a PDF with the municipality's responses."""

from datetime import date

import pypdfium2
import pytest
from django.utils import timezone

from apps.audits.models import Engagement, Finding
from apps.audits.services import finding_transition
from apps.core.models import ChangeRecord
from apps.municipalities.scoping import municipality_scope, statewide_scope

pytestmark = pytest.mark.django_db


def a_finding(municipality) -> Finding:
    now = timezone.now()
    with municipality_scope(municipality):
        return Finding.objects.create(
            municipality=municipality, rule_code="BLOCKED_AGENCY_GRANT", subject_key="grant:1",
            subject_label="ICE ERO Chicago", severity="critical",
            summary="Data is shared with ICE, which is on the state blocklist.",
            evidence={"count": 1, "files": [{"export": 1, "name": "f.csv", "count": 1,
                                             "lines": [152]}]},
            first_seen_at=now, last_seen_at=now,
        )  # fmt: skip


def test_an_engagement_goes_from_planned_to_an_issued_report(
    client, auditor, clerk_a, municipality_a
):
    finding = a_finding(municipality_a)
    with municipality_scope(municipality_a):
        finding_transition(finding=finding, action="remediate", actor=clerk_a,
                           note="Revoked in Flock on Sep 23")  # fmt: skip
    client.force_login(auditor)
    today = timezone.localdate()

    response = client.post("/state/engagements/", {
        "title": "Alder Park 2025 sharing audit", "municipality": municipality_a.pk,
        "period_start": date(today.year - 1, 1, 1), "period_end": today,
    })  # fmt: skip
    engagement = Engagement.objects.get()
    url = f"/state/engagements/{engagement.pk}/"
    assert response["Location"] == url
    client.post(url, {"action": "findings", "finding": [finding.pk]})
    client.post(url, {"action": "advance"})  # fieldwork
    client.post(url, {"action": "advance"})  # draft report
    refused = client.post(url, {"action": "advance", "confirm": "on"}, follow=True)  # no conclusion
    assert "conclusion before issuing" in refused.content.decode()
    client.post(url, {"action": "conclusion", "conclusion": "Federal access was removed."})
    client.post(url, {"action": "advance", "confirm": "on"})  # issued

    engagement.refresh_from_db()
    assert engagement.status == "issued" and engagement.issued_at is not None
    with statewide_scope():
        assert list(engagement.findings.all()) == [finding]
    steps = ChangeRecord.objects.filter(subject_type="audits.engagement", subject_id=engagement.pk)
    assert steps.filter(changes__status__1="issued").exists()

    page = client.get(url + "report/").content.decode()
    assert "Office of the Illinois Secretary of State" in page
    assert "625 ILCS 5/2-130(b)(2)" in page and "Revoked in Flock on Sep 23" in page

    pdf = client.get(url + "report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content)
    assert "Alder Park 2025 sharing audit" in text and "Revoked in Flock on Sep 23" in text

    locked = client.post(url, {"action": "findings", "finding": []}, follow=True)
    assert "cannot change" in locked.content.decode()


def _pdf_text(content: bytes) -> str:
    """The text drawn in a reportlab PDF: its page streams are ASCII85 over Flate. The
    pieces of one line (`(…) Tj`) are joined as drawn; lines (`T*`, `ET`) with a space."""
    import base64
    import re
    import zlib

    lines, line = [], []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        try:
            data = zlib.decompress(base64.a85decode(stream.strip().removesuffix(b"~>")))
        except (ValueError, zlib.error):
            continue
        for piece, end in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj|(T\*|ET)", data):
            if end:
                lines.append("".join(line))
                line = []
            else:
                line.append(re.sub(rb"\\(.)", rb"\1", piece).decode("latin-1"))
    return " ".join(filter(None, lines))


MARKUP = "<b>bold</b> & <para>para</para> <font color=white>hidden words</font>"


def test_report_pdf_prints_markup_typed_by_people_literally(
    client, auditor, clerk_a, municipality_a
):
    """Reportlab reads paragraph text as markup: a title with <b> used to make the report a
    500, and <font color=white> could hide words inside an issued report."""
    municipality_a.name = f"Alder {MARKUP}"
    municipality_a.save()
    auditor.first_name, auditor.last_name = "Ann <i>", "Auditor & Co"
    auditor.save()
    finding = a_finding(municipality_a)
    with municipality_scope(municipality_a):
        finding_transition(finding=finding, action="remediate", actor=clerk_a,
                           note=f"Answer {MARKUP}")  # fmt: skip
    engagement = Engagement.objects.create(
        title=f"Title {MARKUP}", municipality=municipality_a, created_by=auditor,
        period_start=date(2020, 1, 1), period_end=timezone.localdate(),
        conclusion=f"Conclusion {MARKUP}",
    )  # fmt: skip
    engagement.auditors.set([auditor])
    with statewide_scope():
        engagement.findings.set([finding])
    client.force_login(auditor)

    pdf = client.get(f"/state/engagements/{engagement.pk}/report.pdf")

    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(_pdf_text(pdf.content).split())
    for typed in ("Title", "Conclusion", "Answer", "Alder"):
        assert f"{typed} {MARKUP}" in text, typed
    assert "Ann <i> Auditor & Co" in text


def test_engagements_are_for_state_staff_only(client, clerk_a):
    client.force_login(clerk_a)
    assert client.get("/state/engagements/").status_code == 403


def test_crafted_findings_for_an_engagement_are_refused_and_none_is_linked(
    client, auditor, municipality_a, municipality_b
):
    candidate, elsewhere = a_finding(municipality_a), a_finding(municipality_b)
    engagement = Engagement.objects.create(
        title="Alder Park audit", municipality=municipality_a, created_by=auditor,
        period_start=date(2020, 1, 1), period_end=timezone.localdate(),
    )  # fmt: skip
    url = f"/state/engagements/{engagement.pk}/"
    client.force_login(auditor)

    answers = [
        client.post(url, {"action": "findings", "finding": chosen})
        for chosen in (["²"], ["abc"], [candidate.pk, "٣"], [elsewhere.pk])
    ]
    unknown_step = client.post(url, {"action": "shred", "finding": [candidate.pk]})

    for answer in answers:
        assert answer.status_code == 400
        assert "are not of this engagement" in answer.content.decode()
    assert unknown_step.status_code == 400
    assert "Use one of the page" in unknown_step.content.decode()
    with statewide_scope():
        assert not engagement.findings.exists()


def test_a_title_with_markup_renders_a_pdf_that_prints_it_as_typed(client, auditor, municipality_a):
    engagement = Engagement.objects.create(
        title="<b>Bold</b> & <para>x</para>", municipality=municipality_a, created_by=auditor,
        period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
        conclusion="Shared with <font color=white>ICE</font> & CBP",
    )  # fmt: skip
    client.force_login(auditor)

    pdf = client.get(f"/state/engagements/{engagement.pk}/report.pdf")

    assert pdf.status_code == 200
    document = pypdfium2.PdfDocument(pdf.content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "<b>Bold</b> & <para>x</para>" in text
    assert "Shared with <font color=white>ICE</font> & CBP" in text
