from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView

from apps.core.files import download_name, field_file_download
from apps.municipalities.views import MunicipalityViewMixin

from .forms import DeclarationForm
from .models import Declaration
from .services import declaration_add


class DeclarationListView(MunicipalityViewMixin, FormView):
    """The municipality's register of out-of-state partners' declarations (2-130(c))."""

    template_name = "sharing/declaration_list.html"
    form_class = DeclarationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["declarations"] = Declaration.objects.select_related("agency", "entered_by")
        return context

    def form_valid(self, form):
        declaration = form.save(commit=False)
        declaration.municipality = self.municipality
        declaration_add(declaration=declaration, entered_by=self.request.user)
        messages.success(self.request, f"Declaration of {declaration.agency} recorded.")
        return redirect(self.request.path)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DeclarationFileView(MunicipalityViewMixin, View):
    """The declaration document as filed."""

    def load_url_objects(self) -> None:
        self.declaration = (
            Declaration.objects.select_related("agency")
            .filter(pk=self.kwargs["declaration_id"])
            .exclude(document="")
            .first()
        )
        if self.declaration is None:
            raise Http404("No such declaration file.")

    def get(self, request, *args, **kwargs):
        declaration = self.declaration
        return field_file_download(
            request, declaration.document, subject=declaration, what="declaration",
            name=download_name(f"declaration-{declaration.agency.name}-{declaration.received_on}",
                               f"declaration-{declaration.pk}"),
        )  # fmt: skip
