"""Changes administrators make to the agency directory."""

from django.db import connection, transaction

from apps.accounts.models import User
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import SearchEvent, SharingGrant
from apps.sharing.rollups import search_days_refresh, searches_lock

from .models import Agency, AgencyAlias, AgencyNamePattern
from .naming import parse_agency_name


def agency_confirm(*, agency: Agency, level: str | None = None) -> Agency:
    agency.is_confirmed = True
    if level:
        agency.level = level
    agency.full_clean()
    agency.save()
    return agency


def agency_rename(*, agency: Agency, name: str) -> Agency:
    """Give the agency its proper name; the old spelling stays as an alias."""
    parsed = parse_agency_name(name)
    agency.name = name.strip()
    agency.normalized_name = parsed.normalized
    if parsed.state:
        agency.state = parsed.state
    agency.full_clean()
    agency.save()
    AgencyAlias.objects.get_or_create(
        normalized=parsed.match_key, defaults={"agency": agency, "alias": name.strip()}
    )
    return agency


def alias_add(*, agency: Agency, alias: str, user: User | None) -> AgencyAlias:
    """Teach the directory another spelling. A spelling already used elsewhere is refused."""
    parsed = parse_agency_name(alias)
    existing = AgencyAlias.objects.filter(normalized=parsed.match_key).first()
    if existing and existing.agency_id != agency.pk:
        raise ValueError(f"“{alias}” already names {existing.agency}.")
    if existing:
        return existing
    return AgencyAlias.objects.create(
        agency=agency, alias=alias.strip(), normalized=parsed.match_key, created_by=user
    )


@transaction.atomic
def agency_merge(*, source: Agency, target: Agency) -> Agency:
    """Fold `source` into `target`: its aliases, patterns, grants and searches move along.

    Runs across every municipality (a directory change is statewide).
    """
    if source.pk == target.pk:
        raise ValueError("An agency cannot be merged into itself.")
    from apps.audits.models import Finding
    from apps.audits.tasks import evaluations_dispatch
    from apps.compliance.services import municipalities_touching
    from apps.sharing.models import Declaration

    with statewide_scope(), connection.cursor() as cursor:
        # Searches of many municipalities change agency: no load may run meanwhile.
        searches_lock(cursor, exclusive=True)
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
        Declaration.objects.filter(agency=source).update(agency=target)
        # Findings keep their history; the re-evaluation below closes those about the
        # old agency and opens them again under the merged one.
        Finding.objects.filter(agency=source).update(agency=target)
        Agency.objects.filter(parent=source).update(parent=target)
    transaction.on_commit(lambda: evaluations_dispatch(touched, trigger="manual"))
    if not target.ori and source.ori:
        target.ori, source.ori = source.ori, None
        source.save(update_fields=["ori"])
    target.tags = sorted(set(target.tags) | set(source.tags))
    target.save()
    source.delete()
    return target
