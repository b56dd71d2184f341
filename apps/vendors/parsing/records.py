"""What parsers produce: plain records, independent of the vendor's layout."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple


class SearchRecord(NamedTuple):
    """One search; field order is the staging table's column order (see loading)."""

    line: int
    vendor_search_id: str
    searched_at: datetime
    agency_name: str
    agency_ori: str
    searcher: str
    reason: str
    reason_category: str
    reason_redacted: bool
    case_number: str
    networks_searched: int | None
    devices_searched: int | None
    search_type: str
    is_mobile: bool
    time_frame_start: datetime | None
    time_frame_end: datetime | None
    filters: str
    text_prompt: str
    plate_hash: str


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """The state of one sharing relationship as a sharing list or report shows it."""

    line: int
    partner_name: str
    direction: str  # outgoing / incoming
    data_type: str  # detections / hot_list
    mode: str
    status: str
    partner_ori: str = ""
    partner_state: str = ""
    partner_level: str = ""
    requested_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str = ""
    declaration_on_file: bool = False
    declaration_date: date | None = None
    vendor_reference: str = ""
    # Networks (camera groups) the grant covers: the uploader's own for an outgoing
    # grant, the partner's for an incoming one (Flock SharedNetworks lists them).
    networks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SharingEventRecord:
    """One change to a share, from a vendor's event log."""

    line: int
    event_id: str
    event_type: str  # create / update / delete
    occurred_at: datetime
    partner_name: str
    direction: str
    new_status: str  # the grant status after the event, "" when unchanged
    actor: str = ""
    # Which of the municipality's networks the share covers, when the log says: a
    # partner keeps its grant until the share of its last network is deleted.
    network_name: str = ""


@dataclass(frozen=True, slots=True)
class IgnoredRow:
    """A row that is not about sharing (a hotlist, a user, a blank row): counted and
    shown on the export's page, never an error."""

    line: int
    what: str  # the entity type as written, or "blank row"
