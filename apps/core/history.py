"""Recording people's changes to the rules and lists, accounts, agencies and engagements
(see ChangeRecord), and `model_update`, the one way a service changes such a row."""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from . import activity
from .models import ChangeRecord

M = TypeVar("M", bound=models.Model)


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, dict, str, int, float, bool)) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict:
    return {name: _plain(getattr(instance, name)) for name in fields}


def history_record(
    *,
    instance: models.Model,
    action: str,
    changes: dict[str, list],
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> ChangeRecord:
    """Keep `changes` ({field: [old, new]}) in the row's history and the activity log."""
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


def change_record(
    *,
    instance: models.Model,
    action: str,
    before: dict | None,
    after: dict,
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> ChangeRecord:
    """Keep a change that is not an update of the row's own fields (a creation, a
    merge, another spelling), as the values before and after."""
    before = before or {}
    changes = {
        field: [before.get(field), value]
        for field, value in after.items()
        if before.get(field) != value
    }
    return history_record(
        instance=instance, action=action, changes=changes, actor=actor, reason=reason
    )


def values_of(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values a form set on `instance`, to apply to the stored row with model_update."""
    return {name: getattr(instance, name) for name in fields}


def row_reread(instance: models.Model) -> None:
    """Read the stored row back into `instance` and hold it until the transaction ends,
    so that model_update compares with what is stored, not with what a form set."""
    # FOR NO KEY UPDATE: a load holds FOR KEY SHARE on the agencies its rows reference
    # while it waits for nothing an editor holds; a FOR UPDATE here would wait on it
    # while holding what the load's next step needs (a deadlock). A change of a key
    # column (an ORI) still takes the stronger lock when it is written.
    instance.refresh_from_db(
        from_queryset=type(instance)._base_manager.select_for_update(no_key=True)
    )


def _id_of(value) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _related(value) -> Any:
    """A related row as history shows it: its name and id (two agencies may share a name)."""
    return f"{value} (#{value.pk})" if isinstance(value, models.Model) else value


def model_update(
    *,
    instance: M,
    fields: Iterable[str],
    data: Mapping[str, Any],
    actor: AbstractBaseUser | None,
    reason: str = "",
    action: str = ChangeRecord.Action.CHANGED,
    other_changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> tuple[M, dict[str, list]]:
    """Set those of `fields` that `data` gives, save the ones that changed and keep
    exactly those in the row's history.

    1. Each field is compared with the value it has now: a foreign key by id, a
       many-to-many field by its set of ids, any other field by equality. Only a
       different value is set.
    2. Nothing changed (and nothing in `other_changes`, the changes outside the row such
       as memberships or spellings, as (old, new)): no write, no history.
    3. Otherwise `full_clean()` of the changed fields, `save(update_fields=…)` with the
       changed columns and the `auto_now` ones (caches read them), the many-to-many
       sets, then one ChangeRecord and its activity entry with {field: [old, new]}.

    Returns the instance and the changes recorded (empty: nothing changed). The caller
    holds the transaction and, for a row others may change meanwhile, its lock
    (`row_reread`).
    """
    meta = instance._meta
    changes: dict[str, list] = {}
    columns: list[str] = []
    relations: dict[str, set] = {}
    for name in fields:
        if name not in data:
            continue
        field = meta.get_field(name)
        value = data[name]
        if field.many_to_many:
            old_ids = set(getattr(instance, name).values_list("pk", flat=True))
            new_ids = {_id_of(item) for item in value}
            if old_ids != new_ids:
                relations[name] = new_ids
                changes[name] = [sorted(old_ids), sorted(new_ids)]
        elif field.is_relation:
            if getattr(instance, field.attname) != _id_of(value):
                old = _related(getattr(instance, name))
                if isinstance(value, models.Model) or value is None:
                    setattr(instance, name, value)
                else:
                    setattr(instance, field.attname, value)
                columns.append(name)
                changes[name] = [old, _related(getattr(instance, name))]
        elif getattr(instance, name) != value:
            changes[name] = [_plain(getattr(instance, name)), _plain(value)]
            setattr(instance, name, value)
            columns.append(name)
    for name, (old, new) in (other_changes or {}).items():
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    if not changes:
        return instance, changes
    if columns:
        # Only what changes is validated: a stored row that an older release let through
        # (an account without a password, say) can still be edited.
        instance.full_clean(exclude=[f.name for f in meta.fields if f.name not in columns])
        touched = [f.name for f in meta.concrete_fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=columns + touched)
    for name, ids in relations.items():
        getattr(instance, name).set(ids)
    history_record(instance=instance, action=action, changes=changes, actor=actor, reason=reason)
    return instance, changes
