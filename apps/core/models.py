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
