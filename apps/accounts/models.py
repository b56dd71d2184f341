import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin


class User(AbstractUser):
    """A person who signs in. What they may see follows from `role` and memberships."""

    class Role(models.TextChoices):
        MUNICIPAL = "municipal", "Municipal staff"
        AUDITOR = "auditor", "State auditor"
        ADMINISTRATOR = "administrator", "State administrator"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MUNICIPAL)

    class Meta:
        ordering = ["username"]

    @property
    def is_state_staff(self) -> bool:
        """Auditors and administrators work across municipalities."""
        return self.role in (self.Role.AUDITOR, self.Role.ADMINISTRATOR)

    @property
    def is_state_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR


class BackupCodeDevice(ThrottlingMixin, Device):
    """An account's one-time backup codes, for signing in without the authenticator app.

    Each code works once. Codes are shown once, when they are made, and kept only as
    keyed hashes in `BackupCode` (django-otp's own static device keeps them readable).
    """

    class Meta(Device.Meta):
        verbose_name = "backup code set"

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        """Accept an unused code of this set once, and mark it used.

        The code's row is locked and re-read under the lock, so two requests with the
        same code at the same moment cannot both pass: the second finds it used.
        """
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        with transaction.atomic():
            code = (
                self.codes.select_for_update()
                .filter(digest__in=backup_code_digests(str(token)), used_at__isnull=True)
                .first()
            )
            if code is None:
                self.throttle_increment(commit=True)
                return False
            code.used_at = timezone.now()
            code.save(update_fields=["used_at"])
            self.throttle_reset(commit=True)
        return True

    def unused_count(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


def backup_code_normalise(code: str) -> str:
    """Codes are shown in two groups of five (`abcde-fghjk`); people type them with or
    without the dash, with spaces, in capitals."""
    return re.sub(r"[\s-]", "", code).lower()


def backup_code_digests(code: str) -> list[str]:
    """The code's HMAC-SHA256 under the secret key, and under each retired key in
    SECRET_KEY_FALLBACKS, so rotating the key does not void the codes people hold.
    The first is the one to store."""
    normalised = backup_code_normalise(code)
    return [
        salted_hmac(
            "apps.accounts.BackupCode", normalised, secret=secret, algorithm="sha256"
        ).hexdigest()
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ]


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, help_text="HMAC-SHA256 of the code")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="backup_code_once_per_set")
        ]

    def __str__(self) -> str:
        return f"backup code {self.pk} ({'used' if self.used_at else 'unused'})"


class SignInLimit(models.Model):
    """Failed sign-ins counted by username (across addresses) and by client address
    (across usernames): the first slows and then locks one account under attack, the
    second slows one address trying many accounts (password spraying)."""

    class Kind(models.TextChoices):
        USERNAME = "username", "Username"
        ADDRESS = "address", "Client address"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=150, help_text="The username as typed, or the address")
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    retry_after = models.DateTimeField(
        null=True, blank=True, help_text="No sign-in is tried for this key before then"
    )
    locked_at = models.DateTimeField(
        null=True, blank=True, help_text="Locked out until an administrator lifts it"
    )

    class Meta:
        ordering = ["-last_failure_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="sign_in_limit_once_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}: {self.failures} failure(s)"
