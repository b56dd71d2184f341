"""Changes administrators make to the agency directory."""

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core import locks
from apps.core.history import change_record, snapshot
from apps.core.queueing import publish_after_commit
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import SearchEvent, SharingGrant
from apps.sharing.rollups import search_days_refresh
from apps.sharing.ungranted import ungranted_agencies_refresh

from .models import Agency, AgencyAlias, AgencyNamePattern
from .naming import ParsedName, parse_agency_name

AGENCY_FIELDS = ["name", "level", "state", "ori", "is_confirmed", "tags", "parent"]


def _aliases(agency: Agency) -> list[str]:
    return sorted(agency.aliases.values_list("alias", flat=True))


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
    before = snapshot(Agency.objects.get(pk=agency.pk), AGENCY_FIELDS)
    agency.is_confirmed = True
    if level:
        agency.level = level
    agency.full_clean()
    agency.save()
    change_record(instance=agency, action="changed", before=before,
                  after=snapshot(agency, AGENCY_FIELDS), actor=actor,
                  reason=reason or "Confirmed in agency review.")  # fmt: skip
    return agency


@transaction.atomic
def agency_rename(
    *, agency: Agency, name: str, actor: User | None = None, reason: str = ""
) -> Agency:
    """Give the agency its proper name; the old spelling stays as an alias, so uploads
    that still write it keep resolving to this agency."""
    before = snapshot(Agency.objects.get(pk=agency.pk), AGENCY_FIELDS)
    before["aliases"] = _aliases(agency)
    old = parse_agency_name(agency.name)
    if not old.state and agency.state:  # how files with the agency's state will key it
        old = ParsedName(old.display, old.normalized, agency.state, old.tags)
    parsed = parse_agency_name(name)
    agency.name = name.strip()
    agency.normalized_name = parsed.normalized
    if parsed.state:
        agency.state = parsed.state
    agency.full_clean()
    agency.save()
    if agency.state != before["state"]:
        _searcher_state_changed(agency)
    for spelling, key in ((before["name"], old.match_key), (agency.name, parsed.match_key)):
        AgencyAlias.objects.get_or_create(
            normalized=key, defaults={"agency": agency, "alias": spelling, "created_by": actor}
        )
    after = snapshot(agency, AGENCY_FIELDS) | {"aliases": _aliases(agency)}
    change_record(instance=agency, action="changed", before=before, after=after,
                  actor=actor, reason=reason or "Renamed.")  # fmt: skip
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
    if renamed or ("state" in changes and (changes["state"] or "").upper() != agency.state):
        # A new state (given, or read from the new name) rewrites the agency's searches
        # under the searches lock, which ranks before the activity log's that each change
        # record takes: so it is taken first (apps/core/locks.py).
        locks.SEARCHES.take()
    if renamed:
        agency = agency_rename(agency=agency, name=changes["name"], actor=actor, reason=reason)
    before = snapshot(Agency.objects.get(pk=agency.pk), AGENCY_FIELDS)
    for field in ("ori", "level", "state", "parent"):
        if field in changes:
            setattr(agency, field, changes[field])
    agency.ori = agency.ori or None
    agency.state = (agency.state or "").upper()
    agency.full_clean()
    agency.save()
    after = snapshot(agency, AGENCY_FIELDS)
    if after != before:
        change_record(instance=agency, action="changed", before=before, after=after,
                      actor=actor, reason=reason)  # fmt: skip
    if before["state"] != after["state"]:
        _searcher_state_changed(agency)
    if any(before[field] != after[field] for field in ("level", "state", "parent")):
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

    before_aliases = _aliases(target)
    with statewide_scope(), connection.cursor() as cursor:
        # Searches of many municipalities change agency: no load may run meanwhile.
        locks.SEARCHES.take()
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
        # A block on either name stays a block on the merged agency.
        BlocklistEntry.objects.filter(agency=source).update(
            agency=target, updated_at=timezone.now()
        )
        # Findings keep their history; the re-evaluation below closes those about the
        # old agency and opens them again under the merged one.
        Finding.objects.filter(agency=source).update(agency=target)
        Agency.objects.filter(parent=source).update(parent=target)
    publish_after_commit(
        lambda: evaluations_dispatch(touched, trigger="manual"), what="agency re-evaluation"
    )
    if not target.ori and source.ori:
        target.ori, source.ori = source.ori, None
        source.save(update_fields=["ori"])
    target.tags = sorted(set(target.tags) | set(source.tags))
    target.save()
    change_record(instance=target, action="changed",
                  before={"merged in": None, "aliases": before_aliases},
                  after={"merged in": f"{source.name} (#{source.pk})",
                         "aliases": _aliases(target)},
                  actor=actor, reason=reason or "Merged in agency review.")  # fmt: skip
    change_record(instance=source, action="retired", before={"merged into": None},
                  after={"merged into": f"{target.name} (#{target.pk})"}, actor=actor,
                  reason=reason or "Merged in agency review.")  # fmt: skip
    source.delete()
    return target
