from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_otp import user_has_device
from django_tables2 import SingleTableMixin

from apps.core import activity
from apps.core.models import ChangeRecord
from apps.core.spreadsheets import TableExportMixin

from .filters import UserFilter
from .forms import AccountForm
from .models import User
from .permissions import StateAdministratorRequiredMixin
from .selectors import users_with_memberships
from .services import account_save
from .tables import UserTable
from .two_factor import two_factor_remove


class UserListView(StateAdministratorRequiredMixin, TableExportMixin, SingleTableMixin, FilterView):
    """Accounts and their memberships, for state administrators."""

    export_name = "accounts"

    template_name = "accounts/user_list.html"
    table_class = UserTable
    filterset_class = UserFilter
    paginate_by = 50

    def get_queryset(self):
        return users_with_memberships()


class AccountEditView(StateAdministratorRequiredMixin, FormView):
    """Create or change an account and its memberships, with the history of changes."""

    template_name = "accounts/account_edit.html"
    form_class = AccountForm

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("user_id")
        self.account = get_object_or_404(User, pk=pk) if pk else User()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.account}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = self.account
        context["has_two_factor"] = bool(self.account.pk) and user_has_device(
            self.account, confirmed=True
        )
        context["history"] = (
            ChangeRecord.objects.filter(
                subject_type="accounts.user", subject_id=self.account.pk
            ).select_related("actor")
            if self.account.pk
            else []
        )
        return context

    def post(self, request, *args, **kwargs):
        if "remove_two_factor" in request.POST and self.account.pk:
            # The backup codes go with the authenticator: a lost phone may have been
            # lost with the codes printed for it.
            if two_factor_remove(user=self.account):
                messages.success(
                    request,
                    f"{self.account.username}'s authenticator and backup codes are removed; "
                    "they can set up a new one after signing in.",
                )
            return redirect("state:administration:account_edit", user_id=self.account.pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        account = account_save(
            user=form.save(commit=False),
            municipalities=form.cleaned_data["municipalities"],
            actor=self.request.user,
            reason=form.cleaned_data["change_reason"],
            password=form.cleaned_data.get("password", ""),
        )
        messages.success(self.request, f"Account {account.username} saved.")
        return redirect("state:administration:home")


class LockoutListView(StateAdministratorRequiredMixin, TemplateView):
    """Sign-ins refused after repeated failures, and the administrator's unlock."""

    template_name = "accounts/lockouts.html"

    def get_context_data(self, **kwargs):
        from axes.models import AccessAttempt

        context = super().get_context_data(**kwargs)
        context["attempts"] = AccessAttempt.objects.order_by("-attempt_time")[:200]
        context["limit"] = settings.AXES_FAILURE_LIMIT
        return context

    def post(self, request, *args, **kwargs):
        from axes.models import AccessAttempt
        from axes.utils import reset

        attempt = AccessAttempt.objects.filter(
            pk=int(request.POST["attempt"]) if request.POST.get("attempt", "").isdigit() else None
        ).first()
        if attempt is None:
            messages.error(request, "That lockout has already ended or been unlocked.")
            return redirect("state:administration:lockouts")
        reset(ip=attempt.ip_address, username=attempt.username)
        activity.record(
            "account.unlocked",
            subject_label=attempt.username or "",
            detail={"username": attempt.username, "address": attempt.ip_address,
                    "failures": attempt.failures_since_start},
        )  # fmt: skip
        messages.success(
            request, f"{attempt.username} can sign in again from {attempt.ip_address}."
        )
        return redirect("state:administration:lockouts")
