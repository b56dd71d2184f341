from django.conf import settings
from django.db import models

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
        SEARCH_LOG = "search_log", "Search audit log"
        SHARING_LIST = "sharing_list", "Sharing list"
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
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "sha256"], name="export_file_once_per_municipality"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "-received_at"])]

    def __str__(self) -> str:
        return self.original_name
