from django.conf import settings
from django.db import models


class ChangeRecord(models.Model):
    """Who changed what in the portal's rules and lists, and when (the history pages).

    One row per change of a blocklist entry, rule or reason term, with the fields that
    changed as {field: [old, new]}.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        RETIRED = "retired", "Retired"

    subject_type = models.CharField(max_length=50)
    subject_id = models.BigIntegerField()
    subject_label = models.CharField(max_length=255)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.action} by {self.actor or 'system'}"


class ActivityEntry(models.Model):
    """One line of the activity log: a write, or an export of personal data, with who,
    from where and when. Append-only and tamper-evident (see `apps.core.activity`).

    `seq` numbers the entries 1, 2, 3… with no gap, and each entry's `hash` covers its
    fields and the previous entry's hash: changing or deleting a row in the database
    breaks the chain, and `manage.py verify_activity_log` says where. A database trigger
    refuses UPDATE and DELETE, so only someone able to drop it can try.
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="The username at the time")
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_label = models.CharField(max_length=255, blank=True)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "activity entries"
        indexes = [
            models.Index(fields=["municipality", "-seq"]),
            models.Index(fields=["actor", "-seq"]),
            models.Index(fields=["action", "-seq"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"
