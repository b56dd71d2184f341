"""Changes administrators make to the agency directory, and the import of ICE's list of
287(g) partners."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audits.models import Finding
from apps.compliance.models import BlocklistEntry
from apps.compliance.services import municipalities_touching
from apps.core import activity, locks
from apps.core.history import change_record, model_update, row_reread
from apps.core.models import ChangeRecord
from apps.core.queueing import task_named
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import Declaration, SearchEvent, SharingGrant
from apps.sharing.rollups import search_days_refresh
from apps.sharing.ungranted import ungranted_agencies_refresh

from .models import Agency, AgencyAlias, AgencyNamePattern, AgreementImport, ImmigrationAgreement
from .naming import ParsedName, parse_agency_name
from .registry import (
    PUBLISHED_FIELDS,
    agreement_key,
    differs,
    directory_level,
    names_to_match,
    published_values,
    renamed_pairs,
)
from .registry_file import PublishedRow, registry_file_read
from .resolution import AgencyResolver


def _aliases(agency: Agency) -> list[str]:
    return sorted(agency.aliases.values_list("alias", flat=True))


def _stored_state(agency: Agency) -> str:
    """The agency's state as stored, read without a lock. Whether a change moves the
    agency to another state decides whether the searches lock is taken, and that lock
    ranks before the agency's row (apps/core/locks.py): so it is decided before the row
    is locked and read back, against what is stored, not what a caller's object says."""
    return Agency.objects.filter(pk=agency.pk).values_list("state", flat=True).get()


def _searcher_state_changed(agency: Agency) -> None:
    """A statewide pool covers the searchers of the home state: recount the agency's
    searches where one decides (searches of many municipalities: no load meanwhile)."""
    locks.SEARCHES.take()
    with connection.cursor() as cursor:
        ungranted_agencies_refresh(cursor, agency_ids=[agency.pk], pools_only=True)


@transaction.atomic
def agency_confirm(
    *, agency: Agency, level: str | None = None, actor: User | None = None, reason: str = ""
) -> Agency:
    row_reread(agency)
    model_update(
        instance=agency, fields=["is_confirmed", "level"],
        data={"is_confirmed": True, "level": level or agency.level},
        actor=actor, reason=reason or "Confirmed in agency review.",
    )  # fmt: skip
    return agency


@transaction.atomic
def agency_rename(
    *, agency: Agency, name: str, actor: User | None = None, reason: str = ""
) -> Agency:
    """Give the agency its proper name; the old spelling stays as an alias, so uploads
    that still write it keep resolving to this agency."""
    if parse_agency_name(name).state not in ("", _stored_state(agency)):
        # A new state rewrites the agency's searches: the searches lock ranks before the
        # agency's row and the activity log's lock, so it is taken first (apps/core/locks.py).
        locks.SEARCHES.take()
    row_reread(agency)
    aliases_before, state_before = _aliases(agency), agency.state
    old = parse_agency_name(agency.name)
    if not old.state and agency.state:  # how files with the agency's state will key it
        old = ParsedName(old.display, old.normalized, agency.state, old.tags)
    parsed = parse_agency_name(name)
    for spelling, key in ((agency.name, old.match_key), (name.strip(), parsed.match_key)):
        AgencyAlias.objects.get_or_create(
            normalized=key, defaults={"agency": agency, "alias": spelling, "created_by": actor}
        )
    model_update(
        instance=agency, fields=["name", "normalized_name", "state"],
        data={"name": name.strip(), "normalized_name": parsed.normalized,
              "state": parsed.state or agency.state},
        actor=actor, reason=reason or "Renamed.",
        other_changes={"aliases": (aliases_before, _aliases(agency))},
    )  # fmt: skip
    if agency.state != state_before:
        _searcher_state_changed(agency)
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, changes: dict, actor: User | None, reason: str) -> Agency:
    """Change an agency's directory entry (name, ORI, level, state, parent).

    A new name keeps the old one as an alias. Level, state and parent decide which rules
    apply (federal, out of state, blocked by its parent), so the municipalities that share
    with or are searched by the agency are evaluated again once this commits.
    """
    renamed = bool(changes.get("name")) and changes["name"].strip() != agency.name
    stored_state = _stored_state(agency)
    if (renamed and parse_agency_name(changes["name"]).state not in ("", stored_state)) or (
        "state" in changes and (changes["state"] or "").upper() != stored_state
    ):
        # A new state (given, or read from the new name) rewrites the agency's searches
        # under the searches lock, which ranks before the agency's row and the activity
        # log's that each change record takes: so it is taken first (apps/core/locks.py).
        # Only then: held exclusive, it waits for every load and blocks new ones.
        locks.SEARCHES.take()
    if renamed:
        agency = agency_rename(agency=agency, name=changes["name"], actor=actor, reason=reason)
    row_reread(agency)
    data = {
        field: changes[field] for field in ("ori", "level", "state", "parent") if field in changes
    }
    if "ori" in data:
        data["ori"] = data["ori"] or None
    if "state" in data:
        data["state"] = (data["state"] or "").upper()
    _, changed = model_update(
        instance=agency, fields=["ori", "level", "state", "parent"], data=data,
        actor=actor, reason=reason,
    )  # fmt: skip
    if "state" in changed:
        _searcher_state_changed(agency)
    if changed.keys() & {"level", "state", "parent"}:
        with statewide_scope():
            touched = municipalities_touching([agency.pk])
        task_named("audits.evaluations_dispatch").delay_on_commit(
            municipality_ids=touched, trigger="manual"
        )
    return agency


@transaction.atomic
def alias_add(*, agency: Agency, alias: str, user: User | None, reason: str = "") -> AgencyAlias:
    """Teach the directory another spelling. A spelling already used elsewhere is refused."""
    parsed = parse_agency_name(alias)
    if not parsed.match_key:
        raise ValueError("Type the spelling as the vendor writes it.")
    existing = AgencyAlias.objects.filter(normalized=parsed.match_key).first()
    if existing and existing.agency_id != agency.pk:
        raise ValueError(f"“{alias}” already names {existing.agency}.")
    if existing:
        return existing
    before = _aliases(agency)
    created = AgencyAlias.objects.create(
        agency=agency, alias=alias.strip(), normalized=parsed.match_key, created_by=user
    )
    change_record(instance=agency, action="changed", before={"aliases": before},
                  after={"aliases": _aliases(agency)}, actor=user,
                  reason=reason)  # fmt: skip
    return created


@transaction.atomic
def alias_remove(*, alias: AgencyAlias, actor: User | None, reason: str = "") -> None:
    """Forget a spelling. Searches and grants already loaded keep their agency; later
    uploads that write it go through resolution again."""
    agency = alias.agency
    before = _aliases(agency)
    alias.delete()
    change_record(instance=agency, action="changed", before={"aliases": before},
                  after={"aliases": _aliases(agency)}, actor=actor,
                  reason=reason)  # fmt: skip


@transaction.atomic
def agency_merge(
    *, source: Agency, target: Agency, actor: User | None = None, reason: str = ""
) -> Agency:
    """Fold `source` into `target`: its aliases, patterns, grants and searches move along.

    Runs across every municipality (a directory change is statewide).
    """
    if source.pk == target.pk:
        raise ValueError("An agency cannot be merged into itself.")
    # Searches of many municipalities change agency: no load may run meanwhile. Taken
    # before the agencies' rows, which a load locks (FOR KEY SHARE) under its shared hold;
    # so, no load left to wait for, both rows are locked FOR UPDATE at once: the source
    # is deleted and an ORI (a key column) may move from one to the other.
    locks.SEARCHES.take()
    # An import of the 287(g) list holds its agreements' rows and then needs the agencies'
    # (and the activity log): the merge waits for a running import before it locks them.
    locks.REGISTRY.take()
    for agency in sorted((source, target), key=lambda agency: agency.pk):
        agency.refresh_from_db(from_queryset=Agency._base_manager.select_for_update())
    before_aliases, source_ori = _aliases(target), source.ori
    merged = reason or "Merged in agency review."
    # Every row this changes is locked before the first entry in a history: each takes the
    # activity log's lock, which ranks after every row lock (apps/core/locks.py).
    with statewide_scope(), connection.cursor() as cursor:
        touched = municipalities_touching([source.pk, target.pk])
        AgencyAlias.objects.filter(agency=source).update(agency=target)
        AgencyNamePattern.objects.filter(agency=source).update(agency=target)
        SharingGrant.objects.filter(agency=source).update(agency=target)
        SearchEvent.objects.filter(agency=source).update(agency=target)
        search_days_refresh(
            cursor,
            "SELECT municipality_id, day FROM sharing_searchday WHERE agency_id = %(source)s",
            {"source": source.pk},
        )
        ungranted_agencies_refresh(cursor, agency_ids=[source.pk, target.pk], pools_only=False)
        Declaration.objects.filter(agency=source).update(agency=target)
        # ICE's agreements follow their agency, each with history (below); the next
        # import matches them through the source's spellings, now the target's aliases.
        # Locked like the other rows here, before the first entry in a history; an
        # import of the list, which locks them too, is not running (`REGISTRY`).
        agreements = list(
            ImmigrationAgreement.objects.filter(agency=source)
            .order_by("pk")
            .select_for_update(no_key=True)
        )
        entries = list(
            BlocklistEntry.objects.filter(agency=source).order_by("pk").select_for_update()
        )
        # Findings keep their history; the re-evaluation below closes those about the
        # old agency and opens them again under the merged one. Locked in the order an
        # evaluation locks them (by municipality, then id), then moved.
        findings = list(
            Finding.objects.filter(agency=source)
            .order_by("municipality_id", "pk")
            .select_for_update()
            .values_list("pk", flat=True)
        )
        Finding.objects.filter(pk__in=findings).update(agency=target)
        # The target itself may be one of them: it takes the source's place instead.
        children = list(
            Agency.objects.filter(parent=source)
            .exclude(pk=target.pk)
            .order_by("pk")
            .select_for_update(no_key=True)
        )
        # A block on either name stays a block on the merged agency; the entries and the
        # agencies under the old one say so in their history.
        for entry in entries:
            model_update(instance=entry, fields=["agency"], data={"agency": target},
                         actor=actor, reason=merged)  # fmt: skip
        for child in children:
            model_update(instance=child, fields=["parent"], data={"parent": target},
                         actor=actor, reason=merged)  # fmt: skip
        for agreement in agreements:
            model_update(instance=agreement, fields=["agency"], data={"agency": target},
                         actor=actor, reason=merged)  # fmt: skip
    task_named("audits.evaluations_dispatch").delay_on_commit(
        municipality_ids=touched, trigger="manual"
    )
    ori_moves = not target.ori and source.ori
    # The source gives up its ORI first: the column is unique.
    model_update(
        instance=source, fields=["ori"], data={"ori": None if ori_moves else source.ori},
        actor=actor, reason=merged, action="retired",
        other_changes={"merged into": (None, f"{target.name} (#{target.pk})")},
    )  # fmt: skip
    model_update(
        instance=target, fields=["ori", "tags", "parent"],
        data={"ori": target.ori or source_ori, "tags": sorted(set(target.tags) | set(source.tags)),
              "parent": source.parent_id if target.parent_id == source.pk else target.parent_id},
        actor=actor, reason=merged,
        other_changes={"merged in": (None, f"{source.name} (#{source.pk})"),
                       "aliases": (before_aliases, _aliases(target))},
    )  # fmt: skip
    source.delete()
    return target


def police_department_agency_ensure(*, municipality: Municipality) -> None:
    """The municipality's police department is an agency too: its own searches and the
    grants other towns give it resolve to it instead of waiting in the review queue.
    Called once the municipality is created (`add_municipality`, `seed_demo`)."""
    if not municipality.police_department:
        return
    parsed = parse_agency_name(municipality.police_department)
    state = parsed.state or municipality.state
    # "Maple Grove IL PD" in an export normalises to the same name in the same state.
    if not Agency.objects.filter(normalized_name=parsed.normalized, state=state).exists():
        Agency.objects.create(
            name=municipality.police_department,
            normalized_name=parsed.normalized,
            state=state,
            ori=municipality.ori or None,
            level=Agency.Level.LOCAL,
            is_confirmed=True,
        )


@dataclass(frozen=True)
class RegistryImported:
    record: AgreementImport
    problems: list[str]  # rows left out of the import, with why
    # Rows left out as repeats of an earlier row: record.rows = matched + queued + skipped.
    skipped: int = 0


def registry_import(
    *, path: Path, file_name: str = "", actor: User | None = None, today: date | None = None
) -> RegistryImported:
    """Import ICE's list of 287(g) partners (XLSX or CSV, `registry_file_read`).

    1. Each row's agency is resolved in the directory (`AgencyResolver`: alias, name in
       its state, pattern; nothing fuzzy) on its name, state and level; a county
       agency whose name does not name its county, a township's and a municipality's
       listed in several counties are asked for with the county
       (`registry.name_to_match`). A row whose agency is confirmed is matched; any
       other waits in the agency review queue, with an unconfirmed agency the resolver
       creates (or finds, from an upload) for an administrator to confirm or merge.
    2. Each row is compared with the agreement in force under the same key (state,
       name, a municipality's county, support model; `registry.agreement_key`): none,
       one is added; the same as published, nothing is written; otherwise the
       differences are set, with history. A row of the same key as an earlier one is
       left out and said so in `problems`.
    3. Agreements in force that the file no longer lists end on `today` (the import's
       day), with history; except one that a row to be added renames, paired with it
       (`registry.renamed_pairs`): it takes the row's name and key, with history.
    4. Once it commits, the municipalities that share with or are searched by an agency
       whose agreements were added, changed or ended are evaluated again.

    Refuses the whole file (RegistryFileRejected) before anything is written. The
    import is kept with who ran it, the file's name and SHA-256, and its counts.
    """
    published = registry_file_read(path)
    problems = list(published.problems)
    keys: dict[PublishedRow, str] = {}
    first_lines: dict[str, int] = {}
    for row in published.rows:
        key = agreement_key(row)
        if key in first_lines:
            problems.append(
                f"Row {row.line}: the same agreement as row {first_lines[key]} "
                f"({row.agency_name}, {row.county or 'no county'}, {row.support_text}), "
                "left out."
            )
            continue
        first_lines[key] = row.line
        keys[row] = key
    rows = list(keys)
    today = today or timezone.localdate()
    with transaction.atomic():
        locks.REGISTRY.take()
        record = AgreementImport.objects.create(
            imported_by=actor, imported_on=today, file_name=(file_name or path.name)[:255],
            sha256=published.sha256, rows=len(published.rows),
        )  # fmt: skip
        names = {row: (name, "") for row, name in names_to_match(rows).items()}
        agency_ids = AgencyResolver().resolve_many(
            list(dict.fromkeys(names.values())),
            hints={names[row]: (row.state, directory_level(row)) for row in rows},
        )
        confirmed = set(
            Agency.objects.filter(pk__in=set(agency_ids.values()), is_confirmed=True)
            .values_list("pk", flat=True)
        )  # fmt: skip
        in_force = {
            agreement.key: agreement
            for agreement in ImmigrationAgreement.objects.filter(ended_on__isnull=True)
            .select_for_update(no_key=True)
        }  # fmt: skip
        new: list[tuple[PublishedRow, dict]] = []
        changed = []
        for row in rows:
            agency_id = agency_ids[names[row]]
            if agency_id in confirmed:
                record.matched += 1
            else:
                record.queued += 1
            values = published_values(row, agency_id=agency_id)
            agreement = in_force.get(keys[row])
            if agreement is None:
                new.append((row, values))
            elif differs(agreement, values):
                changed.append((agreement, values))
            else:
                record.unchanged += 1
        ending = [agreement for key, agreement in in_force.items() if key not in first_lines]
        # A renamed agreement changes instead of ending: its history goes on.
        renamed = renamed_pairs(ending, [(row, values["agency"]) for row, values in new])
        renamed_rows = {row for _, row in renamed}
        renamed_ids = {agreement.pk for agreement, _ in renamed}
        values_of = dict(new)
        changed += [(agreement, {**values_of[row], "key": keys[row]}) for agreement, row in renamed]
        added = [
            ImmigrationAgreement(
                **{name: value for name, value in values.items() if name != "agency"},
                agency_id=values["agency"], key=keys[row], first_import=record,
            )
            for row, values in new
            if row not in renamed_rows
        ]  # fmt: skip
        ended = [agreement for agreement in ending if agreement.pk not in renamed_ids]
        # The agencies whose agreements change, before they do (a row matched to another
        # agency moves its agreement).
        moved = {agreement.agency_id for agreement in [*added, *ended]}
        for agreement, values in changed:
            moved |= {agreement.agency_id, values["agency"]}
        moved.discard(None)
        reason = f"ICE's 287(g) list {record.file_name}, imported on {today:%Y-%m-%d}."
        ImmigrationAgreement.objects.bulk_create(added, batch_size=2000)
        # One history row each, written together: a first import adds some 1,300.
        ChangeRecord.objects.bulk_create(
            [
                ChangeRecord(
                    subject_type=ImmigrationAgreement._meta.label_lower,
                    subject_id=agreement.pk, subject_label=str(agreement)[:255],
                    action=ChangeRecord.Action.CREATED, actor=actor, reason=reason,
                    changes={name: [None, str(getattr(agreement, name))]
                             for name in ("agency_name", "state", "support_model", "signed_on")},
                )
                for agreement in added
            ],
            batch_size=2000,
        )  # fmt: skip
        for agreement, values in changed:
            model_update(instance=agreement, fields=(*PUBLISHED_FIELDS, "key"), data=values,
                         actor=actor, reason=reason)  # fmt: skip
        for agreement in ended:
            model_update(
                instance=agreement, fields=["ended_on", "ended_by"],
                data={"ended_on": today, "ended_by": record}, actor=actor,
                reason=f"Not in {reason}",
            )  # fmt: skip
        if moved:
            # Evaluated again once this commits: the 287(g) rules read the agreements.
            with statewide_scope():
                touched = municipalities_touching(sorted(moved))
            if touched:
                task_named("audits.evaluations_dispatch").delay_on_commit(
                    municipality_ids=touched, trigger="manual"
                )
        record.added, record.changed, record.ended = len(added), len(changed), len(ended)
        record.save(update_fields=["matched", "queued", "added", "changed", "ended", "unchanged"])
        if added or changed or ended:
            activity.record(
                "agreementimport.imported", subject=record, actor=actor,
                detail={"sha256": record.sha256, "added": record.added, "changed": record.changed,
                        "ended": record.ended, "unchanged": record.unchanged},
            )  # fmt: skip
    return RegistryImported(record, problems, skipped=len(published.rows) - len(rows))
