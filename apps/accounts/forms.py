from datetime import datetime

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps.core.client_address import client_address
from apps.municipalities.models import Municipality

from .models import SignInLimit, User
from .sign_in_limits import (
    Hold,
    sign_in_check,
    sign_in_failure_record,
    sign_in_success_record,
)


class AccountForm(forms.ModelForm):
    municipalities = forms.ModelMultipleChoiceField(
        queryset=Municipality.objects.order_by("name"),
        required=False,
        help_text="For municipal staff: the municipalities this account works for.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="For a new account: a first password, to be changed at first sign-in.",
    )
    change_reason = forms.CharField(
        label="Why this change", help_text="Kept in the history with your name and the time."
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["municipalities"] = list(
                self.instance.memberships.values_list("municipality_id", flat=True)
            )
            del self.fields["password"]

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            if not data.get("password"):
                self.add_error("password", "Give the new account a first password.")
            else:
                try:
                    validate_password(data["password"], User(username=data.get("username")))
                except forms.ValidationError as error:
                    self.add_error("password", error)
        municipal = data.get("role") == User.Role.MUNICIPAL and data.get("is_active", True)
        if municipal and not data.get("municipalities"):
            self.add_error("municipalities", "Municipal staff work for a municipality.")
        return data


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"about {(seconds + 59) // 60} minutes"


def hold_message(hold: Hold, *, now: datetime) -> str:
    """What a held sign-in is told: why, and when to try again."""
    who = "for this username" if hold.kind == SignInLimit.Kind.USERNAME else "from your address"
    if hold.until is None:
        return (
            f"Too many failed sign-ins {who}: sign-in is locked until a state "
            "administrator lifts the lock."
        )
    at = timezone.localtime(hold.until).strftime("%H:%M:%S %Z")
    if hold.locked:
        return (
            f"Too many failed sign-ins {who}: sign-in is locked until {at}. "
            "A state administrator can lift the lock sooner."
        )
    return (
        f"Too many failed sign-ins {who}. Wait {_wait(hold.seconds_left(now=now))} "
        f"and try again (after {at})."
    )


class SignInLimitsMixin:
    """AuthenticationForm.clean with the sign-in limits around it: a held sign-in is
    refused before `authenticate`, so it costs no password hash and reveals nothing."""

    held: Hold | None = None

    @sensitive_variables("password")
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            address = client_address(self.request) if self.request is not None else ""
            turn = sign_in_check(username=username, address=address)
            self.held = turn.hold
            if self.held is not None:
                raise forms.ValidationError(
                    hold_message(self.held, now=timezone.now()), code="held"
                )
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                sign_in_failure_record(username=username, address=address)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            sign_in_success_record(username=username, address=address, turn=turn)
        return self.cleaned_data


class SignInForm(SignInLimitsMixin, AuthenticationForm):
    pass


class AdminSignInForm(SignInLimitsMixin, AdminAuthenticationForm):
    """The Django admin's sign-in, under the same limits as the portal's."""


class LiftLimitForm(forms.Form):
    limit = forms.ModelChoiceField(
        queryset=SignInLimit.objects.all(),
        error_messages={
            "required": "Choose the lockout to lift.",
            "invalid_choice": "That lockout has already ended or been lifted.",
        },
    )
