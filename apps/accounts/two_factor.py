"""Optional TOTP two-factor sign-in (an authenticator app's six-digit codes).

Anyone may add an authenticator to their account; once it is confirmed, every sign-in
asks for a code before any page opens. Administrators must have one when
PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS is on (production settings): until they set it
up, every page sends them to the setup page.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core import activity
from apps.core.security import UNGUARDED_PATHS

# Pages an unverified user may still open: these two, signing out, and static files.
_OPEN_NAMES = {"accounts:two_factor_verify", "accounts:two_factor_setup", "accounts:logout"}


class CodeForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="Six-digit code",
        error_messages={"invalid": "Type the six digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


class TwoFactorSetupView(FormView):
    """Show a new authenticator's key (as a QR code and as text) and confirm it."""

    template_name = "accounts/two_factor_setup.html"
    form_class = CodeForm

    def device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(
            user=self.request.user, name="Authenticator app", confirmed=False
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.device()
        context.update(
            qr=_qr_data_uri(device.config_url),
            secret=base64.b32encode(device.bin_key).decode(),
            has_device=user_has_device(self.request.user, confirmed=True),
            required=_required(self.request.user),
        )
        return context

    def form_valid(self, form):
        device = self.device()
        if not device.verify_token(form.cleaned_data["token"].strip()):
            form.add_error(
                "token", "That code does not match. Check the phone's clock and try again."
            )
            return self.form_invalid(form)
        # One authenticator per account: the new one replaces any earlier.
        TOTPDevice.objects.filter(user=self.request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        otp_login(self.request, device)
        activity.record("account.two_factor_added", subject=self.request.user)
        messages.success(self.request, "Two-factor sign-in is on for your account.")
        return redirect("home")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TwoFactorVerifyView(FormView):
    """The second step of signing in."""

    template_name = "accounts/two_factor_verify.html"
    form_class = CodeForm

    def form_valid(self, form):
        token = form.cleaned_data["token"].strip()
        for device in TOTPDevice.objects.filter(user=self.request.user, confirmed=True):
            if device.verify_token(token):
                otp_login(self.request, device)
                activity.record("account.two_factor_verified", subject=self.request.user)
                return redirect(_safe_next(self.request))
        activity.record("account.two_factor_failed", subject=self.request.user)
        form.add_error("token", "That code does not match. Try the code now on screen.")
        return self.form_invalid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _safe_next(request) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):  # fmt: skip
        return target
    return reverse("home")


def _required(user) -> bool:
    return settings.PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS and user.is_state_administrator


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: hold signed-in users at the code (or setup)
    page until their session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path_info in UNGUARDED_PATHS:
            return self.get_response(request)
        if user is not None and user.is_authenticated and not user.is_verified():
            match = getattr(request, "resolver_match", None)
            name = match.view_name if match else self._name(request)
            if name not in _OPEN_NAMES and not request.path.startswith(settings.STATIC_URL):
                if user_has_device(user, confirmed=True):
                    verify = reverse("accounts:two_factor_verify")
                    return redirect(f"{verify}?{urlencode({'next': request.get_full_path()})}")
                if _required(user):
                    messages.info(
                        request, "Administrators sign in with a second factor: set it up now."
                    )
                    return redirect("accounts:two_factor_setup")
        return self.get_response(request)

    @staticmethod
    def _name(request) -> str:
        from django.urls import Resolver404, resolve

        try:
            return resolve(request.path_info).view_name
        except Resolver404:
            return ""
