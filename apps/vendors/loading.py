"""Load a stored export into the database: all of its good rows, once, or nothing.

Every load runs in one transaction under a per-municipality advisory lock:
- a crash or a killed worker rolls the whole load back, and the retry loads it whole;
- two loads of one municipality never interleave, so overlapping monthly files dedupe
  against each other (`ON CONFLICT DO NOTHING` on the vendor's search id);
- a finished export is never loaded again.

Searches are streamed with `COPY` into a temporary table and moved with one
`INSERT … SELECT`; agency names are resolved once per distinct name, not per row.
A sharing list is applied to the grants in memory and written with `COPY` as well
(`_load_grants`), so its load costs a few statements however many partners it lists.
Progress is written through a second connection, so the page can show it while the
load transaction is still open.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from datetime import time as dt_time
from functools import partial
from typing import NamedTuple

from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from psycopg.types.json import Jsonb

from apps.agencies.models import Agency
from apps.agencies.resolution import AgencyResolver
from apps.audits.rollups import statuses_refresh
from apps.compliance.reading import reasons_read
from apps.core import activity, locks
from apps.municipalities.models import Municipality
from apps.sharing.models import SearchEvent, SharingChange, SharingGrant
from apps.sharing.partitions import searches_months_ensure, searches_partitions
from apps.sharing.rollups import LOCAL_DAY, search_days_refresh
from apps.sharing.ungranted import ungranted_export_add, ungranted_refresh

from .models import ExportRowError, Vendor, VendorExport
from .parsing import (
    FileRejected,
    GrantRecord,
    IgnoredRow,
    ParsedExport,
    RowError,
    SearchRecord,
    SharingEventRecord,
    parse_export,
)
from .parsing.flock import snapshot_date
from .storage import export_decrypted

logger = logging.getLogger(__name__)

# Which (direction, data type) pairs a format lists in full: a grant of that vendor
# missing from a newer file of this format has ended.
SNAPSHOT_COVERAGE = {
    "flock_sharing_list": {("outgoing", "detections"), ("incoming", "detections")},
    "motorola_sharing_report": {
        ("outgoing", "detections"),
        ("incoming", "detections"),
        ("outgoing", "hot_list"),
        ("incoming", "hot_list"),
    },
    "generic_grants": {("outgoing", "detections")},
}
# A LEARN report, printed or as its workbook, lists all four sections in full.
SNAPSHOT_COVERAGE["motorola_learn_pdf"] = SNAPSHOT_COVERAGE["motorola_sharing_report"]
SNAPSHOT_COVERAGE["motorola_learn_workbook"] = SNAPSHOT_COVERAGE["motorola_sharing_report"]


@dataclass
class LoadResult:
    timings: dict[str, float] = field(default_factory=dict)
    loaded: int = 0
    rejected: int = 0
    duplicate: int = 0
    ignored: int = 0  # rows not about sharing, and blank rows, of an event log
    period_start: datetime | None = None
    period_end: datetime | None = None
    errors: list[RowError] = field(default_factory=list)


class ProgressReporter:
    """Writes an export's progress through its own autocommit connection, at most once a
    second, so readers see it while the load's transaction is still open."""

    def __init__(self, export_id: int):
        self.export_id = export_id
        self.connection = connections.create_connection("default")
        self.last = 0.0

    def update(self, *, fraction: float, rows: int, status: str | None = None, force=False):
        now = time.monotonic()
        if not force and now - self.last < 1.0:
            return
        self.last = now
        percent = max(0, min(99, int(fraction * 100)))
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE vendors_vendorexport SET progress_percent = %s, rows_processed = %s,"
                " status = COALESCE(%s, status), started_at = COALESCE(started_at, now())"
                " WHERE id = %s",
                [percent, rows, status, self.export_id],
            )

    def close(self) -> None:
        self.connection.close()


def export_load(*, export_id: int) -> VendorExport:
    """Parse and load one export (in the scope of its municipality). Idempotent."""
    started = time.monotonic()
    with transaction.atomic():
        export = VendorExport.objects.select_related("vendor").get(pk=export_id)
        locks.INGEST.take(export.municipality_id)
        # Shared: a statewide rewrite of searches (reclassification, merge) waits.
        locks.SEARCHES.take(shared=True)
        # Re-read after the lock: a load that finished while we waited is final.
        export.refresh_from_db()
        export.just_loaded = False
        if export.is_finished:
            return export
        progress = ProgressReporter(export.pk)
        try:
            progress.update(fraction=0, rows=0, status=VendorExport.Status.PARSING, force=True)
            try:
                with transaction.atomic():
                    result, fmt_key, kind, warnings = _parse_and_load(export, progress)
            except FileRejected as rejection:
                _finish_rejected(export, rejection.message, started)
                return export
            except (DataError, IntegrityError) as error:
                # Values the table cannot hold: the file, not the database, is at fault.
                logger.warning("export %s rejected by the database: %s", export.pk, error)
                _finish_rejected(
                    export,
                    "A value in the file does not fit the portal's records "
                    f"({type(error).__name__}). The file is kept; tell the portal team.",
                    started,
                )
                return export
            except DatabaseError:
                raise  # the database is unwell: let the task fail and be retried
            except Exception as error:
                # A file that breaks the parser must not wait in "parsing" for ever.
                logger.exception("export %s could not be loaded", export.pk)
                _finish_rejected(
                    export,
                    f"The file could not be read ({type(error).__name__}). It is kept; "
                    "tell the portal team, or save it again as CSV and upload that.",
                    started,
                )
                return export
        finally:
            progress.close()
        export.file_format = fmt_key
        export.kind = kind
        export.status = VendorExport.Status.LOADED
        export.rows_loaded = result.loaded
        export.rows_rejected = result.rejected
        export.rows_duplicate = result.duplicate
        export.rows_ignored = result.ignored
        export.rows_processed = result.loaded + result.rejected + result.duplicate + result.ignored
        export.period_start = result.period_start
        export.period_end = result.period_end
        export.warnings = warnings
        export.progress_percent = 100
        export.message = ""
        export.finished_at = timezone.now()
        export.started_at = export.started_at or export.finished_at
        export.timings = {
            **{phase: round(seconds, 3) for phase, seconds in result.timings.items()},
            "total": round(time.monotonic() - started, 3),
        }
        export.save()
        statuses_refresh([export.municipality_id])
        activity.record("export.loaded", subject=export, detail={
            "loaded": result.loaded, "rejected": result.rejected, "duplicate": result.duplicate,
        })  # fmt: skip
        export.just_loaded = True
    logger.info(
        "export %s loaded: %s rows, %s rejected, %s duplicate",
        export.pk,
        result.loaded,
        result.rejected,
        result.duplicate,
    )
    return export


def _finish_rejected(export: VendorExport, message: str, started: float) -> None:
    export.status = VendorExport.Status.REJECTED
    export.message = message
    export.progress_percent = 100
    export.finished_at = timezone.now()
    export.timings = {"total": round(time.monotonic() - started, 3)}
    export.save()
    activity.record("export.rejected", subject=export, detail={"message": message})
    logger.info("export %s rejected: %s", export.pk, message)


def _parse_and_load(export: VendorExport, progress: ProgressReporter):
    # The stored file is encrypted: the parsers read a decrypted copy, deleted after.
    with export_decrypted(export.sha256) as path:
        parsed = parse_export(path)
        try:
            kind = _check_kind_and_vendor(export, parsed)
            try:
                if parsed.format.kind == VendorExport.Kind.NETWORK_AUDIT:
                    origin = (
                        SearchEvent.Origin.ORGANIZATION
                        if kind == VendorExport.Kind.ORGANIZATION_AUDIT
                        else SearchEvent.Origin.NETWORK
                    )
                    result = _load_searches(export, parsed, progress, origin)
                elif parsed.format.kind == VendorExport.Kind.EVENT_LOG:
                    result = _load_sharing_events(export, parsed, progress)
                else:
                    result = _load_grants(export, parsed, progress)
                if parsed.format.kind != VendorExport.Kind.NETWORK_AUDIT:
                    # The municipality's grants changed: so did what they cover.
                    with connection.cursor() as cursor:
                        ungranted_refresh(cursor, municipality_ids=[export.municipality_id])
            except UnicodeDecodeError as error:
                raise FileRejected(
                    "encoding",
                    f"The file stops being valid {parsed.table.encoding} text near byte "
                    f"{error.start}. Save it again as UTF-8 CSV and upload it.",
                ) from None
            _save_row_errors(export, result.errors)
            result.rejected = len(result.errors)
            return result, parsed.format.key, kind, parsed.warnings
        finally:
            parsed.table.close()


def _check_kind_and_vendor(export: VendorExport, parsed: ParsedExport) -> str:
    fmt = parsed.format
    if fmt.vendor and fmt.vendor != export.vendor.slug:
        raise FileRejected(
            "wrong_vendor",
            f"This file is a {fmt.label}, but the upload names {export.vendor.name} as the "
            "vendor. Upload it again with the right vendor.",
        )
    chosen = export.kind
    if not chosen:
        return fmt.kind
    audit_kinds = {VendorExport.Kind.NETWORK_AUDIT, VendorExport.Kind.ORGANIZATION_AUDIT}
    if chosen == fmt.kind or (chosen in audit_kinds and fmt.kind in audit_kinds):
        return chosen
    raise FileRejected(
        "wrong_kind",
        f"The upload says {VendorExport.Kind(chosen).label}, but the file is a {fmt.label}. "
        "Upload it again and choose the right kind (or let the portal detect it).",
    )


_STAGE_COLUMNS = SearchRecord._fields
_STAGE_TYPES = {
    "line": "integer",
    "searched_at": "timestamptz",
    "reason_redacted": "boolean",
    "networks_searched": "integer",
    "devices_searched": "integer",
    "is_mobile": "boolean",
    "time_frame_start": "timestamptz",
    "time_frame_end": "timestamptz",
}
# Columns copied from the staging table into sharing_searchevent as they are. Their
# names come from SearchRecord's fields, never from the file.
_COPIED = [c for c in _STAGE_COLUMNS if c not in ("line", "agency_ori")]
_INSERT_SEARCHES = (
    "INSERT INTO sharing_searchevent (municipality_id, vendor_id, source_export_id, origin,"  # noqa: S608 # nosec B608
    f" agency_id, source_line, reason_label, {', '.join(_COPIED)})"
    " SELECT %s, %s, %s, %s, m.agency_id, s.line,"
    " CASE WHEN s.reason_redacted THEN 'none' ELSE r.label END,"
    f" {', '.join('s.' + c for c in _COPIED)}"
    " FROM ingest_search_stage s JOIN ingest_agency_map m USING (agency_name, agency_ori)"
    " JOIN ingest_reason_label r USING (reason)"
    # In time order, the order of the unique index that leads with (municipality, time):
    # the rows go into it in one sweep, and lie in the table as the rollups then read
    # them, day by day. Line second: of one search given twice, the first line is kept.
    " ORDER BY s.searched_at, s.line"
    " ON CONFLICT (municipality_id, searched_at, vendor_id, vendor_search_id) DO NOTHING"
)


def _load_searches(
    export: VendorExport, parsed: ParsedExport, progress: ProgressReporter, origin: str
) -> LoadResult:
    result = LoadResult()
    staged = 0
    clock = time.monotonic()
    columns_sql = ", ".join(f"{c} {_STAGE_TYPES.get(c, 'text')}" for c in _STAGE_COLUMNS)
    with connection.cursor() as cursor:
        # Several loads may share one transaction (seed_demo, tests): start clean.
        cursor.execute(
            "DROP TABLE IF EXISTS ingest_search_stage, ingest_agency_map, ingest_reason_label"
        )
        cursor.execute(f"CREATE TEMP TABLE ingest_search_stage ({columns_sql}) ON COMMIT DROP")
        with cursor.cursor.copy(
            f"COPY ingest_search_stage ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"
        ) as copy:
            for item in parsed.items:
                if type(item) is SearchRecord:
                    copy.write_row(item)
                    staged += 1
                    if not staged % 20000:
                        progress.update(fraction=parsed.table.progress(), rows=staged)
                else:
                    result.errors.append(item)
        progress.update(fraction=0.95, rows=staged, force=True)
        result.timings["parse_and_stage"] = time.monotonic() - clock
        clock = time.monotonic()

        cursor.execute("SELECT DISTINCT agency_name, agency_ori FROM ingest_search_stage")
        # Resolve before the COPY: the resolver queries, and a connection in COPY cannot.
        resolved = AgencyResolver().resolve_many(cursor.fetchall())
        _search_references_lock(cursor, export=export, agency_ids=set(resolved.values()))
        mapping = [(name, ori, agency_id) for (name, ori), agency_id in resolved.items()]
        cursor.execute(
            "CREATE TEMP TABLE ingest_agency_map"
            " (agency_name text, agency_ori text, agency_id bigint) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY ingest_agency_map FROM STDIN") as copy:
            for row in mapping:
                copy.write_row(row)
        result.timings["resolve_agencies"] = time.monotonic() - clock
        clock = time.monotonic()

        # Each distinct reason is read once by the terms (and the learned signal, whose
        # readings are cached across uploads), however many searches give it.
        cursor.execute("SELECT DISTINCT reason FROM ingest_search_stage")
        labels = reasons_read(reason for (reason,) in cursor.fetchall()).items()
        cursor.execute(
            "CREATE TEMP TABLE ingest_reason_label (reason text, label text) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY ingest_reason_label FROM STDIN") as copy:
            for row in labels:
                copy.write_row(row)
        result.timings["classify_reasons"] = time.monotonic() - clock
        clock = time.monotonic()

        # Months without a partition (a file older than the nightly job's months) load
        # into DEFAULT and get theirs once the load commits: creating one here would
        # hold the searches table's ACCESS EXCLUSIVE lock until the end of the load,
        # other municipalities' loads and every page that reads searches waiting.
        cursor.execute(
            "SELECT DISTINCT date_trunc('month', searched_at AT TIME ZONE 'UTC')::date"
            " FROM ingest_search_stage WHERE searched_at IS NOT NULL"
        )
        missing = {month for (month,) in cursor.fetchall()} - set(searches_partitions())
        if missing:
            transaction.on_commit(partial(searches_months_ensure, months=missing), robust=True)
        # The sort above in memory for a file of a million rows, not spilled to disk.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(
            _INSERT_SEARCHES, [export.municipality_id, export.vendor_id, export.pk, origin]
        )
        result.loaded = cursor.rowcount
        result.timings["insert"] = time.monotonic() - clock
        clock = time.monotonic()
        if result.loaded:
            search_days_refresh(
                cursor,
                "SELECT %(municipality)s AS municipality_id, "  # noqa: S608 - constant SQL, values bound # nosec B608
                + LOCAL_DAY.format(column="searched_at") + " AS day FROM ingest_search_stage",
                {"municipality": export.municipality_id},
            )  # fmt: skip
            ungranted_export_add(cursor, municipality_id=export.municipality_id,
                                 export_id=export.pk, staged="ingest_search_stage")  # fmt: skip
        result.timings["rollup"] = time.monotonic() - clock
        cursor.execute("SELECT min(searched_at), max(searched_at) FROM ingest_search_stage")
        result.period_start, result.period_end = cursor.fetchone()
    result.duplicate = staged - result.loaded
    return result


def _search_references_lock(
    cursor: CursorWrapper, *, export: VendorExport, agency_ids: set[int]
) -> None:
    """What the searches' foreign keys would check row by row (they are not database
    constraints, see SearchEvent), once per distinct value: every row referenced exists,
    and stays until the load commits (`FOR KEY SHARE`, the lock a foreign key takes).
    Raises IntegrityError, which refuses the load, when one does not."""
    referenced = (
        (Municipality, {export.municipality_id}),
        (Vendor, {export.vendor_id}),
        (VendorExport, {export.pk}),
        (Agency, agency_ids),
    )
    for model, ids in referenced:
        cursor.execute(
            f"SELECT id FROM {model._meta.db_table} WHERE id = ANY(%s)"  # noqa: S608 # nosec B608 - model tables
            " ORDER BY id FOR KEY SHARE",
            [sorted(ids)],
        )
        missing = ids - {pk for (pk,) in cursor.fetchall()}
        if missing:
            raise IntegrityError(
                f"searches would reference missing {model._meta.label} rows {sorted(missing)[:5]}"
            )


# Columns of sharing_sharinggrant that identify a grant, and those a sharing list writes;
# the model's attribute names are the column names. Constants: no name comes from a file.
_GRANT_KEY_COLUMNS = ("municipality_id", "vendor_id", "partner_name", "direction", "data_type")
_GRANT_LIST_COLUMNS = (
    "agency_id",
    "mode",
    "status",
    "status_changed_at",
    "requested_at",
    "decided_at",
    "decided_by",
    "declaration_on_file",
    "declaration_date",
    "vendor_reference",
    "source_export_id",
    "source_line",
    "networks",
    "last_listed_at",
)
_CHANGE_COLUMNS = (
    "municipality_id",
    "grant_id",
    "occurred_at",
    "old_status",
    "new_status",
    "actor",
    "vendor_event_id",
    "source_export_id",
    "source_line",
    "last_listed_at",
)

GrantKey = tuple[str, str, str]  # (partner as the vendor names it, direction, data type)


class _GrantChange(NamedTuple):
    """A history entry to write: the grant's move from `old_status` to `new_status`."""

    grant: SharingGrant
    old_status: str
    new_status: str
    occurred_at: datetime
    actor: str
    line: int
    last_listed_at: datetime | None = None  # set when the grant ends by its absence


@dataclass
class _GrantWrites:
    """A sharing list's effect on the grants, gathered in memory, then written with a
    few statements however long the list is: `COPY` for new grants and history entries,
    and for changed grants `COPY` into a staging table and one `UPDATE … FROM` it.

    Measured on 3,293 grants: Django's `bulk_update` spends about 20 s of Python on its
    `CASE` per column and row, and `bulk_create` about 0.5 s preparing values that
    `COPY` sends in 0.07 s."""

    created: list[SharingGrant] = field(default_factory=list)
    updated: list[SharingGrant] = field(default_factory=list)
    history: list[_GrantChange] = field(default_factory=list)

    def save(self, *, export: VendorExport) -> None:
        with connection.cursor() as cursor:
            if self.created:
                # Ids drawn up front let the history entries of new grants name them.
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('sharing_sharinggrant', 'id'))"
                    " FROM generate_series(1, %s)",
                    [len(self.created)],
                )
                for grant, (grant_id,) in zip(self.created, cursor.fetchall(), strict=True):
                    grant.id = grant_id
                _copy_rows(
                    cursor,
                    "sharing_sharinggrant",
                    ("id", *_GRANT_KEY_COLUMNS, *_GRANT_LIST_COLUMNS),
                    (_grant_values(grant, ("id", *_GRANT_KEY_COLUMNS)) for grant in self.created),
                )
            if self.updated:
                listed = ", ".join(_GRANT_LIST_COLUMNS)
                # Several loads may share one transaction (seed_demo, tests): start clean.
                cursor.execute("DROP TABLE IF EXISTS ingest_grant_stage")
                cursor.execute(
                    "CREATE TEMP TABLE ingest_grant_stage ON COMMIT DROP AS"  # noqa: S608 # nosec B608
                    f" SELECT id, {listed} FROM sharing_sharinggrant WITH NO DATA"
                )
                _copy_rows(
                    cursor,
                    "ingest_grant_stage",
                    ("id", *_GRANT_LIST_COLUMNS),
                    (_grant_values(grant, ("id",)) for grant in self.updated),
                )
                assignments = ", ".join(f"{column} = s.{column}" for column in _GRANT_LIST_COLUMNS)
                cursor.execute(
                    f"UPDATE sharing_sharinggrant g SET {assignments}"  # noqa: S608 # nosec B608
                    " FROM ingest_grant_stage s WHERE g.id = s.id"
                )
            if self.history:
                _copy_rows(
                    cursor,
                    "sharing_sharingchange",
                    _CHANGE_COLUMNS,
                    (
                        (export.municipality_id, change.grant.id, change.occurred_at,
                         change.old_status, change.new_status, change.actor, "", export.pk,
                         change.line, change.last_listed_at)
                        for change in self.history
                    ),
                )  # fmt: skip


def _grant_values(grant: SharingGrant, leading: tuple[str, ...]) -> tuple:
    """The grant's values for `leading` and then `_GRANT_LIST_COLUMNS`, ready for COPY."""
    values = [getattr(grant, column) for column in (*leading, *_GRANT_LIST_COLUMNS)]
    values[len(leading) + _GRANT_LIST_COLUMNS.index("networks")] = Jsonb(grant.networks)
    return tuple(values)


def _copy_rows(
    cursor: CursorWrapper, table: str, columns: tuple[str, ...], rows: Iterable[tuple]
) -> None:
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _load_grants(
    export: VendorExport, parsed: ParsedExport, progress: ProgressReporter
) -> LoadResult:
    """Apply a sharing list (or report) to the municipality's grants of its vendor.

    A sharing list is small (a few thousand rows), so it is applied in memory and
    written with a handful of statements whatever its length:
    1. read the file whole and resolve every partner name in one call (one round of
       agency locks, taken in a global order, see AgencyResolver);
    2. read the municipality's grants of this vendor in one query;
    3. walk the records in file order: the first row of a (partner, direction, data
       type) wins, later ones are duplicates; a row older than what the grant already
       shows is a duplicate too; otherwise the grant is created or updated in memory, and
       a change of status becomes a history entry;
    4. where the format lists a (direction, data type) in full, end the open grants it
       no longer lists (see `_grants_end_unlisted`);
    5. write new grants, changed grants and history entries with a few `COPY`s and
       one `UPDATE` (`_GrantWrites.save`).
    Each grant is touched by at most one of steps 3 and 4, so the writes never overlap.
    """
    result = LoadResult()
    clock = time.monotonic()
    snapshot_at = _snapshot_at(export, parsed)
    if snapshot_at != export.received_at:  # the file is dated: show it as its period
        result.period_start = result.period_end = snapshot_at
    records: list[GrantRecord] = []
    for item in parsed.items:
        if isinstance(item, RowError):
            result.errors.append(item)
        else:
            records.append(item)
    result.timings["parse"] = time.monotonic() - clock
    progress.update(fraction=0.5, rows=len(records))
    clock = time.monotonic()

    agency_ids = AgencyResolver().resolve_many(
        [(record.partner_name, record.partner_ori) for record in records],
        hints={(record.partner_name, record.partner_ori):
               (record.partner_state, record.partner_level) for record in records},
    )  # fmt: skip
    result.timings["resolve_agencies"] = time.monotonic() - clock
    progress.update(fraction=0.7, rows=len(records))
    clock = time.monotonic()

    grants = {
        (grant.partner_name, grant.direction, grant.data_type): grant
        for grant in SharingGrant.objects.filter(
            municipality_id=export.municipality_id, vendor=export.vendor
        )
    }
    writes = _GrantWrites()
    listed = _grants_apply_records(
        records,
        grants=grants,
        agency_ids=agency_ids,
        export=export,
        snapshot_at=snapshot_at,
        result=result,
        writes=writes,
    )
    coverage = SNAPSHOT_COVERAGE.get(parsed.format.key, set())
    if coverage and result.errors:
        # A partner on a row that could not be read is not "missing" from the file:
        # ending grants on that evidence would lose what the bad row still holds.
        parsed.warnings.append(
            "Some rows could not be read, so grants missing from this file were left as "
            "they were. Fix the rows and upload the file again to record ended grants."
        )
        coverage = set()
    _grants_end_unlisted(
        grants=grants,
        listed=listed,
        coverage=coverage,
        export=export,
        snapshot_at=snapshot_at,
        writes=writes,
    )
    result.timings["apply"] = time.monotonic() - clock
    clock = time.monotonic()
    writes.save(export=export)
    result.timings["write"] = time.monotonic() - clock
    return result


def _grants_apply_records(
    records: list[GrantRecord],
    *,
    grants: dict[GrantKey, SharingGrant],
    agency_ids: dict[tuple[str, str], int],
    export: VendorExport,
    snapshot_at: datetime,
    result: LoadResult,
    writes: _GrantWrites,
) -> set[GrantKey]:
    """Step 3 of `_load_grants`: the file's rows applied in memory. Returns the keys
    the file lists, including those of rows counted as duplicates."""
    listed: set[GrantKey] = set()
    for record in records:
        key = (record.partner_name, record.direction, record.data_type)
        if key in listed:
            result.duplicate += 1
            continue
        listed.add(key)
        when = record.decided_at or record.requested_at or snapshot_at
        grant = grants.get(key)
        if grant is not None and when < grant.status_changed_at:
            # This file is older than what we know about this grant.
            result.duplicate += 1
            continue
        if grant is None:
            grant = SharingGrant(
                municipality_id=export.municipality_id,
                vendor=export.vendor,
                partner_name=record.partner_name,
                direction=record.direction,
                data_type=record.data_type,
            )
            writes.created.append(grant)
        else:
            writes.updated.append(grant)
        old_status = grant.status or ""
        grant.agency_id = agency_ids[(record.partner_name, record.partner_ori)]
        grant.mode = record.mode
        grant.status = record.status
        grant.requested_at = record.requested_at or grant.requested_at
        grant.decided_at = record.decided_at or grant.decided_at
        grant.decided_by = record.decided_by or grant.decided_by
        grant.declaration_on_file = record.declaration_on_file
        grant.declaration_date = record.declaration_date
        grant.vendor_reference = record.vendor_reference or grant.vendor_reference
        grant.source_export = export
        grant.source_line = record.line
        grant.networks = list(record.networks) or grant.networks
        grant.last_listed_at = max(grant.last_listed_at or snapshot_at, snapshot_at)
        if old_status != record.status:
            grant.status_changed_at = when
            writes.history.append(
                _GrantChange(grant, old_status, record.status, when, record.decided_by, record.line)
            )
        result.loaded += 1
    return listed


def _grants_end_unlisted(
    *,
    grants: dict[GrantKey, SharingGrant],
    listed: set[GrantKey],
    coverage: set[tuple[str, str]],
    export: VendorExport,
    snapshot_at: datetime,
    writes: _GrantWrites,
) -> None:
    """Step 4 of `_load_grants`: a list that shows a (direction, data type) in full ends
    the open grants of that kind it no longer lists, in memory."""
    for key, grant in grants.items():
        still_open = grant.status in (SharingGrant.Status.ACCEPTED, SharingGrant.Status.PENDING)
        # Ended only by a list newer than the last one that showed it: a list loaded
        # late (an older snapshot) ends nothing.
        if (
            key not in listed
            and (grant.direction, grant.data_type) in coverage
            and still_open
            and (grant.last_listed_at or grant.status_changed_at) <= snapshot_at
        ):
            old_status = grant.status
            # A request that was never accepted and is gone was turned down, not revoked.
            grant.status = (
                SharingGrant.Status.REVOKED
                if old_status == SharingGrant.Status.ACCEPTED
                else SharingGrant.Status.DENIED
            )
            grant.status_changed_at = snapshot_at
            grant.source_export = export
            grant.source_line = 0  # not listed in this file
            writes.updated.append(grant)
            # Sharing ended between the last list showing the grant and this one.
            writes.history.append(
                _GrantChange(
                    grant, old_status, grant.status, snapshot_at, "", 0, grant.last_listed_at
                )
            )


def _snapshot_at(export: VendorExport, parsed: ParsedExport) -> datetime:
    """When a sharing list showed what it shows. Flock dates its SharedNetworks export in
    the sheet's name (`SharedNetworks_2025_December_30`), kept in the file's name when
    saved as CSV: that day (local midnight) is the snapshot; otherwise the upload's time."""
    if parsed.format.key == "flock_sharing_list":
        day = snapshot_date(parsed.table.sheet_name) or snapshot_date(export.original_name)
        if day is not None:
            return datetime.combine(day, dt_time(), tzinfo=timezone.get_default_timezone())
    return export.received_at


def _load_sharing_events(
    export: VendorExport, parsed: ParsedExport, progress: ProgressReporter
) -> LoadResult:
    """Replay a share event log: every status change joins the grant's history (also one
    older than what a sharing list said), while the grant's current status moves only
    forward in time. An event already in the history counts as a duplicate.

    Where the log names the network a share covers, a partner keeps its grant until the
    share of its last network is deleted (`SharingGrant.networks`)."""
    result = LoadResult()
    events: list[SharingEventRecord] = []
    for item in parsed.items:
        if isinstance(item, RowError):
            result.errors.append(item)
        elif isinstance(item, IgnoredRow):
            result.ignored += 1
        else:
            events.append(item)
    events.sort(key=lambda event: (event.occurred_at, event.line))
    if events:
        result.period_start, result.period_end = events[0].occurred_at, events[-1].occurred_at
    resolver = AgencyResolver()
    grants = {
        (g.partner_name, g.direction): g
        for g in SharingGrant.objects.filter(vendor=export.vendor, data_type="detections")
    }
    # Events already in the history, by the vendor's event id.
    recorded = set(
        SharingChange.objects.filter(grant__vendor=export.vendor)
        .exclude(vendor_event_id="")
        .values_list("vendor_event_id", flat=True)
    )
    replayed: dict[int, str] = {}  # status of each grant as of the last event replayed
    # The partners of shares this file creates are resolved in one call up front (one
    # round of agency locks, taken in a global order, see AgencyResolver).
    resolver.resolve_many(
        sorted({(event.partner_name, "") for event in events
                if event.new_status and (event.partner_name, event.direction) not in grants})
    )  # fmt: skip
    for number, event in enumerate(events, start=1):
        progress.update(fraction=number / len(events), rows=number)
        if event.event_id in recorded:
            result.duplicate += 1
            continue
        recorded.add(event.event_id)
        key = (event.partner_name, event.direction)
        grant = grants.get(key)
        event = _with_networks(event, grant)
        if grant is None and not event.new_status:
            result.loaded += 1  # an update of a share we know nothing about
            continue
        if grant is None:
            grant = SharingGrant(
                municipality_id=export.municipality_id,
                vendor=export.vendor,
                partner_name=event.partner_name,
                direction=event.direction,
                data_type=SharingGrant.DataType.DETECTIONS,
                mode=SharingGrant.Mode.ONE_TO_ONE,
                agency_id=resolver.resolve(event.partner_name).agency_id,
                status=event.new_status,
                status_changed_at=event.occurred_at,
                requested_at=event.occurred_at,
                decided_at=event.occurred_at,
                decided_by=event.actor,
                source_export=export,
                source_line=event.line,
                networks=[event.network_name]
                if event.network_name and event.event_type != "delete"
                else [],
            )
            grant.save()
            grants[key] = grant
            old_status = ""
        else:
            newer = event.occurred_at >= grant.status_changed_at
            old_status = replayed.get(grant.pk, grant.status if newer else "")
            if newer and event.network_name:
                _networks_update(grant, event)
            if newer and event.new_status and grant.status != event.new_status:
                if event.event_type == "create":
                    grant.requested_at = grant.requested_at or event.occurred_at
                grant.status = event.new_status
                grant.status_changed_at = event.occurred_at
                grant.decided_at = event.occurred_at
                grant.decided_by = event.actor
                grant.source_export = export
                grant.source_line = event.line
                grant.save()
        # An update that changes no status still joins the timeline, unchanged.
        new_status = event.new_status or old_status
        replayed[grant.pk] = new_status
        SharingChange.objects.create(
            municipality_id=export.municipality_id,
            grant=grant,
            occurred_at=event.occurred_at,
            old_status=old_status,
            new_status=new_status,
            actor=event.actor,
            vendor_event_id=event.event_id,
            source_export=export,
            source_line=event.line,
        )
        result.loaded += 1
    return result


def _with_networks(event: SharingEventRecord, grant: SharingGrant | None) -> SharingEventRecord:
    """The event as it acts on the grant: deleting the share of one network leaves the
    partner its grant while another of the municipality's networks is still shared."""
    if event.event_type != "delete" or grant is None or not event.network_name:
        return event
    if [name for name in grant.networks if name != event.network_name]:
        return replace(event, new_status="")
    return event


def _networks_update(grant: SharingGrant, event: SharingEventRecord) -> None:
    """Keep which networks an outgoing grant covers, as creates and deletes go by."""
    networks = [name for name in grant.networks if name != event.network_name]
    if event.event_type != "delete":
        networks.append(event.network_name)
    if networks != grant.networks:
        grant.networks = networks
        grant.save(update_fields=["networks"])


def _save_row_errors(export: VendorExport, errors: list[RowError]) -> None:
    ExportRowError.objects.bulk_create(
        (
            ExportRowError(
                municipality_id=export.municipality_id,
                export=export,
                line=error.line,
                column=error.column[:100],
                value=error.value[:200],
                message=error.message[:300],
            )
            for error in errors
        ),
        batch_size=5000,
    )
