"""Changes administrators make to the agency directory."""

from django.db import connection, transaction

from apps.accounts.models import User
from apps.core import locks
from apps.core.history import change_record, model_update, row_reread
from apps.core.queueing import publish_after_commit
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import SearchEvent, SharingGrant
from apps.sharing.rollups import search_days_refresh
from apps.sharing.ungranted import ungranted_agencies_refresh

from .models import Agency, AgencyAlias, AgencyNamePattern
from .naming import ParsedName, parse_agency_name


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
    from apps.audits.tasks import evaluations_dispatch
    from apps.compliance.services import municipalities_touching

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
        publish_after_commit(
            lambda: evaluations_dispatch(touched, trigger="manual"), what="agency re-evaluation"
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
    from apps.audits.models import Finding
    from apps.audits.tasks import evaluations_dispatch
    from apps.compliance.models import BlocklistEntry
    from apps.compliance.services import municipalities_touching
    from apps.sharing.models import Declaration

    # Searches of many municipalities change agency: no load may run meanwhile. Taken
    # before the agencies' rows, which a load locks (FOR KEY SHARE) under its shared hold;
    # so, no load left to wait for, both rows are locked FOR UPDATE at once: the source
    # is deleted and an ORI (a key column) may move from one to the other.
    locks.SEARCHES.take()
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
    publish_after_commit(
        lambda: evaluations_dispatch(touched, trigger="manual"), what="agency re-evaluation"
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
