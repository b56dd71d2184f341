"""The grants and searches lists' columns. The pages write their rows from the records
in their own templates (`sharing/*_table.html`, the same cells in the same order); the
columns here give the headers, the sorting and the downloads' values."""

from dataclasses import dataclass
from functools import cached_property

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone

from .models import SearchEvent, SharingGrant


def iso(value) -> str:
    """A time as ISO 8601 with its offset, in the portal's zone (what downloads carry)."""
    return timezone.localtime(value).isoformat() if value else ""


@dataclass(frozen=True)
class Moment:
    """A time as a page shows it: `iso` for <time datetime>, `label` to read."""

    iso: str
    label: str


def moment(value) -> Moment | None:
    if value is None:
        return None
    local = timezone.localtime(value)
    return Moment(local.isoformat(timespec="seconds"), local.strftime("%b %-d, %Y %H:%M"))


class PathFormer:
    """A URL reversed once per page and filled in for each row: reversing every link of
    50 rows (and formatting their times in the template) took a third of a page's time."""

    _SLUG, _FIRST_ID = "path-former-slug", 987654321

    def __init__(self, name: str, *kinds: str):
        self.sentinels = [
            self._SLUG if kind == "slug" else str(self._FIRST_ID + n)
            for n, kind in enumerate(kinds)
        ]
        self.path = reverse(name, args=self.sentinels)

    def __call__(self, *values) -> str:
        path = self.path
        for sentinel, value in zip(self.sentinels, values, strict=True):
            path = path.replace(sentinel, str(value), 1)
        return path


def flagged_or_blocked(search: SearchEvent, blocked: set[int]) -> bool:
    """Whether the audit needs the searching officer's name: the reason was flagged, or
    the searcher's agency is blocklisted. Other rows do not show it."""
    return search.reason_label != "none" or search.agency_id in blocked


class GrantTable(tables.Table):
    partner_name = tables.Column("Partner", order_by=("partner_name", "id"))
    agency = tables.Column("Agency", accessor="agency__name", orderable=False)
    level = tables.Column("Level", accessor="agency__level", orderable=False)
    state = tables.Column("State", accessor="agency__state", orderable=False)
    blocked = tables.Column("Blocklisted", accessor="agency_id", orderable=False)
    direction = tables.Column(orderable=False)
    mode = tables.Column(orderable=False)
    status = tables.Column(orderable=False)
    status_changed_at = tables.Column("Status since", order_by=("status_changed_at", "id"))
    first_accepted_at = tables.Column("First accepted", orderable=False)
    first_accepted_by = tables.Column("Accepted by", orderable=False)
    declaration = tables.Column("Declaration", accessor="declaration_on_file", orderable=False)
    source = tables.Column("Latest file, line", accessor="source_line", orderable=False)

    class Meta:
        attrs = {"class": "data-table"}
        template_name = "sharing/grant_table.html"
        empty_text = "No grant matches. Clear the filters to see them all."

    statewide = False

    def __init__(self, *args, blocked: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.blocked = blocked

    @cached_property
    def page_rows(self) -> list[tuple[SharingGrant, dict]]:
        """Each grant with its links and times, ready for the rows' template."""
        home = PathFormer("municipality:home", "slug")
        detail = PathFormer("municipality:grant_detail", "slug", "int")
        export = PathFormer("municipality:export_detail", "slug", "int")
        agency = PathFormer("state:agency_detail", "int")
        rows = []
        for grant in self.data:
            slug = grant.municipality.slug
            rows.append((grant, {
                "home": home(slug), "detail": detail(slug, grant.pk),
                "export": export(slug, grant.source_export_id), "agency": agency(grant.agency_id),
                "blocked": grant.agency_id in self.blocked,
                "changed": moment(grant.status_changed_at),
                "accepted": moment(grant.first_accepted_at),
            }))  # fmt: skip
        return rows

    def value_level(self, record: SharingGrant) -> str:
        return record.agency.get_level_display()

    def value_blocked(self, record: SharingGrant) -> str:
        return "yes" if record.agency_id in self.blocked else "no"

    def value_direction(self, record: SharingGrant) -> str:
        return record.get_direction_display()

    def value_mode(self, record: SharingGrant) -> str:
        return record.get_mode_display()

    def value_status(self, record: SharingGrant) -> str:
        return record.get_status_display()

    def value_status_changed_at(self, value) -> str:
        return iso(value)

    def value_first_accepted_at(self, record: SharingGrant) -> str:
        return iso(record.first_accepted_at)

    def value_declaration(self, record: SharingGrant) -> str:
        if not record.declaration_on_file:
            return "no"
        if record.declaration_date is None:
            return "on file"
        return f"on file ({record.declaration_date.isoformat()})"

    def value_source(self, record: SharingGrant) -> str:
        where = f"line {record.source_line}" if record.source_line else "not listed"
        return f"upload {record.source_export_id}, {where}"


class StatewideGrantTable(GrantTable):
    municipality = tables.Column("Municipality", accessor="municipality__name", orderable=False)

    class Meta(GrantTable.Meta):
        sequence = ("municipality", "...")

    statewide = True


class SearchTable(tables.Table):
    searched_at = tables.Column("When", order_by=("searched_at", "id"))
    agency = tables.Column("Searching agency", accessor="agency__name", orderable=False)
    agency_name = tables.Column("Agency as written", orderable=False)
    searcher = tables.Column("Officer", orderable=False)
    reason = tables.Column(orderable=False)
    reason_label = tables.Column("Read as", orderable=False)
    case_number = tables.Column("Case #", orderable=False)
    networks_searched = tables.Column("Networks", orderable=False)
    devices_searched = tables.Column("Devices", orderable=False)
    search_type = tables.Column("Type", orderable=False)
    origin = tables.Column("Who searched", orderable=False)
    source = tables.Column("File, line", accessor="source_line", orderable=False)

    class Meta:
        attrs = {"class": "data-table"}
        template_name = "sharing/search_table.html"
        empty_text = "No search matches. Clear the filters to see them all."

    statewide = False

    def __init__(self, *args, blocked: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.blocked = blocked

    @cached_property
    def page_rows(self) -> list[tuple[SearchEvent, dict]]:
        """Each search with its links, its time and whether its officer is shown."""
        home = PathFormer("municipality:home", "slug")
        export = PathFormer("municipality:export_detail", "slug", "int")
        agency = PathFormer("state:agency_detail", "int")
        rows = []
        for search in self.data:
            slug = search.municipality.slug
            rows.append((search, {
                "home": home(slug), "export": export(slug, search.source_export_id),
                "agency": agency(search.agency_id), "blocked": search.agency_id in self.blocked,
                "officer": flagged_or_blocked(search, self.blocked),
                "at": moment(search.searched_at),
            }))  # fmt: skip
        return rows

    def value_searched_at(self, value) -> str:
        return iso(value)

    def value_searcher(self, record: SearchEvent) -> str:
        return record.searcher if flagged_or_blocked(record, self.blocked) else ""

    def value_origin(self, record: SearchEvent) -> str:
        return record.get_origin_display()

    def value_source(self, record: SearchEvent) -> str:
        export = record.source_export
        return f"{export.original_name} (upload {export.pk}), line {record.source_line}"


class StatewideSearchTable(SearchTable):
    municipality = tables.Column("Municipality", accessor="municipality__name", orderable=False)

    class Meta(SearchTable.Meta):
        sequence = ("searched_at", "municipality", "...")

    statewide = True
