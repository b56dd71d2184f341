from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.municipalities.models import TenantModel


class Vendor(models.Model):
    """An ALPR platform whose exports municipalities upload."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VendorExport(TenantModel):
    """One uploaded vendor file, from receipt to loaded or rejected."""

    class Kind(models.TextChoices):
        NETWORK_AUDIT = "network_audit", "Network audit"
        ORGANIZATION_AUDIT = "organization_audit", "Organization audit"
        SHARING_LIST = "sharing_list", "Sharing list or report"
        EVENT_LOG = "event_log", "Sharing event log"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PARSING = "parsing", "Parsing"
        LOADED = "loaded", "Loaded"
        REJECTED = "rejected", "Rejected"

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="exports")
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    file_format = models.CharField(max_length=40, blank=True)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty when an administrator loaded it from the command line",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_ignored = models.PositiveIntegerField(
        default=0,
        help_text="Rows not about sharing (hotlists, users, roles) and blank rows: counted, "
        "not loaded, not errors",
    )
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="Why the file was rejected, if it was")
    warnings = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per phase")
    received_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    original_purged_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the uploaded file was deleted at the end of the retention period; "
        "what was loaded from it stays",
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            # A rejected file may be uploaded again (with the right vendor or kind).
            models.UniqueConstraint(
                fields=["municipality", "sha256"],
                condition=~models.Q(status="rejected"),
                name="export_file_once_per_municipality",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "-received_at"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.LOADED, self.Status.REJECTED)

    @property
    def uploader_label(self) -> str:
        return str(self.uploaded_by) if self.uploaded_by else "command line"

    @property
    def is_partly_loaded(self) -> bool:
        """Loaded, but some rows were rejected (`rows_rejected` counts the row errors)."""
        return self.status == self.Status.LOADED and self.rows_rejected > 0

    @property
    def status_label(self) -> str:
        if self.is_partly_loaded:
            rows = "row" if self.rows_rejected == 1 else "rows"
            return f"Loaded, {self.rows_rejected:,} {rows} rejected"
        return self.get_status_display()

    @property
    def status_tone(self) -> str:
        """The badge's colour class: a partly loaded export is amber, not green."""
        return "amber" if self.is_partly_loaded else self.status

    @property
    def original_kept_until(self) -> date | None:
        """The last day the uploaded file is kept (the daily purge removes it after);
        None once it was purged."""
        if self.original_purged_at:
            return None
        retention = timedelta(days=settings.PORTAL_ORIGINAL_RETENTION_DAYS)
        return timezone.localdate(self.received_at + retention)


class ExportRowError(TenantModel):
    """A row of an export that could not be loaded, and why; the other rows still load."""

    export = models.ForeignKey(VendorExport, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    column = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["line", "column"]
        indexes = [models.Index(fields=["export", "line"])]

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
