"""Ingest benchmark: the upload path against the floor, a bare COPY and a naive ORM load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/ingest.py --rows 1000000

Generates a Flock Network Audit CSV of the shape of a real one (13 columns, two-line
Time Frame cells, CRLF), then in one run, each in a fresh child process on emptied
tables:
- floor: `COPY` of the same rows, already converted (agency ids, reason labels, plate
  hashes, UTC times), into `bench_copy_floor`, a plain table made by
  `CREATE TABLE ... (LIKE sharing_searchevent)` with its NOT NULLs then dropped: the
  same columns and types, and no index, constraint, default, sequence, trigger or
  partition. Nothing loads these rows faster into PostgreSQL: the rate to beat;
- bare: the same `COPY` into `sharing_searchevent` itself (its partitions, indexes,
  constraints and id sequence);
- ours: `export_receive` + `export_load`, the services behind the upload form, from
  the CSV file (its phases are printed from the export's timings);
- naive: `csv.DictReader` + `bulk_create` in batches of 2,000 (of 22 columns: one
  statement holds at most 65,535 parameters).
Reports rows per second, the ratios to the floor and to the bare COPY, and each child
process's peak resident memory. The generated file's month has its partition before
any path runs, as the nightly job makes the current months ahead. The benchmark
database (`--database`, `portal_bench` by default) is created and migrated if missing;
every child empties what it loads, so the benchmark runs again and again.
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "portal_bench"

HEADER = ["ID", "Name", "Org Name", "Total Networks Searched", "Time Frame", "License Plate",
          "Reason", "Case #", "Filters", "Search Time", "Search Type", "Text Prompt",
          "Moderation"]  # fmt: skip
REASONS = ["stolen vehicle", "inv", ".", "Agg Battery 24-01234", "wanted subject",
           "Stolen Vehicle -", "Wanted Person (Arrest Warrant/Fugitive) - Criminal Justice Purpose",
           "narcotics - sold ice", "hit and run", "retail theft", "missing person", "burglary",
           "***", "Other - inv", "carjacking 25-1187"]  # fmt: skip
TYPES = ["lookup", "search", "convoy", "visual", "freeform", "multiGeo", "apiLookup",
         "search - Mobile", "lookup - Mobile"]  # fmt: skip
STATES = ["IL", "IL", "IL", "IL", "TX", "AZ", "WI", "IN", "MO", "OK"]


def flock_time(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y, %I:%M:%S %p UTC")


def generate(path: Path, rows: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    agencies = [f"Town{n} {rng.choice(STATES)} PD" for n in range(900)]
    agencies += [f"County{n} {rng.choice(STATES)} SO" for n in range(300)]
    agencies += ["ICE ERO Chicago [Federal]", "HSI Chicago [Federal]"]
    start = datetime(2025, 10, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, lineterminator="\r\n")
        writer.writerow(HEADER)
        for _ in range(rows):
            searched = start + timedelta(seconds=rng.randrange(30 * 86400))
            frame = f"{flock_time(searched - timedelta(days=30))}\n{flock_time(searched)}"
            plate = "" if rng.random() < 0.3 else f"{rng.randrange(36**6):06X}"
            writer.writerow([
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                rng.choice(["Sgt. R. Delgado", "Ofc. K. Brandt", "***", "Det. M. Ochoa"]),
                rng.choice(agencies),
                rng.randrange(2500),
                frame,
                plate,
                rng.choice(REASONS),
                rng.choice(["", "24-01234", "REDACTED", "WCSO-25-3381"]),
                "",
                flock_time(searched),
                rng.choice(TYPES),
                "",
                "",
            ])  # fmt: skip


def setup_django(database: str = BENCH_DB) -> None:
    """Point Django at the benchmark's own database (other benchmarks pass theirs)."""
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    import django

    django.setup()


def prepare_database(database: str = BENCH_DB) -> None:
    import psycopg

    admin_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone():
            connection.execute(f"CREATE DATABASE {database}")
    setup_django(database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


FLOOR_TABLE = "bench_copy_floor"


def empty_tables(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
    cursor.execute(
        "TRUNCATE sharing_searchevent, sharing_searchday, sharing_ungrantedsearchday,"
        " vendors_exportrowerror"
    )
    cursor.execute("DELETE FROM vendors_vendorexport")
    cursor.execute("DELETE FROM agencies_agencyalias WHERE agency_id IN"
                   " (SELECT id FROM agencies_agency WHERE NOT is_confirmed)")  # fmt: skip
    cursor.execute("DELETE FROM agencies_agency WHERE NOT is_confirmed")
    cursor.execute("VACUUM ANALYZE sharing_searchevent")


def fixtures():
    from apps.accounts.models import User
    from apps.municipalities.models import Municipality
    from apps.vendors.models import Vendor

    municipality, _ = Municipality.objects.get_or_create(
        slug="bench-town", defaults={"name": "Bench Town"}
    )
    user, _ = User.objects.get_or_create(username="bench-clerk")
    return municipality, Vendor.objects.get(slug="flock"), user


def run_ours(path: Path) -> tuple[int, dict[str, float]]:
    from apps.municipalities.scoping import municipality_scope
    from apps.vendors.loading import export_load
    from apps.vendors.services import export_receive

    municipality, vendor, user = fixtures()

    def chunks():
        with path.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                yield chunk

    with municipality_scope(municipality):
        received = export_receive(
            municipality=municipality, vendor=vendor, kind="", original_name=path.name,
            chunks=chunks(), uploaded_by=user, queue=False,
        )  # fmt: skip
        export = export_load(export_id=received.export.pk)
    assert export.status == "loaded", export.message
    return export.rows_loaded, export.timings


def copy_ready_file(path: Path, target: Path) -> None:
    """The generated rows as the COPY text the table stores (untimed preparation)."""
    from apps.agencies.resolution import AgencyResolver
    from apps.vendors.models import VendorExport
    from apps.vendors.parsing import SearchRecord, parse_export

    municipality, vendor, user = fixtures()
    export = VendorExport.objects.with_scopes_disabled().create(
        municipality=municipality, vendor=vendor, original_name="bare", sha256="0" * 64,
        size=0, uploaded_by=user, status="loaded",
    )  # fmt: skip
    from apps.compliance.terms import reason_classifier

    classify = reason_classifier().classify
    labels: dict[str, str] = {}
    parsed = parse_export(path)
    # All names at once, as a load resolves them (one by one, each new name costs queries).
    agency_ids = AgencyResolver().resolve_many(
        sorted({(record.agency_name, record.agency_ori) for record in parsed.items})
    )
    parsed.table.close()
    parsed = parse_export(path)
    with target.open("w", newline="") as out:
        writer = csv.writer(out)
        for record in parsed.items:
            assert type(record) is SearchRecord
            agency_id = agency_ids[(record.agency_name, record.agency_ori)]
            values = record._asdict()
            line = values.pop("line")
            values.pop("agency_ori")
            if record.reason not in labels:
                labels[record.reason] = classify(record.reason).label
            label = "none" if record.reason_redacted else labels[record.reason]
            nulled = (r"\N" if v is None else v for v in values.values())
            writer.writerow([municipality.pk, vendor.pk, export.pk, "network", agency_id, line,
                             label, *nulled])  # fmt: skip
    parsed.table.close()


def floor_table_create(cursor) -> None:
    """The floor's table: the searches' columns and types, nothing else (untimed)."""
    cursor.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE sharing_searchevent)")
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        " AND attnotnull AND NOT attisdropped",
        [FLOOR_TABLE],
    )
    for (column,) in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {FLOOR_TABLE} ALTER COLUMN {column} DROP NOT NULL")


def run_copy(copy_file: Path, table: str) -> int:
    """COPY the converted rows into `table`, in one transaction, as a load commits."""
    from django.db import connection, transaction

    from apps.vendors.loading import _COPIED

    columns = ["municipality_id", "vendor_id", "source_export_id", "origin", "agency_id",
               "source_line", "reason_label", *_COPIED]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor, copy_file.open("rb") as source:
        with cursor.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        ) as copy:
            while chunk := source.read(1024 * 1024):
                copy.write(chunk)
        cursor.execute(f"SELECT count(*) FROM {table}")  # nosec B608 - constant names
        return cursor.fetchone()[0]


def run_naive(path: Path) -> int:
    from apps.agencies.resolution import AgencyResolver
    from apps.sharing.models import SearchEvent
    from apps.vendors.models import VendorExport
    from apps.vendors.parsing.values import plate_hash

    municipality, vendor, user = fixtures()
    export = VendorExport.objects.with_scopes_disabled().create(
        municipality=municipality, vendor=vendor, original_name="naive", sha256="1" * 64,
        size=0, uploaded_by=user, status="loaded",
    )  # fmt: skip
    resolver = AgencyResolver()
    fmt = "%m/%d/%Y, %I:%M:%S %p UTC"
    batch, total = [], 0
    with path.open(newline="", encoding="utf-8") as source:
        for line, row in enumerate(csv.DictReader(source), start=2):
            start, end = row["Time Frame"].split("\n")
            batch.append(SearchEvent(
                municipality=municipality, vendor=vendor, source_export=export,
                source_line=line, vendor_search_id=row["ID"].lower(),
                searched_at=datetime.strptime(row["Search Time"], fmt).replace(tzinfo=UTC),
                agency_id=resolver.resolve(row["Org Name"]).agency_id,
                agency_name=row["Org Name"], searcher=row["Name"], reason=row["Reason"],
                case_number=row["Case #"], networks_searched=int(row["Total Networks Searched"]),
                search_type=row["Search Type"],
                time_frame_start=datetime.strptime(start, fmt).replace(tzinfo=UTC),
                time_frame_end=datetime.strptime(end, fmt).replace(tzinfo=UTC),
                plate_hash=plate_hash(row["License Plate"]) if row["License Plate"] else "",
            ))  # fmt: skip
            if len(batch) == 2000:
                SearchEvent.objects.bulk_create(batch)
                total += len(batch)
                batch = []
    SearchEvent.objects.bulk_create(batch)
    return total + len(batch)


def child(path_name: str, file: Path, database: str) -> None:
    """Run one path in this process and print its figures as JSON."""
    setup_django(database)
    from django.db import connection

    with connection.cursor() as cursor:
        empty_tables(cursor)
    phases: dict[str, float] = {}
    if path_name in ("floor", "bare"):
        copy_file = file.with_suffix(".copy.csv")
        copy_ready_file(file, copy_file)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM vendors_vendorexport WHERE original_name <> 'bare'")
            if path_name == "floor":
                floor_table_create(cursor)
        table = FLOOR_TABLE if path_name == "floor" else "sharing_searchevent"
        baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        rows = run_copy(copy_file, table)
    else:
        baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        if path_name == "ours":
            rows, phases = run_ours(file)
        else:
            rows = run_naive(file)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with connection.cursor() as cursor:
        empty_tables(cursor)
    print(json.dumps({"path": path_name, "rows": rows, "seconds": seconds, "phases": phases,
                      "peak_mb": peak_mb, "start_mb": baseline_rss / 1024}))  # fmt: skip


def months_prepare(file: Path, database: str) -> None:
    """Give the generated searches' months their partitions, as the nightly job does for
    current data (otherwise the first path to run would pay for moving them)."""
    setup_django(database)
    from apps.sharing.partitions import month_of, searches_months_ensure

    with file.open(newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        times = {row["Search Time"] for row in reader}
    fmt = "%m/%d/%Y, %I:%M:%S %p UTC"
    searches_months_ensure(
        months={month_of(datetime.strptime(text, fmt).replace(tzinfo=UTC)) for text in times}
    )


def rate(result: dict) -> float:
    return result["rows"] / result["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--paths", default="floor,bare,ours,naive")
    parser.add_argument("--database", default=BENCH_DB)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "months":
            months_prepare(args.file, args.database)
        else:
            child(args.child, args.file, args.database)
        return

    prepare_database(args.database)
    with tempfile.TemporaryDirectory() as scratch:
        file = Path(scratch) / f"network_audit_{args.rows}.csv"
        started = time.perf_counter()
        generate(file, args.rows)
        print(f"generated {args.rows:,} rows ({file.stat().st_size / 1e6:.0f} MB)"
              f" in {time.perf_counter() - started:.1f}s", flush=True)  # fmt: skip
        results = {}
        for path_name in ["months", *args.paths.split(",")]:
            output = subprocess.run(
                [sys.executable, __file__, "--child", path_name, "--file", str(file),
                 "--database", args.database],
                check=True, capture_output=True, text=True, env=os.environ,
            ).stdout.strip().splitlines()  # fmt: skip
            if path_name == "months":
                continue
            results[path_name] = result = json.loads(output[-1])
            print(f"{path_name:>6}: {result['rows']:>9,} rows in {result['seconds']:7.1f}s"
                  f" = {rate(result):>9,.0f} rows/s,"
                  f" peak memory {result['peak_mb']:.0f} MB", flush=True)  # fmt: skip
            if result["phases"]:
                print("        " + ", ".join(
                    f"{phase} {seconds:.1f}s" for phase, seconds in result["phases"].items()
                ), flush=True)  # fmt: skip
        ours = results.get("ours")
        if ours and "floor" in results:
            print(f"ours / floor (COPY into a table without index or constraint) rate:"
                  f" {rate(ours) / rate(results['floor']):.2f}x (target >= 0.25x)")  # fmt: skip
        if ours and "bare" in results:
            print(f"ours / bare COPY into the searches table rate:"
                  f" {rate(ours) / rate(results['bare']):.2f}x")  # fmt: skip
        if ours:
            print(f"ours peak memory {ours['peak_mb']:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
