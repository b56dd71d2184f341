"""Findings and status rows are locked in one order by everyone who writes them: the
findings first (by municipality, then id), the status rows after (apps/core/locks.py).

A second connection holds a finding and a status row, as a transaction in that order
may; the code under test waits a second at most, and PostgreSQL's error says which row
it waited for first. Waiting for the status row first, while it could hold findings
the other one wants next, is how a deadlock starts."""

import psycopg
import pytest
from django.db import OperationalError, connection

from apps.audits.evaluation import municipalities_changed, municipalities_evaluate
from apps.audits.models import Finding, MunicipalityStatus
from apps.audits.services import findings_assign, findings_bulk_transition
from apps.municipalities.scoping import statewide_scope
from tests.db import other_connection

from .factories import SearchEventFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FINDINGS = Finding._meta.db_table
STATUSES = MunicipalityStatus._meta.db_table


def _other_connection() -> psycopg.Connection:
    return other_connection()


def _hold(other: psycopg.Connection, *, finding: int, status_of: int) -> None:
    other.execute(f"SELECT 1 FROM {FINDINGS} WHERE id = %s FOR UPDATE", [finding])  # noqa: S608
    other.execute(
        f"SELECT 1 FROM {STATUSES} WHERE municipality_id = %s FOR UPDATE",  # noqa: S608
        [status_of],
    )


def _first_wait(run) -> str:
    """Run with a lock timeout; the table of the row it timed out waiting for."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")
    try:
        with pytest.raises(OperationalError, match="lock timeout") as raised:
            run()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    context = raised.value.__cause__.diag.context or ""
    return next(table for table in (FINDINGS, STATUSES) if f'relation "{table}"' in context)


@pytest.fixture
def evaluated(municipality_a, municipality_b):
    """Both municipalities evaluated once, each with a finding."""
    for municipality in (municipality_a, municipality_b):
        SearchEventFactory(municipality=municipality, reason_label="vague")
    municipalities_evaluate([municipality_a.pk, municipality_b.pk], trigger="manual")
    with statewide_scope():
        return {f.municipality_id: f for f in Finding.objects.filter(rule_code="VAGUE_REASON")}


def test_a_bulk_step_locks_its_findings_before_the_status_rows(
    evaluated, municipality_a, municipality_b, administrator
):
    findings = [evaluated[municipality_b.pk], evaluated[municipality_a.pk]]
    with _other_connection() as other:
        _hold(other, finding=evaluated[municipality_b.pk].pk, status_of=municipality_a.pk)
        with statewide_scope():
            waited = _first_wait(
                lambda: findings_bulk_transition(
                    findings=findings, action="dismiss", actor=administrator, note="Test account"
                )
            )
        other.rollback()
    assert waited == FINDINGS

    with statewide_scope():
        done = findings_bulk_transition(
            findings=findings, action="dismiss", actor=administrator, note="Test account"
        )
        assert done == 2
        assert set(Finding.objects.values_list("status", flat=True)) == {"dismissed"}


def test_a_run_that_skips_a_municipality_locks_the_others_findings_before_its_status_row(
    evaluated, municipality_a, municipality_b
):
    # Another search of b's, by the same agency (a new agency would change every input).
    SearchEventFactory(
        municipality=municipality_b,
        reason_label="vague",
        agency=evaluated[municipality_b.pk].agency,
    )
    batch = [municipality_a.pk, municipality_b.pk]
    assert municipalities_changed(batch, trigger="manual") == [municipality_b.pk]
    with _other_connection() as other:
        _hold(other, finding=evaluated[municipality_b.pk].pk, status_of=municipality_a.pk)
        waited = _first_wait(lambda: municipalities_evaluate(batch, trigger="manual", force=False))
        other.rollback()
    assert waited == FINDINGS

    # The run that timed out recorded a failure for both: evaluated again, in full.
    runs = municipalities_evaluate(batch, trigger="manual", force=False)
    assert {run.outcome for run in runs.values()} == {"succeeded"}


def test_assigning_findings_locks_them_all_before_the_first_entry_in_the_log(
    evaluated, municipality_a, municipality_b, administrator
):
    """A run holds its findings and then appends to the activity log: an assignment that
    appended for one finding before locking the next waited for it holding the log."""
    findings = [evaluated[municipality_a.pk], evaluated[municipality_b.pk]]
    with _other_connection() as other:
        other.execute(
            f"SELECT 1 FROM {FINDINGS} WHERE id = %s FOR UPDATE",  # noqa: S608
            [evaluated[municipality_b.pk].pk],
        )
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        try:
            with statewide_scope(), pytest.raises(OperationalError, match="lock timeout") as raised:
                findings_assign(findings=findings, assignee=administrator, actor=administrator)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        other.rollback()
    # It waited in the statement that locks them all (not in the update of the second).
    assert "while locking tuple" in raised.value.__cause__.diag.context

    with statewide_scope():
        assert findings_assign(findings=findings, assignee=administrator, actor=administrator) == 2
        assert set(Finding.objects.values_list("assigned_to", flat=True)) == {administrator.pk}
