"""SharedNetworks benchmark: load a 2,000-partner Flock sharing list (XLSX, the real
layout) through the upload path and report its time and the process's peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/ingest_sharing.py --rows 2000

The workbook comes from the samples' generator (a dozen own networks on every sharing
row, a fifth of the rows sharing nothing out). The load runs in a fresh child process
on a municipality with no grants yet, so every partner is a new grant and most are new,
unconfirmed agencies, as on a first upload. The benchmark database
(`portal_bench_sharing`) is created and migrated if missing. Target: under 5 s and
under 200 MB peak resident memory.
"""

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "portal_bench_sharing"

from bench import ingest  # noqa: E402 (after the path above)


def setup_django() -> None:
    ingest.setup_django(BENCH_DB)


def prepare_database() -> None:
    ingest.prepare_database(BENCH_DB)


def generate(path: Path, rows: int) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_flock_sharing_list", ROOT / "tests/ingest/samples/make_flock_sharing_list.py"
    )
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    make.write_xlsx(path, make.large_rows(rows=rows))


def run_load(path: Path) -> dict:
    """In the child: empty the bench municipality, then receive and load the file."""
    setup_django()
    from django.db import connection

    from apps.municipalities.models import Municipality
    from apps.municipalities.scoping import municipality_scope
    from apps.vendors.loading import export_load
    from apps.vendors.models import Vendor
    from apps.vendors.services import export_receive

    municipality, _ = Municipality.objects.get_or_create(
        slug="bench-sharing", defaults={"name": "Bench Sharing"}
    )
    with connection.cursor() as cursor:
        for table in ("sharing_sharingchange", "sharing_sharinggrant", "vendors_exportrowerror"):
            cursor.execute(f"DELETE FROM {table} WHERE municipality_id = %s", [municipality.pk])  # nosec B608
        cursor.execute(
            "DELETE FROM vendors_vendorexport WHERE municipality_id = %s", [municipality.pk]
        )
        cursor.execute(
            "DELETE FROM agencies_agencyalias WHERE agency_id IN"
            " (SELECT id FROM agencies_agency WHERE NOT is_confirmed)"
        )
        cursor.execute("DELETE FROM agencies_agency WHERE NOT is_confirmed")
    started = time.monotonic()
    with municipality_scope(municipality):
        received = export_receive(
            municipality=municipality,
            vendor=Vendor.objects.get(slug="flock"),
            kind="",
            original_name=path.name,
            chunks=iter([path.read_bytes()]),
            uploaded_by=None,
            queue=False,
        )
        export = export_load(export_id=received.export.pk)
    seconds = time.monotonic() - started
    return {
        "status": export.status,
        "grants": export.rows_loaded,
        "seconds": round(seconds, 2),
        "timings": export.timings,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_load(options.child)))
        return
    prepare_database()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "SharedNetworks_2025_December_30.xlsx"
        generate(path, options.rows)
        size = path.stat().st_size
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"{options.rows} partner rows, workbook {size / 1024:.0f} KB")
    print(json.dumps(result, indent=2))
    ok = result["seconds"] < 5 and result["peak_rss_mb"] < 200
    print("within target (5 s, 200 MB)" if ok else "OVER TARGET (5 s, 200 MB)")


if __name__ == "__main__":
    main()
