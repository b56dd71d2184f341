"""Changes to the blocklist, the rule packs and their rules, and the reason terms.

Every change is recorded (who, when, what changed) and re-evaluates only the
municipalities it can affect, once the change is committed.
"""

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.history import change_record, model_update, row_reread, snapshot, values_of
from apps.core.queueing import task_named

from .blocklist import blocked_agency_ids
from .models import BlocklistEntry, ReasonTerm, Rule, RulePack
from .packs import pack_municipality_ids

BLOCKLIST_FIELDS = ["agency", "name_pattern", "ori_pattern", "reason", "citation", "is_active"]
TERM_FIELDS = [
    "label", "category", "phrase", "match", "unless_near", "note", "source", "is_active"
]  # fmt: skip
RULE_FIELDS = ["title", "severity", "explanation", "citation", "settings", "is_active"]
PACK_FIELDS = ["name", "basis"]


def municipalities_touching(agency_ids: list[int]) -> list[int]:
    """Municipalities with a grant to, or a search by, any of these agencies."""
    if not agency_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT municipality_id FROM sharing_sharinggrant WHERE agency_id = ANY(%(ids)s)"
            " UNION SELECT municipality_id FROM sharing_searchevent WHERE agency_id = ANY(%(ids)s)",
            {"ids": agency_ids},
        )
        return sorted(row[0] for row in cursor.fetchall())


def _evaluate_later(municipality_ids: list[int], trigger: str) -> None:
    task_named("audits.evaluations_dispatch").delay_on_commit(
        municipality_ids=municipality_ids, trigger=trigger
    )


def _matches(entry: BlocklistEntry) -> list[int]:
    return blocked_agency_ids([entry]) if entry.is_active else []


@transaction.atomic
def blocklist_entry_save(
    *, entry: BlocklistEntry, actor: User | None, reason: str = ""
) -> tuple[BlocklistEntry, list[int]]:
    """Create or change an entry; returns it and the municipalities queued for evaluation."""
    if not entry.pk:
        entry.created_by = actor
        entry.retired_at = None if entry.is_active else timezone.now()
        entry.full_clean()
        entry.save()
        change_record(
            instance=entry,
            action="created",
            before=None,
            after=snapshot(entry, BLOCKLIST_FIELDS),
            actor=actor,
            reason=reason,
        )
        affected = municipalities_touching(_matches(entry))
        _evaluate_later(affected, "blocklist")
        return entry, affected
    typed = values_of(entry, BLOCKLIST_FIELDS)
    row_reread(entry)
    matched_before, was_active = _matches(entry), entry.is_active
    typed["retired_at"] = None if typed["is_active"] else (entry.retired_at or timezone.now())
    retiring = was_active and not typed["is_active"]
    model_update(
        instance=entry,
        fields=[*BLOCKLIST_FIELDS, "retired_at"],
        data=typed,
        actor=actor,
        reason=reason,
        action="retired" if retiring else "changed",
    )
    affected = municipalities_touching(sorted(set(matched_before) | set(_matches(entry))))
    _evaluate_later(affected, "blocklist")
    return entry, affected


def blocklist_entry_retire(*, entry: BlocklistEntry, actor: User | None, reason: str):
    entry.is_active = False
    return blocklist_entry_save(entry=entry, actor=actor, reason=reason)


@transaction.atomic
def rule_save(*, rule: Rule, actor: User | None, reason: str = "") -> Rule:
    """Change a rule's wording, severity or thresholds; the municipalities its pack judges
    are re-evaluated."""
    typed = values_of(rule, RULE_FIELDS)
    row_reread(rule)
    model_update(instance=rule, fields=RULE_FIELDS, data=typed, actor=actor, reason=reason)
    _evaluate_later(pack_municipality_ids(rule.pack), "manual")
    return rule


@transaction.atomic
def rule_pack_save(*, pack: RulePack, actor: User | None, reason: str = "") -> RulePack:
    """Change a pack's name or the statute it rests on. Findings read neither: nothing is
    re-evaluated."""
    typed = values_of(pack, PACK_FIELDS)
    row_reread(pack)
    model_update(instance=pack, fields=PACK_FIELDS, data=typed, actor=actor, reason=reason)
    return pack


@transaction.atomic
def reason_term_save(*, term: ReasonTerm, actor: User | None, reason: str = "") -> ReasonTerm:
    """Create or change a term; stored searches are re-classified in the background."""
    if term.pk:
        typed = values_of(term, TERM_FIELDS)
        row_reread(term)
        model_update(instance=term, fields=TERM_FIELDS, data=typed, actor=actor, reason=reason)
    else:
        term.full_clean()
        term.save()
        change_record(
            instance=term,
            action="created",
            before=None,
            after=snapshot(term, TERM_FIELDS),
            actor=actor,
            reason=reason,
        )
    task_named("sharing.reasons_reclassify").delay_on_commit()
    return term
