"""Which agencies the blocklist covers, as a set of ids the evaluation's SQL can use."""

import re

from django.db import connection

from apps.agencies.models import Agency

from .models import BlocklistEntry

_cache: dict[tuple, list[int]] = {}


def _version_of(model) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    changed = connection.ops.quote_name(model._meta.get_field("updated_at").column)
    return f"(SELECT count(*) FROM {table}), (SELECT max({changed}) FROM {table})"  # noqa: S608 - names from the model # nosec B608


# The blocklist's and the agency directory's row counts and latest changes, in one
# statement (every evaluation asks).
_VERSIONS = f"SELECT {_version_of(BlocklistEntry)}, {_version_of(Agency)}"


def blocked_agency_ids(entries=None) -> list[int]:
    """Ids of agencies an active entry names, matches by pattern, or whose parent it names.

    `entries` limits the answer to some entries (to find what one change affects). The
    full answer is cached until an entry or an agency changes: every evaluation asks.
    """
    if entries is not None:
        return _compute(list(entries))
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS)
        version = cursor.fetchone()
    if version not in _cache:
        _cache.clear()
        _cache[version] = _compute(list(BlocklistEntry.objects.filter(is_active=True)))
    return _cache[version]


def _compute(entries: list[BlocklistEntry]) -> list[int]:
    ids = {e.agency_id for e in entries if e.agency_id}
    # Patterns are Python regular expressions (as administrators write them: \b and all),
    # so they are matched here rather than by PostgreSQL, whose \b means backspace.
    names = [re.compile(e.name_pattern) for e in entries if e.name_pattern]
    oris = [re.compile(e.ori_pattern) for e in entries if e.ori_pattern]
    if names or oris:
        for agency_id, name, ori in Agency.objects.values_list("id", "normalized_name", "ori"):
            if any(p.search(name) for p in names) or (ori and any(p.search(ori) for p in oris)):
                ids.add(agency_id)
    # Offices of a blocked agency (HSI under ICE, Border Patrol under CBP) are blocked too.
    frontier = set(ids)
    while frontier:
        children = (
            set(Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        )
        ids |= children
        frontier = children
    return sorted(ids)
