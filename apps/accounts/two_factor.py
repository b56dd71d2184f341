"""Two-factor sign-in: an authenticator app's six-digit codes (TOTP), and one-time
backup codes for the day the phone is lost.

- Signing in with the password alone leaves the session *held*: until it gives a code it
  reaches the code page and sign-out, nothing else (`TwoFactorMiddleware`, failing
  closed). The one exception: an administrator who must have two-factor sign-in
  (PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS) and has none yet may also reach setup,
  where there is nothing to replace.
- Changing two-factor sign-in (a new phone, new backup codes, turning it off) takes a
  verified session and the password again, so neither a session left open nor a
  password alone can swap in somebody else's authenticator.
- A new phone's key waits in the session (server-side, signed) until a code from it is
  confirmed; only then does it replace the old authenticator. Showing the setup page
  writes nothing to the device tables.
- Backup codes are shown once, when they are made, and kept only as keyed hashes
  (`BackupCodeDevice`); each works once.
"""

import base64
import io
import secrets
import time
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from apps.core import activity
from apps.core.security import UNGUARDED_PATHS

from .models import BackupCode, BackupCodeDevice, User, backup_code_digests, backup_code_normalise

VERIFY_VIEW = "accounts:two_factor_verify"
SETUP_VIEW = "accounts:two_factor_setup"
# Everything a held session may reach (static files aside); anything else, a page
# added later included, sends it to the code page.
HELD_SESSION_VIEWS = frozenset({VERIFY_VIEW, "accounts:logout"})

PENDING_KEY_SESSION = "portal_two_factor_pending_key"
FAILED_RECHECKS_SESSION = "portal_two_factor_failed_rechecks"
# Wrong passwords on these pages before the session is signed out: a session left
# open must not become a way to guess the password.
PASSWORD_FAILURE_LIMIT = 5

# No 0/o, 1/i/l: read off paper and typed without confusion. 31 symbols, ten of them:
# about 49 bits per code, behind throttling.
BACKUP_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
BACKUP_CODE_LENGTH = 10
BACKUP_CODE_COUNT = 10


# --- services ------------------------------------------------------------------------


def _lock_account(user: User) -> None:
    # Two-factor changes of one account run one at a time (two tabs, a double click).
    User.objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def authenticator_confirm(
    *, user: User, key: str, token: str, session_verified: bool
) -> TOTPDevice | None:
    """Confirm a new authenticator (hex `key`) with a code it shows; if the code
    matches, it becomes the account's only authenticator. The old one, if any, is
    deleted here and nowhere else. None when the code does not match.

    Replacing an authenticator takes a session verified with a code: checked again
    here, under the account's lock, in case one was confirmed since the page opened.
    """
    device = TOTPDevice(user=user, name="Authenticator app", key=key, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not token.isdigit() or not totp.verify(int(token), device.tolerance):
        return None
    # The code just typed cannot be used again to sign in.
    device.last_t = totp.t()
    _lock_account(user)
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if replaced and not session_verified:
        raise PermissionDenied("Replacing an authenticator takes a verified session.")
    TOTPDevice.objects.filter(user=user).delete()
    device.full_clean()
    device.save()
    activity.record(
        "account.two_factor_added", subject=user, detail={"replaced_authenticator": replaced}
    )
    return device


def _backup_code_new() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


def backup_code_display(code: str) -> str:
    half = BACKUP_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


@transaction.atomic
def backup_codes_generate(*, user: User) -> list[str]:
    """Make a new set of backup codes for the account; the old set stops working.

    Returns the codes, to be shown once: only their HMACs are stored.
    """
    _lock_account(user)
    device = BackupCodeDevice.objects.filter(user=user).first()
    if device is None:
        device = BackupCodeDevice.objects.create(user=user, name="Backup codes")
    else:
        # The same device, new codes: a session verified with an old code stays so.
        device.codes.all().delete()
        device.throttle_reset(commit=True)
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(_backup_code_new())
    BackupCode.objects.bulk_create(
        BackupCode(device=device, digest=backup_code_digests(code)[0]) for code in codes
    )
    activity.record("account.backup_codes_generated", subject=user, detail={"count": len(codes)})
    return sorted(codes)


@transaction.atomic
def two_factor_remove(*, user: User) -> bool:
    """Remove the account's authenticator and backup codes (a lost phone, or the user
    turning two-factor sign-in off). False when there was nothing to remove."""
    _lock_account(user)
    removed_totp, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_backup, _ = BackupCodeDevice.objects.filter(user=user).delete()
    if not (removed_totp or removed_backup):
        return False
    activity.record("account.two_factor_removed", subject=user)
    return True


def sign_in_code_verify(*, user: User, token: str) -> TOTPDevice | BackupCodeDevice | None:
    """The device that accepts `token` (an authenticator code or a backup code), or
    None. Devices are locked while they check, so one code cannot pass twice."""
    model = TOTPDevice if token.isdigit() and len(token) == 6 else BackupCodeDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(token):
                return device
    return None


def backup_codes_left(*, user: User) -> int | None:
    """Unused backup codes, or None when the account has never had any."""
    device = BackupCodeDevice.objects.filter(user=user).first()
    return device.unused_count() if device else None


def required_for(user: User) -> bool:
    return settings.PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS and user.is_state_administrator


# --- forms ---------------------------------------------------------------------------


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="Asked again because this changes how you sign in.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


class AuthenticatorForm(PasswordAgainForm):
    token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="Six-digit code",
        error_messages={"invalid": "Type the six digits your authenticator app shows."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    field_order = ["token", "password"]


class SignInCodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The six digits your authenticator app shows, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        token = backup_code_normalise(self.cleaned_data["token"])
        is_totp = token.isdigit() and len(token) == 6
        is_backup = len(token) == BACKUP_CODE_LENGTH and set(token) <= set(BACKUP_CODE_ALPHABET)
        if not (is_totp or is_backup):
            raise forms.ValidationError(
                "Type the six digits your authenticator app shows, or one of your "
                "ten-character backup codes."
            )
        return token


# --- views ---------------------------------------------------------------------------


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _verify_url(request) -> str:
    return f"{reverse(VERIFY_VIEW)}?{urlencode({'next': request.get_full_path()})}"


def _safe_next(request) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):  # fmt: skip
        return target
    return reverse("home")


class TwoFactorChangeMixin:
    """For the pages that change how an account signs in: a verified session (when
    the account has two-factor sign-in) and the password again. The middleware holds
    unverified sessions already; this refuses too, should a view be mounted elsewhere."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.is_verified() and user_has_device(user):
            return redirect(_verify_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_invalid(self, form):
        if form.has_error("password", "wrong_password"):
            session = self.request.session
            failures = session.get(FAILED_RECHECKS_SESSION, 0) + 1
            session[FAILED_RECHECKS_SESSION] = failures
            activity.record(
                "account.two_factor_password_failed",
                subject=self.request.user,
                detail={"page": self.request.resolver_match.view_name, "failures": failures},
            )
            if failures >= PASSWORD_FAILURE_LIMIT:
                logout(self.request)
                messages.error(self.request, "You were signed out after too many wrong passwords.")
                return redirect_to_login(reverse(SETUP_VIEW))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def password_confirmed(self) -> None:
        self.request.session.pop(FAILED_RECHECKS_SESSION, None)

    def show_backup_codes(self, codes: list[str]):
        return self.response_class(
            request=self.request,
            template=["accounts/two_factor_backup_codes_new.html"],
            context={"codes": [backup_code_display(code) for code in codes]},
        )


class TwoFactorSetupView(TwoFactorChangeMixin, FormView):
    """Add an authenticator, or move it to a new phone: the new key is shown (QR code
    and text) and replaces the old only when a code from it is confirmed."""

    template_name = "accounts/two_factor_setup.html"
    form_class = AuthenticatorForm

    def pending_key(self) -> str:
        # Kept for the session so a reload shows the same key as the app scanned.
        return self.request.session.setdefault(PENDING_KEY_SESSION, random_hex(20))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        key = self.pending_key()
        context.update(
            qr=_qr_data_uri(TOTPDevice(user=user, key=key).config_url),
            secret=base64.b32encode(unhexlify(key)).decode(),
            has_device=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            backup_codes_left=backup_codes_left(user=user),
            required=required_for(user),
        )
        return context

    def form_valid(self, form):
        self.password_confirmed()
        user = self.request.user
        device = authenticator_confirm(
            user=user,
            key=self.pending_key(),
            token=form.cleaned_data["token"].strip(),
            session_verified=user.is_verified(),
        )
        if device is None:
            form.add_error(
                "token", "That code does not match. Check the phone's clock and try again."
            )
            return self.render_to_response(self.get_context_data(form=form), status=400)
        self.request.session.pop(PENDING_KEY_SESSION, None)
        otp_login(self.request, device)
        messages.success(self.request, "Two-factor sign-in is on for your account.")
        if not backup_codes_left(user=user):
            return self.show_backup_codes(backup_codes_generate(user=user))
        return redirect(SETUP_VIEW)


class BackupCodesView(TwoFactorChangeMixin, FormView):
    """How many backup codes are left, and a new set (which voids the old one)."""

    template_name = "accounts/two_factor_backup_codes.html"
    form_class = PasswordAgainForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_has_device(request.user):
            messages.info(request, "Backup codes come with two-factor sign-in: set it up first.")
            return redirect(SETUP_VIEW)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["backup_codes_left"] = backup_codes_left(user=self.request.user)
        return context

    def form_valid(self, form):
        self.password_confirmed()
        return self.show_backup_codes(backup_codes_generate(user=self.request.user))


class TwoFactorRemoveView(TwoFactorChangeMixin, FormView):
    """Turn two-factor sign-in off: the authenticator and the backup codes go."""

    template_name = "accounts/two_factor_remove.html"
    form_class = PasswordAgainForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_has_device(request.user):
            messages.info(request, "Two-factor sign-in is off for your account.")
            return redirect(SETUP_VIEW)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["required"] = required_for(self.request.user)
        return context

    def form_valid(self, form):
        self.password_confirmed()
        if required_for(self.request.user):
            form.add_error(None, "Administrators keep two-factor sign-in on.")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        two_factor_remove(user=self.request.user)
        messages.success(self.request, "Two-factor sign-in is off for your account.")
        return redirect(SETUP_VIEW)


class TwoFactorVerifyView(FormView):
    """The second step of signing in: an authenticator code or a backup code."""

    template_name = "accounts/two_factor_verify.html"
    form_class = SignInCodeForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and (user.is_verified() or not user_has_device(user)):
            return redirect(_safe_next(request))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        device = sign_in_code_verify(user=user, token=form.cleaned_data["token"])
        if device is None:
            activity.record("account.two_factor_failed", subject=user)
            form.add_error(
                "token", "That code does not match. Try the code now on screen, or a backup code."
            )
            return self.form_invalid(form)
        otp_login(self.request, device)
        if isinstance(device, BackupCodeDevice):
            left = device.unused_count()
            activity.record("account.backup_code_used", subject=user, detail={"left": left})
            messages.warning(
                self.request,
                f"You signed in with a backup code, which now stops working. "
                f"{left} backup code{'' if left == 1 else 's'} left."
                + (" Make a new set from Two-factor sign-in." if left <= 3 else ""),
            )
        else:
            activity.record("account.two_factor_verified", subject=user)
        return redirect(_safe_next(self.request))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- middleware ----------------------------------------------------------------------


def _view_name(request) -> str:
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None)).view_name
    except Resolver404:
        return ""


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: a signed-in session that has not given its
    code reaches only the pages in HELD_SESSION_VIEWS; every other request goes to the
    code page (or, for an administrator who must enrol, to setup)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in UNGUARDED_PATHS or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if user_has_device(user, confirmed=True):
            if _view_name(request) not in HELD_SESSION_VIEWS:
                return redirect(_verify_url(request))
        elif required_for(user) and _view_name(request) not in HELD_SESSION_VIEWS | {SETUP_VIEW}:
            messages.info(request, "Administrators sign in with a second factor: set it up now.")
            return redirect(SETUP_VIEW)
        return self.get_response(request)
