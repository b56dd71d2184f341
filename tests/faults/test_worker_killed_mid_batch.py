"""Acceptance 4 of issue 13: kill a real Celery worker while a batch's evaluation is open,
then start another: the batch is delivered again, runs once, and its municipalities'
findings equal those of an uninterrupted run."""

import signal

import psycopg
import pytest
from django.db import transaction

from apps.audits.evaluation import municipalities_evaluate
from apps.audits.models import EvaluationRun, Finding
from apps.audits.tasks import evaluate_batch
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import statewide_scope
from bench.evaluate import GENERATE
from config.celery_app import app as celery_app
from tests.ingest.test_worker_crash import start_worker, stop, wait_for

from .servers import RedisServer
from .test_worker_killed_mid_evaluation import evaluation_holds_its_lock

# bench/evaluate.py's generated state for three municipalities, 100,000 searches and 300
# grants each: a batch of a few seconds on a 2-core machine, findings of several rules.
SCALE = {"municipalities": 3, "grants_per": 300, "searches": 300_000}

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Rollback(Exception):
    """Undoes the reference evaluation, so that the worker starts from the same rows."""


def generate_state(database_url: str) -> list[Municipality]:
    with psycopg.connect(database_url, autocommit=True) as generator:
        with generator.transaction():
            for statement in GENERATE.split(";\n\n"):
                generator.execute(statement, SCALE)
        generator.execute("ANALYZE")
    return list(Municipality.objects.filter(slug__startswith="town-").order_by("pk"))


def findings(ids: list[int]) -> list[tuple]:
    with statewide_scope():
        return sorted(
            Finding.objects.filter(municipality_id__in=ids).values_list(
                "municipality_id", "rule_code", "subject_key", "severity", "status",
                "evidence__count", "summary",
            )
        )  # fmt: skip


def uninterrupted_findings(ids: list[int]) -> list[tuple]:
    """The findings of the batch run in this process from start to end, rolled back."""
    try:
        with transaction.atomic():
            municipalities_evaluate(ids, trigger="manual")
            reference = findings(ids)
            raise Rollback
    except Rollback:
        return reference


def runs(ids: list[int]) -> list[tuple]:
    with statewide_scope():
        return sorted(
            EvaluationRun.objects.filter(municipality_id__in=ids).values_list(
                "municipality_id", "outcome"
            )
        )


def test_killing_the_worker_mid_batch_then_starting_another_gives_the_same_findings_once(
    tmp_path, test_database_env
):
    broker = RedisServer(tmp_path / "redis")
    broker.start()
    env = {**test_database_env, "REDIS_URL": broker.url}
    try:
        municipalities = generate_state(test_database_env["DATABASE_URL"])
        ids = [m.pk for m in municipalities]
        assert len(ids) == 3
        reference = uninterrupted_findings(ids)
        assert {pk for pk, *_ in reference} == set(ids)
        assert {rule for _, rule, *_ in reference} >= {
            "BLOCKED_AGENCY_GRANT",
            "IMMIGRATION_SEARCH",
            "VAGUE_REASON",
            "OUT_OF_STATE_NO_DECLARATION",
        }
        assert runs(ids) == [] and findings(ids) == []

        first = start_worker(env, queue="portal-test")
        try:
            with celery_app.connection_for_write(broker.url) as publisher:
                evaluate_batch.apply_async(
                    kwargs={"municipality_ids": ids, "trigger": "manual"}, connection=publisher
                )
            # The batch takes its locks in ascending order: the last one held means the
            # whole batch is inside its transaction.
            wait_for(lambda: evaluation_holds_its_lock(municipalities[-1]), 60, "the batch")
        finally:
            stop(first, signal.SIGKILL)

        # The worker died inside the transaction: nothing of the batch was committed, and
        # the broker still holds its message, unacknowledged.
        assert runs(ids) == []
        assert findings(ids) == []
        with broker.client() as client:
            assert client.hlen("unacked") == 1

        second = start_worker(env, queue="portal-test")
        try:
            wait_for(lambda: runs(ids), 120, "the new worker to evaluate the batch again")
            wait_for(broker.drained, 60, "the queue to drain")
        finally:
            stop(second)
    finally:
        broker.stop()

    assert runs(ids) == [(pk, EvaluationRun.Outcome.SUCCEEDED) for pk in ids]
    assert findings(ids) == reference
