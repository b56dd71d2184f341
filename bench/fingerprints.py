"""Fingerprint benchmark: what the nightly run costs when nothing changed, against
evaluating every municipality.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python -m bench.fingerprints \\
        [--municipalities 1300 --grants 400000 --searches 5000000] [--rebuild] \\
        [--database portal_bench_fingerprints]

Builds the generated state of bench/evaluate.py (once, in its own database) with its
rollups, evaluates every municipality in process in batches (forced: as `evaluate --all
--force`), then times, on that unchanged state: the fingerprints of every municipality
(one statement; median of three) and the nightly check that records them all unchanged
(`municipalities_changed`, what `audits.evaluate_all` does before queueing anything).
"""

import argparse
import os
import statistics
import sys
import time

from bench import evaluate as generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=1300)
    parser.add_argument("--grants", type=int, default=400_000)
    parser.add_argument("--searches", type=int, default=5_000_000)
    parser.add_argument("--rebuild", action="store_true", help="generate the state again")
    parser.add_argument("--database", default="portal_bench_fingerprints")
    args = parser.parse_args()
    generated.BENCH_DB = args.database
    generated.prepare(args)

    os.environ["DATABASE_URL"] = generated.database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    sys.path.insert(0, str(generated.ROOT))
    import django

    django.setup()
    from django.db import connection

    from apps.audits.evaluation import _context, municipalities_changed, municipalities_evaluate
    from apps.audits.fingerprints import fingerprints_compute
    from apps.audits.models import EvaluationRun
    from apps.audits.rollups import statuses_rebuild
    from apps.audits.tasks import batches
    from apps.municipalities.models import Municipality
    from apps.municipalities.scoping import statewide_scope
    from apps.sharing.rollups import search_days_rebuild

    with statewide_scope():
        ids = list(Municipality.objects.values_list("pk", flat=True))
        if not EvaluationRun.objects.exists():
            started = time.perf_counter()
            rows = search_days_rebuild()
            statuses_rebuild()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the rollups were written after the generator's
            print(f"rollups: {rows:,} search days in {time.perf_counter() - started:.1f}s")

        # Once per state, as the state itself: a second run reuses the first's figure.
        # (a batch's runs share its start and its duration)
        evaluated = sum(
            dict(
                EvaluationRun.objects.filter(outcome="succeeded", trigger="manual").values_list(
                    "started_at", "duration_seconds"
                )
            ).values()
        )
        if not evaluated:
            started = time.perf_counter()
            for batch in batches(ids):
                municipalities_evaluate(batch, trigger="manual", force=True)
            evaluated = time.perf_counter() - started
        print(f"every municipality evaluated in process (forced): {evaluated:6.1f}s", flush=True)

        timings = []
        for _ in range(3):
            started = time.perf_counter()
            context = _context(list(Municipality.objects.order_by("pk")))
            fingerprints_compute(context)
            timings.append(time.perf_counter() - started)
        print(f"fingerprints of {len(ids):,} municipalities: {statistics.median(timings):6.2f}s"
              " (median of 3)")  # fmt: skip

        started = time.perf_counter()
        changed = municipalities_changed(ids, trigger="nightly")
        checked = time.perf_counter() - started
        print(f"nightly check, nothing changed: {checked:6.2f}s, {len(changed)} to evaluate")
        print(f"nightly check / evaluating all: {checked / evaluated:.3f}x")


if __name__ == "__main__":
    main()
