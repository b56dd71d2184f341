"""Recording changes to the rules and lists (see ChangeRecord)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from . import activity
from .models import ChangeRecord


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, dict, str, int, float, bool)) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict:
    return {name: _plain(getattr(instance, name)) for name in fields}


def change_record(
    *,
    instance: models.Model,
    action: str,
    before: dict | None,
    after: dict,
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> ChangeRecord:
    before = before or {}
    changes = {
        field: [before.get(field), value]
        for field, value in after.items()
        if before.get(field) != value
    }
    change = ChangeRecord.objects.create(
        subject_type=instance._meta.label_lower,
        subject_id=instance.pk,
        subject_label=str(instance)[:255],
        action=action,
        changes=changes,
        reason=reason,
        actor=actor,
    )
    activity.record(
        f"{instance._meta.model_name}.{action}",
        subject=instance,
        detail={"changes": changes, "reason": reason},
        actor=actor,
    )
    return change
