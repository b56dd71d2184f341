from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import FormView

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
