import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.agencies.models import Agency
from apps.compliance.models import Severity
from apps.municipalities.models import Municipality, TenantModel
from apps.sharing.models import SharingGrant

from .periods import period_label


class Finding(TenantModel):
    """A rule broken by a municipality's sharing or searches, kept up to date by evaluation.

    Keyed by (municipality, rule, subject): a re-run updates it, never duplicates it. A
    finding whose condition cleared is closed with the time and cause; one whose
    condition comes back reopens.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        REMEDIATED = "remediated", "Remediated"
        VERIFIED = "verified", "Verified"
        DISMISSED = "dismissed", "Dismissed"
        CLOSED = "closed", "Closed (condition cleared)"

    rule_code = models.CharField(max_length=40)
    subject_key = models.CharField(max_length=255, help_text="What the finding is about")
    subject_label = models.CharField(max_length=255)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    grant = models.ForeignKey(
        SharingGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    summary = models.TextField()
    evidence = models.JSONField(default=dict, help_text="Files and line numbers it rests on")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    period_start = models.DateTimeField(
        null=True, blank=True, help_text="When the condition began to hold"
    )
    period_end = models.DateTimeField(
        null=True, blank=True, help_text="When it stopped holding; empty while it still holds"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_cause = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "rule_code", "subject_key"], name="finding_once_per_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "severity"]),
            models.Index(fields=["rule_code", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code}: {self.subject_label}"

    @property
    def is_about_a_grant(self) -> bool:
        return self.subject_key.startswith("grant:")

    @property
    def sharing_ended(self) -> bool:
        """A grant finding whose grant was accepted and has since ended."""
        return self.is_about_a_grant and self.period_end is not None

    @property
    def period_label(self) -> str:
        """`Apr 16, 2024 to Sep 23, 2025 (17 months)`, or `since Apr 16, 2024`."""
        return period_label(self.period_start, self.period_end)

    # A bulk acceptance's subject: who accepted, and the minute the burst began.
    @staticmethod
    def bulk_subject_key(actor: str, first_at) -> str:
        return f"actor:{actor}:{first_at:%Y-%m-%dT%H:%M}"

    @property
    def bulk_actor(self) -> str:
        """Who accepted, read back from `bulk_subject_key` (the name may hold a colon)."""
        return self.subject_key.removeprefix("actor:").rsplit(":", 2)[0]


def _attachment_path(instance: "FindingEvent", filename: str) -> str:
    # A random name, never one built from the uploaded file's name.
    return f"finding-evidence/{uuid.uuid4().hex}"


class FindingEvent(TenantModel):
    """A step in a finding's life: opened, updated, closed, reopened, or a person's action."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15)
    note = models.TextField(blank=True)
    attachment = models.FileField(upload_to=_attachment_path, blank=True)
    # The name the file had, offered again on download (it is stored under a random one).
    attachment_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class EvaluationRun(TenantModel):
    """One evaluation of one municipality: why it ran, how long, what it changed; or a
    check that found its inputs as the last run left them, and skipped it ("unchanged")."""

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", "Nightly"
        UPLOAD = "upload", "Upload"
        BLOCKLIST = "blocklist", "Blocklist change"
        TERMS = "terms", "Reason term change"
        MANUAL = "manual", "Manual"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        UNCHANGED = "unchanged", "Unchanged (skipped)"

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_at = models.DateTimeField()
    duration_seconds = models.FloatField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(blank=True)
    inputs_fingerprint = models.CharField(
        max_length=32,
        blank=True,
        help_text="What the run's inputs were (apps.audits.fingerprints); empty if it failed",
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["municipality", "-started_at"])]

    def __str__(self) -> str:
        # Shown in the activity log: in the portal's zone, as every time on its pages.
        return f"{self.trigger} run at {timezone.localtime(self.started_at):%Y-%m-%d %H:%M %Z}"


class MunicipalityStatus(TenantModel):
    """A municipality's figures as the statewide dashboard shows them: open findings by
    severity, outgoing grants (and those to blocked agencies), last loaded upload and
    last evaluation (a successful one, or a check that found the inputs unchanged).

    A rollup kept by `apps.audits.rollups.statuses_refresh` at the end of every
    evaluation, load and finding transition, in the same transaction; red / amber /
    green is worked out from it when read, because "stale" moves with the clock.
    """

    municipality = models.OneToOneField(
        Municipality, primary_key=True, on_delete=models.CASCADE, related_name="status_rollup"
    )
    open_critical = models.PositiveIntegerField(default=0)
    open_high = models.PositiveIntegerField(default=0)
    open_medium = models.PositiveIntegerField(default=0)
    open_low = models.PositiveIntegerField(default=0)
    open_review = models.PositiveIntegerField(default=0)
    active_grants = models.PositiveIntegerField(default=0)
    blocked_grants = models.PositiveIntegerField(default=0)
    last_upload = models.DateTimeField(null=True, blank=True)
    last_evaluation = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"status of municipality {self.municipality_id}"


class FindingDay(TenantModel):
    """How many of a municipality's findings were first seen on a (local) day: the
    statewide chart of findings opened per week reads this, not the findings. Kept with
    `MunicipalityStatus` by `statuses_refresh`."""

    day = models.DateField()
    opened = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "day"], name="finding_day_once")
        ]
        indexes = [models.Index(fields=["day"], include=["opened"], name="finding_day_day")]

    def __str__(self) -> str:
        return f"{self.opened} findings opened on {self.day}"


class Engagement(models.Model):
    """An audit an auditor runs: of one municipality, or of a vendor across municipalities,
    for a period, from planning to an issued report."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        FIELDWORK = "fieldwork", "Fieldwork"
        DRAFT_REPORT = "draft_report", "Draft report"
        ISSUED = "issued", "Report issued"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements",
    )
    vendor = models.ForeignKey(
        "vendors.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PLANNED)
    auditors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="engagements")
    findings = models.ManyToManyField(Finding, blank=True, related_name="engagements")
    conclusion = models.TextField(blank=True, help_text="The report's summary and opinion")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(municipality=None, vendor=None),
                name="engagement_has_a_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="engagement_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> str:
        return str(self.municipality or self.vendor)


class EngagementNote(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()
    attachment = models.FileField(upload_to=_attachment_path, blank=True)
    # The name the file had, offered again on download (it is stored under a random one).
    attachment_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Note by {self.author} on {timezone.localdate(self.at):%Y-%m-%d}"
