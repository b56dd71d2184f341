"""Evaluation benchmark: a statewide re-evaluation through the Celery fan-out, one task per
municipality and one task per batch, against one hand-written SQL query computing the
blocked-agency grant and immigration-search findings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.evaluate \\
        [--municipalities 1300 --grants 400000 --searches 5000000] [--rebuild] \\
        [--batch-size 200] [--database portal_bench_state]

Builds (once, in database `portal_bench_state`) a generated state of that size with SQL,
then starts real Celery workers (prefork, one per core) on a Redis database of its own,
queues `audits.evaluate_all` and waits until every municipality has a new evaluation run.
It does so with batches of one municipality (the old fan-out: one task each), twice: the
first run opens the findings, the second is the nightly steady state; then with batches
of `--batch-size` (PORTAL_EVALUATION_BATCH_SIZE), on the same state. In the same run it
times the single query (median of three) and one municipality's evaluation in process
(an upload's; median of ten).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "portal_bench_state"

# The state, generated set-based. Agencies: 0.5% federal immigration (blocked), 1%
# private, 25% out of state; searches: 1% vague, 0.4% immigration reasons.
GENERATE = """
INSERT INTO municipalities_municipality (name, slug, county, state, population,
                                         police_department, ori, created_at)
SELECT 'Town ' || m, 'town-' || m, 'County ' || (m %% 102), 'IL', 1000 + m * 37 %% 90000,
       'Town ' || m || ' Police Department', '', now()
FROM generate_series(1, %(municipalities)s) m;

INSERT INTO agencies_agency (name, normalized_name, ori, level, state, tags, is_confirmed,
                             created_at, updated_at)
SELECT 'Agency ' || a, 'agency ' || a, NULL,
       CASE WHEN a %% 200 = 0 THEN 'federal' WHEN a %% 100 = 1 THEN 'private' ELSE 'local' END,
       CASE WHEN a %% 4 = 0 THEN 'TX' ELSE 'IL' END, '{}', true, now(), now()
FROM generate_series(1, 4000) a;

INSERT INTO compliance_blocklistentry (agency_id, name_pattern, ori_pattern, reason, citation,
                                       is_active, created_at, updated_at)
SELECT id, '', '', 'bench', '2-130(b)(2)', true, now(), now()
FROM agencies_agency WHERE name LIKE 'Agency %%' AND level = 'federal';

INSERT INTO vendors_vendorexport (municipality_id, vendor_id, kind, file_format, original_name,
    sha256, size, status, progress_percent, rows_processed, rows_loaded, rows_rejected,
    rows_duplicate, rows_ignored, message, warnings, timings, received_at)
SELECT m.id, v.id, 'network_audit', 'flock_audit', 'network_audit.csv', md5(m.id::text) ||
       md5(m.slug), 0, 'loaded', 100, 0, 0, 0, 0, 0, '', '[]', '{}', now()
FROM municipalities_municipality m, vendors_vendor v WHERE v.slug = 'flock';

CREATE TEMP TABLE bench_agencies AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, name FROM agencies_agency
WHERE name LIKE 'Agency %%';

INSERT INTO sharing_sharinggrant (municipality_id, vendor_id, agency_id, partner_name, direction,
    data_type, mode, status, requested_at, decided_at, decided_by, status_changed_at,
    declaration_on_file, declaration_date, vendor_reference, source_export_id, source_line,
    networks)
SELECT e.municipality_id, e.vendor_id, a.id, a.name, 'outgoing', 'detections',
       CASE WHEN k = 0 AND e.municipality_id %% 10 = 0 THEN 'national' ELSE 'one_to_one' END,
       CASE WHEN k %% 17 = 0 THEN 'revoked' ELSE 'accepted' END,
       now() - interval '400 days', now() - interval '300 days' + k * interval '1 minute',
       'officer' || (e.municipality_id %% 50), now() - interval '300 days',
       k %% 3 = 0, (now() - interval '100 days')::date, '', e.id, k + 2, '[]'
FROM vendors_vendorexport e
CROSS JOIN generate_series(0, %(grants_per)s - 1) k
JOIN bench_agencies a ON a.n = (e.municipality_id * 97 + k * 13) %% 4000;

INSERT INTO sharing_sharingchange (municipality_id, grant_id, occurred_at, old_status,
    new_status, actor, vendor_event_id, source_export_id, source_line)
SELECT municipality_id, id, decided_at, '', 'accepted', decided_by, '', source_export_id,
       source_line
FROM sharing_sharinggrant;

INSERT INTO sharing_searchevent (searched_at, vendor_id, vendor_search_id, origin, agency_id,
    agency_name, searcher, reason, reason_category, reason_redacted, reason_label, case_number,
    networks_searched, devices_searched, search_type, is_mobile, time_frame_start,
    time_frame_end, filters, text_prompt, plate_hash, source_export_id, source_line,
    municipality_id)
SELECT now() - (s %% 2592000) * interval '1 second', e.vendor_id, md5(s::text), 'network',
       a.id, a.name, '', r.reason, '', false, r.label, '', 10, NULL, 'search', false, NULL,
       NULL, '', '', '', e.id, s / %(municipalities)s + 2, e.municipality_id
FROM generate_series(1, %(searches)s) s
JOIN vendors_vendorexport e ON e.municipality_id = (
    SELECT min(id) FROM municipalities_municipality) + s %% %(municipalities)s
JOIN bench_agencies a ON a.n = (e.municipality_id * 97 + (s / 7 %% %(grants_per)s) * 13) %% 4000
CROSS JOIN LATERAL (SELECT CASE WHEN s %% 101 = 0 THEN 'inv' WHEN s %% 251 = 3
                                THEN 'ICE detainer' ELSE 'stolen vehicle' END AS reason,
                           CASE WHEN s %% 101 = 0 THEN 'vague' WHEN s %% 251 = 3
                                THEN 'immigration' ELSE 'none' END AS label) r
"""

# The reference: the same two findings for every municipality, in one statement.
REFERENCE = """
WITH blocked AS (
    SELECT agency_id FROM compliance_blocklistentry WHERE is_active AND agency_id IS NOT NULL
), grant_findings AS (
    SELECT g.municipality_id, 'BLOCKED_AGENCY_GRANT' AS rule, 'grant:' || g.id AS subject,
           1 AS n, ARRAY[g.source_line] AS lines
    FROM sharing_sharinggrant g
    WHERE g.direction = 'outgoing' AND g.status = 'accepted'
      AND g.agency_id IN (SELECT agency_id FROM blocked)
), search_findings AS (
    SELECT s.municipality_id, 'IMMIGRATION_SEARCH' AS rule, 'agency:' || s.agency_id AS subject,
           count(*) AS n, (array_agg(s.source_line ORDER BY s.source_line))[1:50] AS lines
    FROM sharing_searchevent s
    WHERE s.reason_label = 'immigration' OR s.agency_id IN (SELECT agency_id FROM blocked)
    GROUP BY s.municipality_id, s.agency_id
)
SELECT count(*) FROM (SELECT * FROM grant_findings UNION ALL SELECT * FROM search_findings) f
"""


def database_url() -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + BENCH_DB


# One municipality evaluated in process, as after an upload: the median of ten runs.
UPLOAD_TIMING = """
import statistics, time
from apps.audits.evaluation import municipality_evaluate
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope
municipality = Municipality.objects.order_by("pk")[len(Municipality.objects.all()) // 2]
timings = []
for _ in range(10):
    started = time.perf_counter()
    with municipality_scope(municipality):
        municipality_evaluate(municipality=municipality, trigger="upload")
    timings.append(time.perf_counter() - started)
print(statistics.median(timings))
"""


def prepare(args) -> None:
    import psycopg

    admin = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if args.rebuild:
            connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]
        ).fetchone()
        if not exists:
            connection.execute(f"CREATE DATABASE {BENCH_DB}")
    env = {**os.environ, "DATABASE_URL": database_url()}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(database_url(), autocommit=True) as connection:
        if connection.execute("SELECT count(*) FROM municipalities_municipality").fetchone()[0]:
            return
        started = time.perf_counter()
        params = {
            "municipalities": args.municipalities,
            "grants_per": args.grants // args.municipalities,
            "searches": args.searches,
        }
        with connection.transaction():
            for statement in GENERATE.split(";\n\n"):
                connection.execute(statement, params)
        # The searches were written with SQL, past the loads that keep this rollup.
        subprocess.run(
            [sys.executable, "manage.py", "ungranted_rebuild"], cwd=ROOT, env=env, check=True
        )
        connection.execute("ANALYZE")
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM municipalities_municipality),"
            " (SELECT count(*) FROM sharing_sharinggrant),"
            " (SELECT count(*) FROM sharing_searchevent)"
        ).fetchone()
        seconds = time.perf_counter() - started
        print(f"generated {counts[0]:,} municipalities, {counts[1]:,} grants, "
              f"{counts[2]:,} searches in {seconds:.0f}s", flush=True)  # fmt: skip


def time_reference() -> float:
    import psycopg

    timings = []
    with psycopg.connect(database_url(), autocommit=True) as connection:
        for _ in range(3):
            started = time.perf_counter()
            connection.execute(REFERENCE).fetchone()
            timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def fan_out(workers: int, env: dict) -> float:
    """Queue the nightly fan-out, wait for one new run per municipality; seconds taken."""
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as connection:
        before = connection.execute("SELECT count(*) FROM audits_evaluationrun").fetchone()[0]
        target = (
            before
            + connection.execute("SELECT count(*) FROM municipalities_municipality").fetchone()[0]
        )
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from config.celery_app import app;"
             "app.send_task('audits.evaluate_all', kwargs={'trigger': 'nightly'})"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        while True:
            done, failed = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE outcome = 'failed')"
                " FROM audits_evaluationrun"
            ).fetchone()
            if failed:
                raise RuntimeError(f"{failed} evaluation runs failed")
            if done >= target:
                return time.perf_counter() - started
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=1300)
    parser.add_argument("--grants", type=int, default=400_000)
    parser.add_argument("--searches", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rebuild", action="store_true", help="generate the state again")
    parser.add_argument("--batch-size", type=int, default=200, help="municipalities per task")
    parser.add_argument("--database", help="the generated state's database (portal_bench_state)")
    args = parser.parse_args()
    global BENCH_DB
    BENCH_DB = args.database or BENCH_DB

    prepare(args)
    redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": f"{redis_base}/14",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "-c", "from config.celery_app import app; app.control.purge()"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip

    def fan_outs(batch_size: int, runs: int) -> list[float]:
        """Start the workers with this batch size, time `runs` nightly fan-outs."""
        worker_env = {**env, "PORTAL_EVALUATION_BATCH_SIZE": str(batch_size)}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency",
             str(args.workers), "--loglevel", "WARNING", "--without-gossip",
             "--without-mingle"],
            cwd=ROOT, env=worker_env, start_new_session=True,
        )  # fmt: skip
        try:
            time.sleep(5)
            return [fan_out(args.workers, worker_env) for _ in range(runs)]
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)

    first, second = fan_outs(1, 2)
    print(f"one task per municipality, first run (opens findings): {first:6.1f}s", flush=True)
    print(f"one task per municipality, nightly steady state:       {second:6.1f}s", flush=True)
    (batched,) = fan_outs(args.batch_size, 1)
    print(f"batches of {args.batch_size}, nightly steady state:{'':14}{batched:6.1f}s", flush=True)
    upload = float(
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", UPLOAD_TIMING],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.split()[-1]
    )  # fmt: skip
    print(f"one municipality in process (an upload's): {upload * 1000:6.0f} ms (median of 10)")
    reference = time_reference()
    print(f"single SQL query (2 of the 11 rules): {reference:6.1f}s (median of 3)")
    print(f"batched fan-out / single query: {batched / reference:.1f}x (target <= 3x)")
    print(f"batched / one task per municipality: {batched / second:.2f}x")


if __name__ == "__main__":
    main()
