from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from apps.accounts.models import User
from apps.accounts.permissions import StateStaffRequiredMixin
from apps.compliance.models import Rule
from apps.core.activity import record_download
from apps.core.charts import bar_chart
from apps.core.files import download_name, field_file_download
from apps.core.models import ChangeRecord
from apps.core.spreadsheets import TableExportMixin
from apps.municipalities.views import MunicipalityViewMixin

from .dashboards import STATUS_RULE, municipalities_with_status, statewide_figures, weekly_series
from .engagement_forms import ConclusionForm, EngagementForm, NoteForm
from .engagements import (
    engagement_add_note,
    engagement_advance,
    engagement_candidate_findings,
    engagement_create,
    engagement_link_findings,
    engagement_next_step,
    report_findings,
    report_pdf,
)
from .filters import FindingFilter, MunicipalityStatusFilter, StatewideFindingFilter
from .forms import FindingActionForm
from .models import Engagement, EngagementNote, Finding, FindingEvent
from .selectors import findings_by_urgency
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
            self.finding = Finding.objects.select_related("agency", "grant").get(
                pk=self.kwargs["finding_id"]
            )
        except Finding.DoesNotExist:
            raise Http404("No such finding.") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = finding_actions(finding=self.finding, user=self.request.user)
        context.update(
            finding=self.finding,
            rule=Rule.objects.filter(code=self.finding.rule_code).first(),
            events=self.finding.events.select_related("actor"),
            form=kwargs.get("form") or FindingActionForm(actions=actions),
            actions=actions,
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
    bulk_actions = {"acknowledge": "Acknowledge", "dismiss": "Dismiss"}

    def get_queryset(self):
        return findings_by_urgency().select_related("municipality", "agency")

    def get_table_kwargs(self):
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_actions"] = self.bulk_actions
        context["auditors"] = User.objects.filter(
            role__in=[User.Role.AUDITOR, User.Role.ADMINISTRATOR], is_active=True
        )
        return context

    def post(self, request, *args, **kwargs):
        ids = [int(pk) for pk in request.POST.getlist("selection") if pk.isdigit()]
        findings = list(Finding.objects.filter(pk__in=ids))
        action = request.POST.get("action", "")
        note = request.POST.get("note", "").strip()
        if action == "assign":
            assignee = User.objects.filter(
                pk=request.POST.get("assignee") or 0, role__in=["auditor", "administrator"]
            ).first()
            done = findings_assign(findings=findings, assignee=assignee, actor=request.user)
            messages.success(request, f"{done} finding(s) assigned.")
        elif action in self.bulk_actions:
            try:
                done = findings_bulk_transition(
                    findings=findings, action=action, actor=request.user, note=note
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, f"{done} of {len(findings)} finding(s): {action} recorded."
                )
        else:
            messages.error(request, "Choose what to do with the selected findings.")
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.engagement
        context.update(
            engagement=engagement,
            next_step=engagement_next_step(engagement),
            linked=set(engagement.findings.values_list("pk", flat=True)),
            candidates=engagement_candidate_findings(engagement)[:200],
            conclusion_form=kwargs.get("conclusion_form") or ConclusionForm(instance=engagement),
            note_form=kwargs.get("note_form") or NoteForm(),
            notes=engagement.notes.select_related("author"),
            history=ChangeRecord.objects.filter(
                subject_type="audits.engagement", subject_id=engagement.pk
            ).select_related("actor"),
            editable=engagement.status not in ("issued", "closed"),
        )
        return context

    def post(self, request, *args, **kwargs):
        engagement, action = self.engagement, request.POST.get("action")
        try:
            if action == "advance":
                engagement = engagement_advance(engagement=engagement, actor=request.user)
                messages.success(request, f"Now: {engagement.get_status_display()}.")
            elif action == "findings":
                chosen = engagement_candidate_findings(engagement).filter(
                    pk__in=[int(pk) for pk in request.POST.getlist("finding") if pk.isdigit()]
                )
                engagement_link_findings(
                    engagement=engagement, findings=list(chosen), actor=request.user
                )
                messages.success(request, "Findings linked.")
            elif action == "conclusion":
                form = ConclusionForm(request.POST, instance=engagement)
                if not form.is_valid() or engagement.status in ("issued", "closed"):
                    raise ValidationError("An issued report's conclusion cannot change.")
                form.save()
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
