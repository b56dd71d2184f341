"""Kill a real Celery worker while an evaluation's transaction is open, then start another:
the evaluation runs again, once, and finds what an uninterrupted run finds."""

import signal

import psycopg
import pytest
from django.db import connection, transaction

from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import EvaluationRun, Finding
from apps.audits.tasks import evaluate_municipality
from apps.core.locks import EVALUATION
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope
from bench.evaluate import GENERATE
from config.celery_app import app as celery_app
from tests.ingest.test_worker_crash import start_worker, stop, wait_for

from .servers import RedisServer

# bench/evaluate.py's generated state for one municipality: 150,000 searches and 400
# grants: about a second of evaluation on a 2-core machine, findings of several rules.
SCALE = {"municipalities": 1, "grants_per": 400, "searches": 150_000}

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Rollback(Exception):
    """Undoes the reference evaluation, so that the worker starts from the same rows."""


def generate_state(database_url: str) -> Municipality:
    with psycopg.connect(database_url, autocommit=True) as generator:
        with generator.transaction():
            for statement in GENERATE.split(";\n\n"):
                generator.execute(statement, SCALE)
        generator.execute("ANALYZE")
    return Municipality.objects.get(slug="town-1")


def findings(municipality: Municipality) -> list[tuple]:
    with municipality_scope(municipality):
        return sorted(
            Finding.objects.values_list(
                "rule_code", "subject_key", "severity", "status", "evidence__count"
            )
        )


def uninterrupted_findings(municipality: Municipality) -> list[tuple]:
    """The findings of one evaluation run in this process from start to end, rolled back."""
    try:
        with municipality_scope(municipality), transaction.atomic():
            municipality_evaluate(municipality=municipality, trigger="manual")
            reference = findings(municipality)
            raise Rollback
    except Rollback:
        return reference


def runs(municipality: Municipality) -> list[str]:
    with municipality_scope(municipality):
        return list(EvaluationRun.objects.values_list("outcome", flat=True))


def evaluation_holds_its_lock(municipality: Municipality) -> bool:
    """True while some transaction holds the municipality's evaluation lock (7302, id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND classid = %s::integer::oid AND objid = %s::integer::oid"
            " AND objsubid = 2 AND granted)",
            [EVALUATION.key, municipality.pk],
        )
        return cursor.fetchone()[0]


def test_killing_the_worker_mid_evaluation_then_starting_another_gives_the_same_findings_once(
    tmp_path, test_database_env
):
    broker = RedisServer(tmp_path / "redis")
    broker.start()
    env = {**test_database_env, "REDIS_URL": broker.url}
    try:
        municipality = generate_state(test_database_env["DATABASE_URL"])
        reference = uninterrupted_findings(municipality)
        assert {rule for rule, *_ in reference} >= {
            "BLOCKED_AGENCY_GRANT",
            "IMMIGRATION_SEARCH",
            "VAGUE_REASON",
            "OUT_OF_STATE_NO_DECLARATION",
        }
        assert runs(municipality) == [] and findings(municipality) == []

        first = start_worker(env, queue="portal-test")
        try:
            with celery_app.connection_for_write(broker.url) as publisher:
                evaluate_municipality.apply_async(
                    kwargs={"municipality_id": municipality.pk, "trigger": "manual"},
                    connection=publisher,
                )
            wait_for(lambda: evaluation_holds_its_lock(municipality), 60, "the evaluation")
        finally:
            stop(first, signal.SIGKILL)

        # The worker died inside the transaction: nothing of its run was committed, and
        # the broker still holds its message, unacknowledged.
        assert runs(municipality) == []
        assert findings(municipality) == []
        with broker.client() as client:
            assert client.hlen("unacked") == 1

        second = start_worker(env, queue="portal-test")
        try:
            wait_for(lambda: runs(municipality), 120, "the new worker to evaluate again")
            wait_for(broker.drained, 60, "the queue to drain")
        finally:
            stop(second)
    finally:
        broker.stop()

    assert runs(municipality) == [EvaluationRun.Outcome.SUCCEEDED]
    assert findings(municipality) == reference
