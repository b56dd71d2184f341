from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.generic import FormView
from django_filters.views import FilterView
from django_otp import user_has_device
from django_tables2 import SingleTableMixin

from apps.core.models import ChangeRecord
from apps.core.spreadsheets import TableExportMixin
from apps.municipalities.selectors import municipalities_of

from .filters import UserFilter
from .forms import AccountForm, LiftLimitForm, SignInForm
from .models import User
from .permissions import StateAdministratorRequiredMixin
from .selectors import users_with_memberships
from .services import account_save
from .sign_in_limits import sign_in_limit_lift, sign_in_limits_in_force
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


class SignInView(auth_views.LoginView):
    """The sign-in page; a sign-in held by the limits answers 429 with when to try again."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        if form.held is None:
            return super().form_invalid(form)
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        seconds = form.held.seconds_left(now=timezone.now())
        if seconds is not None:
            response["Retry-After"] = str(seconds)
        return response


class LockoutListView(StateAdministratorRequiredMixin, FormView):
    """Usernames and addresses whose sign-ins are delayed or locked, and the
    administrator's lift."""

    template_name = "accounts/lockouts.html"
    form_class = LiftLimitForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["limits"] = sign_in_limits_in_force()
        context["policy"] = {
            "username_lock": settings.PORTAL_SIGN_IN_USERNAME_LOCK_FAILURES,
            "address_lock": settings.PORTAL_SIGN_IN_ADDRESS_LOCK_FAILURES,
            "lockout_minutes": settings.PORTAL_SIGN_IN_LOCKOUT_MINUTES,
        }
        return context

    def form_valid(self, form):
        limit = form.cleaned_data["limit"]
        sign_in_limit_lift(limit=limit, actor=self.request.user)
        whom = "That username" if limit.kind == limit.Kind.USERNAME else "That address"
        messages.success(self.request, f"{whom}, {limit.key}, can sign in again.")
        return redirect("state:administration:lockouts")

    def form_invalid(self, form):
        for error in form.errors.get("limit", []):
            messages.error(self.request, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page."""
    user = request.user
    if user.is_state_administrator:
        return redirect("state:administration:home")
    if user.is_state_staff:
        return redirect("state:home")
    municipalities = list(municipalities_of(user=user))
    if len(municipalities) == 1:
        return redirect("municipality:home", municipality_slug=municipalities[0].slug)
    return render(request, "core/choose_municipality.html", {"municipalities": municipalities})
