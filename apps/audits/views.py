from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.utils.text import slugify
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from apps.accounts.permissions import StateStaffRequiredMixin
from apps.compliance.packs import packs_read
from apps.core.activity import record_download
from apps.core.charts import bar_chart
from apps.core.files import download_name, field_file_download
from apps.core.form_messages import form_errors_as_messages
from apps.core.models import ChangeRecord
from apps.core.spreadsheets import TableExportMixin
from apps.municipalities.views import MunicipalityViewMixin

from .dashboards import (
    STATUS_RULE,
    bulk_acceptances_recent,
    figure_periods,
    municipalities_with_status,
    statewide_figures,
    weekly_series,
)
from .engagement_forms import (
    ConclusionForm,
    EngagementAdvanceForm,
    EngagementCandidateFilter,
    EngagementFindingsForm,
    EngagementForm,
    EngagementStepForm,
    NoteForm,
)
from .engagements import (
    engagement_add_note,
    engagement_advance,
    engagement_candidate_findings,
    engagement_conclude,
    engagement_create,
    engagement_link_findings,
    engagement_next_step,
    report_findings,
    report_pdf,
)
from .evidence import finding_evidence_rows
from .filters import FindingFilter, MunicipalityStatusFilter, StatewideFindingFilter
from .forms import BULK_STEPS, FindingActionForm, FindingBulkForm
from .models import Engagement, EngagementNote, Finding, FindingEvent
from .selectors import finding_assignees, findings_by_urgency
from .services import (
    finding_actions,
    finding_transition,
    findings_assign,
    findings_bulk_transition,
)
from .tables import FindingTable, MunicipalityStatusTable, StatewideFindingTable


class FindingListView(MunicipalityViewMixin, TableExportMixin, SingleTableMixin, FilterView):
    export_name = "findings"
    template_name = "audits/finding_list.html"
    table_class = FindingTable
    filterset_class = FindingFilter
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return findings_by_urgency()

    def get_table_kwargs(self):
        return {"municipality_slug": self.municipality.slug}


class FindingAttachmentView(MunicipalityViewMixin, View):
    """A file attached to a step of a finding (a municipality's answer, say)."""

    def load_url_objects(self) -> None:
        self.event = (
            FindingEvent.objects.filter(
                pk=self.kwargs["event_id"], finding_id=self.kwargs["finding_id"]
            )
            .exclude(attachment="")
            .first()
        )
        if self.event is None:
            raise Http404("No such file.")

    def get(self, request, *args, **kwargs):
        event = self.event
        return field_file_download(
            request, event.attachment, subject=event.finding, what="finding attachment",
            name=download_name(
                event.attachment_name, f"finding-{event.finding_id}-attachment-{event.pk}"
            ),
        )  # fmt: skip


class FindingDetailView(MunicipalityViewMixin, TemplateView):
    template_name = "audits/finding_detail.html"

    def load_url_objects(self) -> None:
        try:
            self.finding = Finding.objects.select_related("agency", "grant", "municipality").get(
                pk=self.kwargs["finding_id"]
            )
        except Finding.DoesNotExist:
            raise Http404("No such finding.") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = finding_actions(finding=self.finding, user=self.request.user)
        context.update(
            finding=self.finding,
            rule=packs_read().rule(self.finding.municipality.state, self.finding.rule_code),
            events=self.finding.events.select_related("actor"),
            form=kwargs.get("form") or FindingActionForm(actions=actions),
            actions=actions,
            evidence_rows=finding_evidence_rows(finding=self.finding),
        )
        return context

    def post(self, request, *args, **kwargs):
        actions = finding_actions(finding=self.finding, user=request.user)
        form = FindingActionForm(request.POST, request.FILES, actions=actions)
        if form.is_valid():
            try:
                finding_transition(
                    finding=self.finding,
                    action=form.cleaned_data["action"],
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    attachment=form.cleaned_data["attachment"],
                )
            except PermissionDenied:
                raise
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Recorded.")
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class StatewideDashboardView(
    StateStaffRequiredMixin, TableExportMixin, SingleTableMixin, FilterView
):
    """Auditors' start page: headline figures, charts, every municipality by status."""

    template_name = "audits/statewide.html"
    table_class = MunicipalityStatusTable
    filterset_class = MunicipalityStatusFilter
    table_pagination = {"per_page": 50}
    export_name = "municipalities"

    def get_queryset(self):
        return municipalities_with_status()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        series = weekly_series()
        context.update(
            figures=statewide_figures(),
            periods=figure_periods(),
            bulk_acceptances=bulk_acceptances_recent(),
            status_rule=STATUS_RULE,
            findings_chart=bar_chart(
                series["findings_opened"], title="Findings opened per week",
                unit="findings", label_format="%b %-d",
            ),
            searches_chart=bar_chart(
                series["flagged_searches"],
                title="Searches with an immigration or health-care purpose, per week",
                unit="searches", label_format="%b %-d",
            ),
        )  # fmt: skip
        return context


class StatewideFindingListView(
    StateStaffRequiredMixin, TableExportMixin, SingleTableMixin, FilterView
):
    """The auditors' queue of findings across municipalities, with bulk steps."""

    template_name = "audits/statewide_findings.html"
    table_class = StatewideFindingTable
    filterset_class = StatewideFindingFilter
    table_pagination = {"per_page": 50}
    export_name = "findings"

    def get_queryset(self):
        return findings_by_urgency().select_related("municipality", "agency")

    def get_table_kwargs(self):
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_actions"] = BULK_STEPS
        context["auditors"] = finding_assignees()
        return context

    def post(self, request, *args, **kwargs):
        form = FindingBulkForm(
            request.POST, findings=Finding.objects.all(), assignees=finding_assignees()
        )
        if not form.is_valid():
            form_errors_as_messages(request=request, form=form)
            response = self.get(request, *args, **kwargs)
            response.status_code = 400
            return response
        findings, action = list(form.cleaned_data["selection"]), form.cleaned_data["action"]
        if action == "assign":
            done = findings_assign(
                findings=findings, assignee=form.cleaned_data["assignee"], actor=request.user
            )
            messages.success(request, f"{done} finding(s) assigned.")
            return redirect(request.get_full_path())
        try:
            done = findings_bulk_transition(
                findings=findings, action=action, actor=request.user,
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{done} of {len(findings)} finding(s): {action} recorded.")
        return redirect(request.get_full_path())


class EngagementListView(StateStaffRequiredMixin, FormView):
    template_name = "audits/engagement_list.html"
    form_class = EngagementForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["engagements"] = Engagement.objects.select_related(
            "municipality", "vendor"
        ).prefetch_related("auditors")
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        auditors = data.pop("auditors")
        engagement = engagement_create(actor=self.request.user, auditors=auditors, **data)
        messages.success(self.request, f"Engagement “{engagement.title}” opened.")
        return redirect("state:engagement_detail", engagement_id=engagement.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EngagementMixin(StateStaffRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        self.engagement = get_object_or_404(Engagement, pk=kwargs["engagement_id"])
        return super().dispatch(request, *args, **kwargs)


class EngagementDetailView(EngagementMixin, TemplateView):
    template_name = "audits/engagement_detail.html"
    # Candidates listed with a checkbox each; "add all" reaches past them.
    candidates_listed = 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.engagement
        next_step = engagement_next_step(engagement)
        candidates = engagement_candidate_findings(engagement)
        chosen = EngagementCandidateFilter(
            self.request.GET or None, engagement=engagement, candidates=candidates
        )
        matching = chosen.qs
        linked = set(engagement.findings.values_list("pk", flat=True))
        context.update(
            engagement=engagement,
            next_step=next_step,
            advance_form=kwargs.get("advance_form") or EngagementAdvanceForm(next_step=next_step),
            linked=linked,
            candidate_filter=chosen,
            candidates=matching[: self.candidates_listed],
            matching_count=matching.count(),
            matching_covered=matching.filter(pk__in=linked).count(),
            conclusion_form=kwargs.get("conclusion_form") or ConclusionForm(instance=engagement),
            note_form=kwargs.get("note_form") or NoteForm(),
            notes=engagement.notes.select_related("author"),
            history=ChangeRecord.objects.filter(
                subject_type="audits.engagement", subject_id=engagement.pk
            ).select_related("actor"),
            editable=engagement.status not in ("issued", "closed"),
        )
        return context

    def refuse(self, form, **forms):
        """The page again with what was wrong, answering 400."""
        form_errors_as_messages(request=self.request, form=form)
        return self.render_to_response(self.get_context_data(**forms), status=400)

    def post(self, request, *args, **kwargs):
        engagement, step = self.engagement, EngagementStepForm(request.POST)
        if not step.is_valid():
            return self.refuse(step)
        action = step.cleaned_data["action"]
        try:
            if action == "advance":
                form = EngagementAdvanceForm(
                    request.POST, next_step=engagement_next_step(engagement)
                )
                if not form.is_valid():
                    return self.refuse(form, advance_form=form)
                engagement = engagement_advance(engagement=engagement, actor=request.user)
                messages.success(request, f"Now: {engagement.get_status_display()}.")
            elif action == "findings":
                form = EngagementFindingsForm(
                    request.POST, candidates=engagement_candidate_findings(engagement)
                )
                if not form.is_valid():
                    return self.refuse(form)
                engagement_link_findings(
                    engagement=engagement, actor=request.user,
                    findings=form.covered_after(list(engagement.findings.all())),
                )  # fmt: skip
                messages.success(request, "Findings linked.")
            elif action in ("findings_add", "findings_remove"):
                # The filter's values come back in the form; they narrow the candidates
                # only, so no other finding can be named.
                chosen = EngagementCandidateFilter(
                    request.POST, engagement=engagement,
                    candidates=engagement_candidate_findings(engagement),
                )  # fmt: skip
                if not chosen.is_valid():
                    return self.refuse(chosen.form)
                covered = list(engagement.findings.all())
                matching = list(chosen.qs)
                if action == "findings_add":
                    findings = covered + [f for f in matching if f not in covered]
                else:
                    findings = [f for f in covered if f not in matching]
                engagement_link_findings(
                    engagement=engagement, findings=findings, actor=request.user
                )
                changed = abs(len(findings) - len(covered))
                verb = "added" if action == "findings_add" else "removed"
                messages.success(
                    request,
                    f"{changed} finding{pluralize(changed)} {verb}; "
                    f"the engagement covers {len(findings)}.",
                )
            elif action == "conclusion":
                form = ConclusionForm(request.POST, instance=engagement)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(conclusion_form=form), status=400
                    )
                engagement_conclude(
                    engagement=engagement,
                    conclusion=form.cleaned_data["conclusion"],
                    actor=request.user,
                )
                messages.success(request, "Conclusion saved.")
            elif action == "note":
                form = NoteForm(request.POST, request.FILES)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(note_form=form), status=400
                    )
                engagement_add_note(
                    engagement=engagement, author=request.user, text=form.cleaned_data["text"],
                    attachment=form.cleaned_data["attachment"],
                )  # fmt: skip
                messages.success(request, "Note recorded.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("state:engagement_detail", engagement_id=engagement.pk)


class EngagementReportView(EngagementMixin, TemplateView):
    template_name = "audits/engagement_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(engagement=self.engagement, items=report_findings(self.engagement))
        return context


class EngagementReportPdfView(EngagementMixin, View):
    def get(self, request, *args, **kwargs):
        record_download(request, what="engagement report", file_format="pdf",
                        subject=self.engagement,
                        municipality=self.engagement.municipality_id)  # fmt: skip
        response = HttpResponse(report_pdf(self.engagement), content_type="application/pdf")
        filename = slugify(self.engagement.title) or "report"
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response


class EngagementNoteFileView(StateStaffRequiredMixin, View):
    """The file attached to an engagement's note (state staff only)."""

    def get(self, request, engagement_id: int, note_id: int):
        note = get_object_or_404(
            EngagementNote.objects.exclude(attachment=""), pk=note_id, engagement_id=engagement_id
        )
        return field_file_download(
            request, note.attachment, subject=note.engagement, what="engagement note file",
            name=download_name(
                note.attachment_name, f"engagement-{engagement_id}-note-{note.pk}"
            ),
        )  # fmt: skip
