"""Evaluation benchmark: the statewide evaluation through Celery against a floor, one
hand-written read-only SQL statement computing the subjects of all 11 rules.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.evaluate \\
        [--municipalities 1300 --grants 400000 --searches 5000000] [--double] \\
        [--batch-size 200] [--rebuild] [--database portal_bench_state]

Builds (once per size, in its own database) a generated state with SQL. Then, on each
state, in one run:
- (a) the floor: one statement computing, for every municipality, the subjects of all 11
  rules with what their evidence counts (searches, first 50 lines, grants): no writes,
  no Celery, tuned by hand (median of three);
- (b) a forced full re-evaluation (`audits.evaluate_all` with force=True) through a real
  Celery worker with one process, then with two, waiting until every municipality has a
  new evaluation run;
- (c) the nightly steady state: `audits.evaluate_all` with nothing changed since;
- one municipality's evaluation in process, as after an upload (median of ten).
`--double` runs a second state twice the size (grants and searches) after the first.
The first evaluation of a new state (it opens every finding) runs before the timings.
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

# The floor: every rule's subjects statewide, in one read-only statement. Counts per rule,
# so the bench can hold them against the findings the evaluation keeps. Tuned by hand:
# no merge joins (hash joins over the searches), more memory for the sorts.
FLOOR_SETTINGS = "SET jit = off; SET enable_mergejoin = off; SET work_mem = '64MB'"
FLOOR = """
WITH blocked AS (
    SELECT DISTINCT agency_id FROM compliance_blocklistentry
    WHERE is_active AND agency_id IS NOT NULL
), first_accepted AS (
    SELECT DISTINCT ON (grant_id) grant_id, occurred_at FROM sharing_sharingchange
    WHERE new_status = 'accepted' ORDER BY grant_id, occurred_at, id
), grants AS (
    SELECT g.municipality_id, g.id, g.agency_id, g.mode, g.declaration_on_file,
           g.declaration_date, a.level, a.state, b.agency_id IS NOT NULL AS blocked
    FROM sharing_sharinggrant g
    JOIN agencies_agency a ON a.id = g.agency_id
    LEFT JOIN first_accepted f ON f.grant_id = g.id
    LEFT JOIN blocked b ON b.agency_id = g.agency_id
    WHERE g.direction = 'outgoing'
      AND (g.status IN ('accepted', 'revoked') OR (g.status = 'denied' AND f.grant_id IS NOT NULL))
), grant_subjects AS (
    SELECT g.municipality_id, r.rule, 'grant:' || g.id AS subject, 1 AS n, NULL::int[] AS lines
    FROM grants g CROSS JOIN LATERAL (VALUES
        ('BLOCKED_AGENCY_GRANT', g.blocked),
        ('FEDERAL_GRANT_REVIEW', g.level = 'federal' AND NOT g.blocked),
        ('BROAD_SHARING_MODE', g.mode IN ('statewide', 'national', 'similar_laws')),
        ('PRIVATE_ENTITY_GRANT', g.level = 'private'),
        ('OUT_OF_STATE_NO_DECLARATION',
         g.state NOT IN ('', 'IL') AND g.level NOT IN ('federal', 'tribal')
         AND NOT (g.declaration_on_file
                  AND coalesce(g.declaration_date, current_date) >= current_date - 730)
         AND NOT EXISTS (
             SELECT 1 FROM sharing_declaration d
             WHERE d.municipality_id = g.municipality_id AND d.agency_id = g.agency_id
               AND d.received_on <= current_date
               AND (d.expires_on >= current_date
                    OR (d.expires_on IS NULL AND d.received_on >= current_date - 730))))
    ) r(rule, hit)
    WHERE r.hit
), labelled AS (
    -- The flagged reasons (the partial index) and every search by a blocked agency.
    SELECT municipality_id, agency_id, reason_label, source_line, searched_at
    FROM sharing_searchevent WHERE reason_label <> 'none'
    UNION ALL
    SELECT s.municipality_id, s.agency_id, 'blocked', s.source_line, s.searched_at
    FROM sharing_searchevent s JOIN blocked b ON b.agency_id = s.agency_id
    WHERE s.reason_label <> 'immigration'
), label_subjects AS (
    SELECT municipality_id,
           CASE reason_label WHEN 'immigration' THEN 'IMMIGRATION_SEARCH'
                WHEN 'blocked' THEN 'IMMIGRATION_SEARCH'
                WHEN 'health_care' THEN 'HEALTH_CARE_SEARCH'
                WHEN 'vague' THEN 'VAGUE_REASON'
                ELSE 'SENSITIVE_DATA_IN_REASON' END AS rule,
           'agency:' || agency_id AS subject, count(*) AS n,
           (array_agg(source_line ORDER BY source_line))[1:50] AS lines
    FROM labelled
    WHERE reason_label IN ('immigration', 'blocked', 'health_care', 'vague', 'sensitive_data')
    GROUP BY 1, 2, 3
), windows AS (
    SELECT municipality_id, agency_id, mode,
           CASE WHEN status = 'accepted' THEN coalesce(decided_at, requested_at, '-infinity')
                ELSE coalesce(requested_at, '-infinity') END AS from_at,
           CASE WHEN status = 'accepted' THEN 'infinity' ELSE status_changed_at END AS until_at
    FROM sharing_sharinggrant
    WHERE direction = 'outgoing' AND data_type = 'detections'
      AND status IN ('accepted', 'revoked')
), own AS (
    SELECT m.id AS municipality_id, a.id AS agency_id
    FROM municipalities_municipality m
    JOIN agencies_agency a ON a.normalized_name = lower(m.police_department)
                           OR (m.ori <> '' AND a.ori = m.ori)
), ungranted AS (
    SELECT s.municipality_id, 'SEARCH_WITHOUT_GRANT' AS rule, 'agency:' || s.agency_id AS subject,
           count(*) AS n, (array_agg(s.source_line ORDER BY s.source_line))[1:50] AS lines
    FROM sharing_searchevent s
    JOIN agencies_agency searcher ON searcher.id = s.agency_id
    WHERE s.origin = 'network'
      AND NOT EXISTS (SELECT 1 FROM own o WHERE o.municipality_id = s.municipality_id
                                          AND o.agency_id = s.agency_id)
      AND NOT EXISTS (SELECT 1 FROM windows w
                      WHERE w.municipality_id = s.municipality_id AND w.agency_id = s.agency_id
                        AND s.searched_at >= w.from_at AND s.searched_at < w.until_at)
      AND NOT EXISTS (SELECT 1 FROM windows p
                      WHERE p.mode IN ('statewide', 'national', 'similar_laws')
                        AND p.municipality_id = s.municipality_id
                        AND (p.mode = 'national' OR searcher.state IN ('', 'IL'))
                        AND s.searched_at >= p.from_at AND s.searched_at < p.until_at)
    GROUP BY 1, 2, 3
), acceptances AS (
    SELECT municipality_id, actor, occurred_at, grant_id,
           count(*) OVER (PARTITION BY municipality_id, actor ORDER BY occurred_at
                          RANGE BETWEEN CURRENT ROW AND interval '10 minutes' FOLLOWING) AS n
    FROM sharing_sharingchange
    WHERE new_status = 'accepted' AND old_status <> 'accepted' AND actor <> ''
), marked AS (
    -- A member of a burst: within the window after a point where the window holds enough.
    SELECT *, max(CASE WHEN n >= 25 THEN occurred_at END)
                  OVER (PARTITION BY municipality_id, actor ORDER BY occurred_at) AS burst
    FROM acceptances
), islands AS (
    SELECT *, sum(CASE WHEN gap > interval '10 minutes' THEN 1 ELSE 0 END)
                  OVER (PARTITION BY municipality_id, actor ORDER BY occurred_at) AS island
    FROM (SELECT *, occurred_at - lag(occurred_at)
                        OVER (PARTITION BY municipality_id, actor ORDER BY occurred_at) AS gap
          FROM marked WHERE burst >= occurred_at - interval '10 minutes') members
), bulk AS (
    SELECT municipality_id, 'BULK_ACCEPTANCE' AS rule, actor || '@' || min(occurred_at) AS subject,
           count(DISTINCT grant_id) AS n, NULL::int[] AS lines
    FROM islands GROUP BY municipality_id, actor, island
)
SELECT rule, count(*) FROM (
    SELECT * FROM grant_subjects UNION ALL SELECT * FROM label_subjects
    UNION ALL SELECT * FROM ungranted UNION ALL SELECT * FROM bulk
) subjects GROUP BY rule ORDER BY rule
"""


def database_url(database: str) -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database


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


def prepare(database: str, *, municipalities: int, grants: int, searches: int,
            rebuild: bool) -> None:  # fmt: skip
    """Create, migrate and fill the state's database unless it already holds one."""
    import psycopg

    admin = database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        if rebuild:
            connection.execute(f"DROP DATABASE IF EXISTS {database}")
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(f"CREATE DATABASE {database}")
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(database_url(database), autocommit=True) as connection:
        if connection.execute("SELECT count(*) FROM municipalities_municipality").fetchone()[0]:
            return
        started = time.perf_counter()
        params = {
            "municipalities": municipalities,
            "grants_per": grants // municipalities,
            "searches": searches,
        }
        with connection.transaction():
            for statement in GENERATE.split(";\n\n"):
                connection.execute(statement, params)
        # The searches were written with SQL, past the loads that keep their rollups.
        subprocess.run(
            [sys.executable, "manage.py", "search_rollups_rebuild"], cwd=ROOT, env=env,
            check=True,
        )  # fmt: skip
        connection.execute("ANALYZE")
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM municipalities_municipality),"
            " (SELECT count(*) FROM sharing_sharinggrant),"
            " (SELECT count(*) FROM sharing_searchevent)"
        ).fetchone()
        seconds = time.perf_counter() - started
        print(f"generated {counts[0]:,} municipalities, {counts[1]:,} grants, "
              f"{counts[2]:,} searches in {seconds:.0f}s", flush=True)  # fmt: skip


def time_floor(database: str) -> tuple[float, dict[str, int]]:
    """The floor's median time of three, and its subjects per rule."""
    import psycopg

    timings = []
    with psycopg.connect(database_url(database), autocommit=True) as connection:
        for statement in FLOOR_SETTINGS.split("; "):
            connection.execute(statement)
        for _ in range(3):
            started = time.perf_counter()
            subjects = dict(connection.execute(FLOOR).fetchall())
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), subjects


def findings_per_rule(database: str) -> dict[str, int]:
    """The findings the evaluation holds for a current condition, per rule: open ones, and
    closed ones on sharing that had ended (their condition still stands, in the past)."""
    import psycopg

    with psycopg.connect(database_url(database), autocommit=True) as connection:
        return dict(
            connection.execute(
                "SELECT rule_code, count(*) FROM audits_finding"
                " WHERE status <> 'closed' OR close_cause LIKE 'The sharing had already ended%%'"
                " OR close_cause LIKE 'The grant is now%%'"
                " GROUP BY rule_code"
            ).fetchall()
        )


def nightly(database: str, env: dict, *, force: bool) -> float:
    """Queue the nightly run and wait for one new run per municipality; seconds taken."""
    import psycopg

    with psycopg.connect(database_url(database), autocommit=True) as connection:
        municipalities = connection.execute(
            "SELECT count(*) FROM municipalities_municipality"
        ).fetchone()[0]
        since = connection.execute("SELECT clock_timestamp()").fetchone()[0]
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from config.celery_app import app;"
             "app.send_task('audits.evaluate_all',"
             f" kwargs={{'trigger': 'nightly', 'force': {force}}})"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        while True:
            done, failed = connection.execute(
                "SELECT count(DISTINCT municipality_id),"
                " count(*) FILTER (WHERE outcome = 'failed')"
                " FROM audits_evaluationrun WHERE started_at >= %s",
                [since],
            ).fetchone()
            if failed:
                raise RuntimeError(f"{failed} evaluation runs failed")
            if done >= municipalities:
                return time.perf_counter() - started
            time.sleep(0.1)


class Worker:
    """A real Celery worker (prefork) with `processes` processes, for a `with` block."""

    def __init__(self, env: dict, processes: int) -> None:
        self.env, self.processes = env, processes

    def __enter__(self) -> "Worker":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency",
             str(self.processes), "--loglevel", "WARNING", "--without-gossip",
             "--without-mingle", "--prefetch-multiplier", "1"],
            cwd=ROOT, env=self.env, start_new_session=True,
        )  # fmt: skip
        time.sleep(5)
        return self

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=120)


def measure(args, database: str, *, grants: int, searches: int) -> dict[str, float]:
    prepare(database, municipalities=args.municipalities, grants=grants, searches=searches,
            rebuild=args.rebuild)  # fmt: skip
    redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "REDIS_URL": f"{redis_base}/14",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PORTAL_EVALUATION_BATCH_SIZE": str(args.batch_size),
    }
    subprocess.run(
        [sys.executable, "-c", "from config.celery_app import app; app.control.purge()"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    label = f"{args.municipalities:,} municipalities, {grants:,} grants, {searches:,} searches"
    print(f"--- {label}", flush=True)
    result = {}
    with Worker(env, 2):
        # The first evaluation of the state opens its findings: not one of the timings.
        print(f"first evaluation (opens the findings): {nightly(database, env, force=True):.1f}s",
              flush=True)  # fmt: skip
    result["floor"], subjects = time_floor(database)
    print(f"(a) floor, all 11 rules in one statement: {result['floor']:.2f}s (median of 3)",
          flush=True)  # fmt: skip
    held = findings_per_rule(database)
    for rule in sorted(set(subjects) | set(held)):
        same = "same" if subjects.get(rule, 0) == held.get(rule, 0) else "DIFFERENT"
        print(f"    {rule:30} floor {subjects.get(rule, 0):7,}  findings {held.get(rule, 0):7,}"
              f"  {same}")  # fmt: skip
    for processes in (1, 2):
        with Worker(env, processes):
            result[f"full_{processes}"] = nightly(database, env, force=True)
        print(f"(b) forced full run, {processes} worker process{'es' if processes > 1 else ''}:"
              f" {result[f'full_{processes}']:.2f}s", flush=True)  # fmt: skip
    with Worker(env, 2):
        result["steady"] = nightly(database, env, force=False)
    print(f"(c) nightly, nothing changed: {result['steady']:.2f}s", flush=True)
    upload = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", UPLOAD_TIMING],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    result["upload"] = float(upload.stdout.split()[-1])
    print(f"one municipality in process (an upload's): {result['upload'] * 1000:.0f} ms"
          " (median of 10)", flush=True)  # fmt: skip
    print(f"(b) one process / floor: {result['full_1'] / result['floor']:.2f}x (target <= 3x)")
    print(f"(b) two processes / one: {result['full_2'] / result['full_1']:.2f}x (target <= 0.7x)")
    print(f"(c) steady state: {result['steady']:.2f}s (target < 5 s)")
    print(f"upload: {result['upload'] * 1000:.0f} ms (target < 50 ms)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=1300)
    parser.add_argument("--grants", type=int, default=400_000)
    parser.add_argument("--searches", type=int, default=5_000_000)
    parser.add_argument("--double", action="store_true", help="also a state twice the size")
    parser.add_argument("--rebuild", action="store_true", help="generate the states again")
    parser.add_argument("--batch-size", type=int, default=200, help="municipalities per task")
    parser.add_argument("--database", default="portal_bench_state", help="the state's database")
    args = parser.parse_args()

    base = measure(args, args.database, grants=args.grants, searches=args.searches)
    if args.double:
        double = measure(args, f"{args.database}_x2", grants=args.grants * 2,
                         searches=args.searches * 2)  # fmt: skip
        ratio = double["full_1"] / base["full_1"]
        print(
            f"--- twice the state: forced full run (one process) {ratio:.2f}x the first"
            " (target <= 2.2x)"
        )


if __name__ == "__main__":
    main()
