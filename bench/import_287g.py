"""287(g) registry benchmark: import ICE's list as shipped (1,314 rows) into a directory
seeded like the demo, and report the time and the process's peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/import_287g.py

The benchmark database (`portal_bench_287g`) is dropped and created afresh, migrated and
seeded with `seed_demo` (its own import of the list left out), so the import timed is a
first one: every row resolved, about 1,100 agencies new to the directory created
unconfirmed, 1,314 agreements and their history written. A second import of the same
file (nothing to write) is timed after it. Each import runs in a fresh child process.
Target (issue 15, acceptance 4): under 10 s.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "portal_bench_287g"
SHIPPED = ROOT / "apps" / "agencies" / "data" / "ice_287g_agencies_2026.xlsx"

from bench import ingest  # noqa: E402 (after the path above)


def fresh_database() -> None:
    """Drop and create the benchmark database, migrate it and seed the demo without its
    import of the list."""
    import psycopg

    admin_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")
    ingest.setup_django(BENCH_DB)
    from django.core.management import call_command

    from apps.demo.management.commands import seed_demo

    call_command("migrate", verbosity=0)
    # The seeding imports the list itself; here the import is what is measured.
    seed_demo.registry_import = lambda **kwargs: None
    call_command("seed_demo", verbosity=0)


def run_import() -> dict:
    ingest.setup_django(BENCH_DB)
    from apps.agencies.models import Agency
    from apps.agencies.services import registry_import

    agencies = Agency.objects.count()
    started = time.monotonic()
    record = registry_import(path=SHIPPED).record
    seconds = time.monotonic() - started
    return {
        "seconds": round(seconds, 2),
        "directory_before": agencies,
        "rows": record.rows,
        "matched": record.matched,
        "queued": record.queued,
        "added": record.added,
        "unchanged": record.unchanged,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def child(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True,
        env=os.environ,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["seed", "import"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child == "seed":
        fresh_database()
        return
    if options.child == "import":
        print(json.dumps(run_import()))
        return
    child("--child", "seed")
    first = json.loads(child("--child", "import"))
    second = json.loads(child("--child", "import"))
    print(f"{SHIPPED.name}, {SHIPPED.stat().st_size / 1024:.0f} KB")
    print("first import:", json.dumps(first, indent=2))
    print("second import, same file:", json.dumps(second, indent=2))
    print("within target (10 s)" if first["seconds"] < 10 else "OVER TARGET (10 s)")


if __name__ == "__main__":
    main()
