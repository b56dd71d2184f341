"""Load: people browsing and uploading at once, against gunicorn and a real Celery worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.load \\
        [--duration 300 --browsers 50 --uploaders 5 --rows 200]

Builds a fresh database `portal_bench_load` (migrated, the demo data of `seed_demo`, one
bench clerk per municipality and a bench auditor), starts gunicorn on loopback and a
Celery worker on Redis database 13 (purged first), then runs `bench/locustfile.py`
headless for `--duration` seconds: `--browsers` auditors and clerks walking dashboards,
findings, agency pages and upload lists, and `--uploaders` clerks posting generated Flock
network audits. Then it waits for the worker to drain and checks that no request failed
and that every upload the portal accepted exists and loaded every row (no lost upload).
Needs the `bench` extra (locust).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "portal_bench_load"
REDIS_DB = 13
PASSWORD = "bench-load-password-1"  # noqa: S105 - benchmark accounts on loopback
DRAIN_LIMIT = 900  # seconds the worker gets to finish the queue after the run


def auditor_username() -> str:
    return "bench.load.auditor"


def clerk_username(slug: str) -> str:
    return f"bench.load.clerk.{slug}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare_database(env: dict) -> None:
    """Drop and create the benchmark database, so every run starts from the same state."""
    import psycopg

    admin_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def bench_accounts() -> list[str]:
    """A clerk of each municipality and an auditor, all with PASSWORD; the slugs."""
    from apps.accounts.models import User
    from apps.municipalities.models import Municipality
    from apps.municipalities.services import membership_add

    auditor = User.objects.create(username=auditor_username(), role="auditor")
    auditor.set_password(PASSWORD)
    auditor.save()
    slugs = []
    for municipality in Municipality.objects.order_by("slug"):
        clerk = User.objects.create(username=clerk_username(municipality.slug), role="municipal")
        clerk.set_password(PASSWORD)
        clerk.save()
        membership_add(user=clerk, municipality=municipality)
        slugs.append(municipality.slug)
    return slugs


def start(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def wait_until(ready, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start in {limit:.0f}s")
        time.sleep(0.5)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def queue_drained(app) -> bool:
    """Nothing waits in the broker, and the worker neither runs nor holds a task."""
    with app.connection_for_write() as connection:
        waiting = connection.default_channel.client.llen("celery")
    inspect = app.control.inspect(timeout=2)
    held = [*(inspect.active() or {}).values(), *(inspect.reserved() or {}).values()]
    return waiting == 0 and not any(held)


def accepted_uploads(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def check_uploads(accepted: list[dict]) -> tuple[list[str], dict]:
    """Problems with the accepted uploads (none if every one loaded in full), and figures."""
    from apps.municipalities.scoping import statewide_scope
    from apps.sharing.models import SearchEvent
    from apps.vendors.models import VendorExport

    problems = []
    with statewide_scope():
        exports = {
            export.pk: export
            for export in VendorExport.objects.filter(pk__in=[item["export"] for item in accepted])
        }
        for item in accepted:
            export = exports.get(item["export"])
            if export is None:
                problems.append(f"upload {item['name']} (export {item['export']}) is missing")
            elif export.status != VendorExport.Status.LOADED:
                problems.append(f"export {export.pk} ended {export.status}: {export.message}")
            elif export.rows_loaded != item["rows"] or export.original_name != item["name"]:
                problems.append(f"export {export.pk} loaded {export.rows_loaded} of "
                                f"{item['rows']} rows")  # fmt: skip
        searches = SearchEvent.objects.filter(source_export__in=list(exports)).count()
        stored = VendorExport.objects.filter(
            original_name__startswith="network-audit-", uploaded_by__username__startswith="bench."
        )
        server_side = stored.count()
        # Also an upload whose answer the run cut off must not be left waiting.
        unfinished = stored.exclude(status=VendorExport.Status.LOADED).count()
        if unfinished:
            problems.append(f"{unfinished} stored uploads did not load")
    waits = sorted(
        (export.finished_at - export.received_at).total_seconds()
        for export in exports.values()
        if export.finished_at
    )
    figures = {"uploads": len(accepted), "stored": server_side, "searches": searches,
               "wait_median": statistics.median(waits) if waits else 0.0,
               "wait_max": waits[-1] if waits else 0.0}  # fmt: skip
    return problems, figures


def run(args: argparse.Namespace, env: dict, work: Path) -> tuple[dict, list[dict], float, float]:
    """Start the portal, run the users; their figures, the accepted uploads, the seconds
    the users ran and the seconds the worker needed after them to empty its queue."""
    prepare_database(env)
    import django

    django.setup()
    from config.celery_app import app

    slugs = bench_accounts()
    app.control.purge()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    worker = start([sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency",
                    str(args.concurrency), "--loglevel", "WARNING", "--without-gossip",
                    "--without-mingle"], env)  # fmt: skip
    server = start([sys.executable, "-m", "gunicorn", "config.wsgi", "--workers",
                    str(args.web_workers), "--threads", str(args.threads), "--bind",
                    f"127.0.0.1:{port}", "--log-level", "warning"], env)  # fmt: skip
    uploads_log = work / "uploads.jsonl"
    stats_file = work / "stats.json"
    try:
        wait_until(lambda: bool(app.control.ping(timeout=1)), "the Celery worker")
        wait_until(lambda: answers(base + "/healthz"), "gunicorn")
        locust_env = {
            **env,
            "BENCH_LOAD_BROWSERS": str(args.browsers),
            "BENCH_LOAD_UPLOADERS": str(args.uploaders),
            "BENCH_LOAD_MUNICIPALITIES": ",".join(slugs),
            "BENCH_LOAD_ROWS": str(args.rows),
            "BENCH_LOAD_UPLOADS": str(uploads_log),
            "BENCH_LOAD_STATS": str(stats_file),
        }
        print(f"{args.browsers} browsing + {args.uploaders} uploading users for "
              f"{args.duration}s against {base} (gunicorn {args.web_workers} x "
              f"{args.threads} threads, Celery worker x {args.concurrency})",
              flush=True)  # fmt: skip
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--host", base, "--users", str(args.browsers + args.uploaders),
             "--spawn-rate", "5", "--run-time", f"{args.duration}s", "--stop-timeout", "30",
             "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=locust_env, check=False,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        wait_until(lambda: queue_drained(app), "the drained queue", DRAIN_LIMIT)
        drain = time.monotonic() - started - elapsed
    finally:
        stop(server)
        stop(worker)
    return json.loads(stats_file.read_text()), accepted_uploads(uploads_log), elapsed, drain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=300, help="seconds of load")
    parser.add_argument("--browsers", type=int, default=50)
    parser.add_argument("--uploaders", type=int, default=5)
    parser.add_argument("--rows", type=int, default=200, help="rows per uploaded file")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()

    redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    work = Path(tempfile.mkdtemp(prefix="portal-bench-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + BENCH_DB,
        "REDIS_URL": f"{redis_base}/{REDIS_DB}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    try:
        stats, accepted, elapsed, drain = run(args, env, work)
        problems, figures = check_uploads(accepted)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    problems[:0] = stats["errors"]

    print(f"\n{'request':<30} {'count':>7} {'failed':>6} {'req/s':>6} {'median':>8} "
          f"{'p95':>8} {'p99':>8}")  # fmt: skip
    for row in [*sorted(stats["requests"], key=lambda row: row["name"]), stats["total"]]:
        print(f"{row['name'][:30]:<30} {row['requests']:>7} {row['failures']:>6} "
              f"{row['rps']:>6.2f} {row['p50']:>6.0f}ms {row['p95']:>6.0f}ms "
              f"{row['p99']:>6.0f}ms")  # fmt: skip
    print(f"\n{stats['total']['rps']:.1f} requests/s over {elapsed:.0f}s; "
          f"{figures['uploads']} uploads accepted ({figures['stored']} stored), "
          f"{figures['searches']:,} rows loaded; upload to loaded: median "
          f"{figures['wait_median']:.1f}s, max {figures['wait_max']:.1f}s; "
          f"queue empty {drain:.0f}s after the users stopped; machine load average "
          f"(5 min) {os.getloadavg()[1]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("no failed request, no lost upload")


if __name__ == "__main__":
    main()
