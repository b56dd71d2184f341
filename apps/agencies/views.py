from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from apps.accounts.permissions import StateAdministratorRequiredMixin, StateStaffRequiredMixin
from apps.compliance.blocklist import blocked_agency_ids
from apps.core.form_messages import form_errors_as_messages
from apps.core.models import ChangeRecord
from apps.core.spreadsheets import TableExportMixin

from .filters import AgencyFilter
from .forms import AgencyForm, AliasForm, AliasRemoveForm, ReviewActionForm
from .models import Agency, AgencyAlias
from .selectors import (
    agencies_to_review,
    agencies_with_reach,
    agency_agreements,
    agency_reach,
    review_queue,
)
from .services import (
    agency_confirm,
    agency_merge,
    agency_rename,
    agency_update,
    alias_add,
    alias_remove,
)
from .tables import AgencyTable


class AgencyReviewView(StateAdministratorRequiredMixin, TemplateView):
    """Names from uploads that matched no known agency, for an administrator to settle."""

    template_name = "agencies/review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = review_queue()
        context["total"] = agencies_to_review().count()
        context["levels"] = Agency.Level.choices
        # Offered once for the whole page (a datalist), not once per row.
        context["confirmed_agencies"] = (
            Agency.objects.filter(is_confirmed=True).order_by("name").values("name").distinct()
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ReviewActionForm(request.POST)
        if not form.is_valid():
            form_errors_as_messages(request=request, form=form)
            return redirect("state:administration:agency_review")
        data = form.cleaned_data
        agency = data["agency"]
        if data["action"] == "confirm":
            agency_confirm(agency=agency, level=data["level"] or None, actor=request.user)
            messages.success(request, f"{agency.name} is confirmed.")
        elif data["action"] == "merge":
            try:
                target = agency_merge(source=agency, target=data["target"], actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except ValueError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"{agency.name} was merged into {target.name}.")
        else:
            old_name = agency.name
            agency_rename(agency=agency, name=data["name"], actor=request.user)
            messages.success(request, f"{old_name} is now called {agency.name}.")
        return redirect("state:administration:agency_review")


class AgencyListView(StateStaffRequiredMixin, TableExportMixin, SingleTableMixin, FilterView):
    """Every agency seen in uploads, with how far its access reaches."""

    template_name = "agencies/agency_list.html"
    table_class = AgencyTable
    filterset_class = AgencyFilter
    table_pagination = {"per_page": 50}
    export_name = "agencies"

    def get_queryset(self):
        return agencies_with_reach().order_by("-sharing_municipalities", "name")


class AgencyDetailView(StateStaffRequiredMixin, TemplateView):
    """Who shares with one agency, since when, and what it searched for."""

    template_name = "agencies/agency_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = get_object_or_404(Agency, pk=self.kwargs["agency_id"])
        context.update(
            agency=agency,
            blocked=agency.pk in blocked_agency_ids(),
            aliases=agency.aliases.select_related("created_by"),
            alias_form=kwargs.get("alias_form") or AliasForm(),
            history=ChangeRecord.objects.filter(
                subject_type=Agency._meta.label_lower, subject_id=agency.pk
            ).select_related("actor")[:50],
            **agency_reach(agency=agency),
            **agency_agreements(agency=agency),
        )
        return context


def agency_page_refused(request, agency_id: int, **context):
    """The agency's page again, answering 400, after a form on it was refused."""
    view = AgencyDetailView(request=request, kwargs={"agency_id": agency_id})
    response = view.render_to_response(view.get_context_data(**context))
    response.status_code = 400
    return response


class AgencyAliasAddView(StateAdministratorRequiredMixin, View):
    """Teach the directory a spelling of this agency (administrators)."""

    http_method_names = ["post"]

    def post(self, request, agency_id: int):
        agency = get_object_or_404(Agency, pk=agency_id)
        form = AliasForm(request.POST)
        if form.is_valid():
            try:
                alias_add(agency=agency, alias=form.cleaned_data["alias"], user=request.user,
                          reason=form.cleaned_data["reason"])  # fmt: skip
            except ValueError as error:
                form.add_error("alias", str(error))
        if not form.is_valid():
            return agency_page_refused(request, agency_id, alias_form=form)
        messages.success(request, f"“{form.cleaned_data['alias']}” now names {agency.name}.")
        return redirect("state:agency_detail", agency_id=agency.pk)


class AgencyAliasRemoveView(StateAdministratorRequiredMixin, View):
    """Forget one spelling of this agency (administrators)."""

    http_method_names = ["post"]

    def post(self, request, agency_id: int, alias_id: int):
        alias = get_object_or_404(AgencyAlias, pk=alias_id, agency_id=agency_id)
        form = AliasRemoveForm(request.POST)
        if not form.is_valid():
            form_errors_as_messages(request=request, form=form)
            return agency_page_refused(request, agency_id)
        alias_remove(alias=alias, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"“{alias.alias}” no longer names this agency.")
        return redirect("state:agency_detail", agency_id=agency_id)


class AgencyEditView(StateAdministratorRequiredMixin, FormView):
    """Change an agency's entry in the directory (administrators), with its history."""

    template_name = "agencies/agency_edit.html"
    form_class = AgencyForm

    def dispatch(self, request, *args, **kwargs):
        self.agency = get_object_or_404(Agency, pk=kwargs["agency_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Agency.objects.get(pk=self.agency.pk)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "agency": self.agency}

    def form_valid(self, form):
        data = form.cleaned_data
        agency_update(
            agency=self.agency,
            changes={key: data[key] for key in ("name", "ori", "level", "state", "parent")},
            actor=self.request.user,
            reason=data["change_reason"],
        )
        messages.success(self.request, f"{self.agency.name} saved.")
        return redirect("state:agency_detail", agency_id=self.agency.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
