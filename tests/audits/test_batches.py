"""The nightly run's batches: cut by PORTAL_EVALUATION_BATCH_SIZE, one Celery task each,
one transaction each; their municipalities' locks taken in ascending id order."""

import threading
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.audits.evaluation import _locks_take, municipalities_evaluate
from apps.audits.models import EvaluationRun, Finding
from apps.audits.tasks import evaluate_all
from apps.core.locks import EVALUATION
from apps.municipalities.scoping import statewide_scope
from tests.municipalities.factories import MunicipalityFactory

from .factories import SearchEventFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def runs_by_batch(ids) -> list[list[int]]:
    """The municipalities evaluated together: a batch's runs share their start time."""
    with statewide_scope():
        batches: dict[object, list[int]] = {}
        for run in EvaluationRun.objects.filter(municipality_id__in=ids).order_by("id"):
            batches.setdefault(run.started_at, []).append(run.municipality_id)
    return sorted(batches.values())


def test_the_nightly_run_evaluates_the_state_in_batches_of_the_setting(celery_worker, settings):
    settings.PORTAL_EVALUATION_BATCH_SIZE = 2
    municipalities = [MunicipalityFactory() for _ in range(5)]
    ids = sorted(m.pk for m in municipalities)
    for municipality in municipalities:
        SearchEventFactory(municipality=municipality, reason_label="vague")

    evaluate_all.delay(trigger="nightly")  # as the beat sends it

    wait_for(lambda: sum(map(len, runs_by_batch(ids))) == 5, 60, "every batch")
    assert runs_by_batch(ids) == [ids[0:2], ids[2:4], ids[4:5]]
    with statewide_scope():
        assert (
            sorted(
                Finding.objects.filter(rule_code="VAGUE_REASON").values_list(
                    "municipality_id", flat=True
                )
            )
            == ids
        )
        assert set(EvaluationRun.objects.values_list("trigger", "outcome")) == {
            ("nightly", "succeeded")
        }


def advisory_locks(ids) -> set[tuple[int, bool]]:
    """The evaluation locks of these municipalities that someone holds (True) or waits
    for (False)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid::integer, granted FROM pg_locks WHERE locktype = 'advisory'"
            " AND classid = %s::integer::oid AND objsubid = 2 AND objid::integer = ANY(%s)",
            [EVALUATION.key, list(ids)],
        )
        return set(cursor.fetchall())


def test_a_batch_takes_its_locks_in_ascending_order_and_waits_for_a_run_holding_one(
    test_database_env,
):
    first, middle, last = sorted(MunicipalityFactory().pk for _ in range(3))
    done = []

    def batch():
        try:
            done.append(municipalities_evaluate([last, first, middle], trigger="nightly"))
        finally:
            connection.close()

    # Another run (an upload's) holds the middle municipality's lock.
    with psycopg.connect(test_database_env["DATABASE_URL"], autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [EVALUATION.key, middle])
        worker = threading.Thread(target=batch)
        worker.start()
        try:
            # The batch holds the lowest, waits for the middle one, has not asked for the
            # highest: so two runs always meet at their lowest common municipality.
            wait_for(lambda: (middle, False) in advisory_locks([middle]), 30, "the batch to wait")
            held = advisory_locks([first, middle, last])
            assert (first, True) in held
            assert not any(pk == last for pk, _ in held)
            assert not done
        finally:
            other.execute("SELECT pg_advisory_unlock(%s, %s)", [EVALUATION.key, middle])
        worker.join(timeout=60)
    assert done and sorted(done[0]) == [first, middle, last]


def test_a_batch_locks_its_municipalities_and_sets_its_commit_in_one_statement():
    """The run is latency-critical: its locks and its commit mode cost one round trip."""
    ids = sorted(MunicipalityFactory().pk for _ in range(3))
    with CaptureQueriesContext(connection) as queries:
        municipalities_evaluate(ids, trigger="manual")
    statements = [query["sql"] for query in queries]
    locking = [sql for sql in statements if f"pg_advisory_xact_lock({EVALUATION.key}" in sql]
    assert len(locking) == 1
    assert "set_config('synchronous_commit'" in locking[0]
    assert [sql for sql in statements if "synchronous_commit" in sql] == locking

    with transaction.atomic():
        _locks_take(ids, outermost=True)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("off",)
