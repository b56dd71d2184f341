"""Changes to the blocklist, the rule packs and their rules, and the reason terms.

Every change is recorded (who, when, what changed) and re-evaluates only the
municipalities it can affect, once the change is committed.
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core import locks
from apps.core.history import change_record, model_update, row_reread, snapshot, values_of
from apps.core.queueing import publish_after_commit
from apps.sharing.rollups import LOCAL_DAY, search_days_refresh

from .blocklist import blocked_agency_ids
from .models import BlocklistEntry, ReasonTerm, Rule, RulePack
from .packs import pack_municipality_ids

BLOCKLIST_FIELDS = ["agency", "name_pattern", "ori_pattern", "reason", "citation", "is_active"]
TERM_FIELDS = ["label", "phrase", "match", "unless_near", "note", "is_active"]
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
    from apps.audits.tasks import evaluations_dispatch

    publish_after_commit(
        lambda: evaluations_dispatch(municipality_ids, trigger=trigger),
        what=f"{trigger} re-evaluation of {len(municipality_ids)} municipalities",
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
    from .tasks import reasons_reclassify

    publish_after_commit(reasons_reclassify.delay, what="reclassification of stored reasons")
    return term


def reasons_reclassify_all() -> list[int]:
    """Label every stored search again with the current terms; returns the municipalities
    whose labels changed (those, and only those, need evaluating again)."""
    from .terms import reason_classifier

    classifier = reason_classifier()
    with transaction.atomic(), connection.cursor() as cursor:
        # No load may insert searches labelled with the old terms while we relabel.
        locks.SEARCHES.take()
        cursor.execute(
            "SELECT reason, reason_label FROM sharing_searchevent WHERE NOT reason_redacted"
            " GROUP BY reason, reason_label"
        )
        changes = {}
        for text, old_label in cursor.fetchall():
            new_label = classifier.classify(text).label
            if new_label != old_label:
                changes[text] = new_label
        if not changes:
            return []
        cursor.execute("CREATE TEMP TABLE relabel (reason text, label text) ON COMMIT DROP")
        with cursor.cursor.copy("COPY relabel FROM STDIN") as copy:
            for row in changes.items():
                copy.write_row(row)
        cursor.execute(
            "CREATE TEMP TABLE relabelled ON COMMIT DROP AS WITH changed AS ("  # noqa: S608 - constant SQL, values bound # nosec B608
            " UPDATE sharing_searchevent s SET reason_label = r.label FROM relabel r"
            " WHERE s.reason = r.reason AND NOT s.reason_redacted"
            " AND s.reason_label <> r.label RETURNING s.municipality_id, s.searched_at)"
            " SELECT DISTINCT municipality_id, " + LOCAL_DAY.format(column="searched_at")
            + " AS day FROM changed",
            {"tz": settings.TIME_ZONE},
        )  # fmt: skip
        search_days_refresh(cursor, "SELECT municipality_id, day FROM relabelled")
        cursor.execute("SELECT DISTINCT municipality_id FROM relabelled ORDER BY 1")
        municipalities = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE relabel, relabelled")
        return municipalities
