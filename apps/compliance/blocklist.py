"""Which agencies the blocklist covers, as a set of ids the evaluation's SQL can use."""

from django.db import connection

from apps.agencies.models import Agency

from .models import BlocklistEntry


def blocked_agency_ids(entries=None) -> list[int]:
    """Ids of agencies an active entry names, matches by pattern, or whose parent it names.

    `entries` limits the answer to some entries (to find what one change affects).
    """
    if entries is None:
        entries = BlocklistEntry.objects.filter(is_active=True)
    entries = list(entries)
    ids = {e.agency_id for e in entries if e.agency_id}
    name_patterns = [e.name_pattern for e in entries if e.name_pattern]
    ori_patterns = [e.ori_pattern for e in entries if e.ori_pattern]
    if name_patterns or ori_patterns:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM agencies_agency WHERE normalized_name ~ ANY(%s)"
                " OR coalesce(ori, '') ~ ANY(%s)",
                [name_patterns or ["(?!)"], ori_patterns or ["(?!)"]],
            )
            ids.update(row[0] for row in cursor.fetchall())
    # Offices of a blocked agency (HSI under ICE, Border Patrol under CBP) are blocked too.
    frontier = set(ids)
    while frontier:
        children = (
            set(Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        )
        ids |= children
        frontier = children
    return sorted(ids)
