"""The portal's locks: one module, one order, checked as the code runs (apps/core/locks.py)."""

import logging
import re
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.agencies.services import agency_rename, agency_update
from apps.audits.evaluation import municipality_evaluate
from apps.core import locks
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope
from apps.vendors.loading import export_load
from apps.vendors.models import Vendor, VendorExport
from apps.vendors.services import export_receive
from tests.audits.factories import AgencyFactory

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "tests" / "ingest" / "samples" / "flock_network_audit_13col.csv"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def advisory_locks_held() -> set[tuple[int, int, str]]:
    """(first key, second key, mode) of the advisory locks this connection holds; a lock
    on one bigint key has no second key (its low half is reported as the first)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE objsubid WHEN 2 THEN classid::bigint ELSE objid::bigint END,"
            " CASE objsubid WHEN 2 THEN objid::bigint ELSE 0 END, mode"
            " FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return set(cursor.fetchall())


def first_keys(held) -> set[int]:
    return {key for key, _, _ in held}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_its_load_and_its_evaluation_take_their_locks_in_the_order(municipality_a):
    """The real path of an upload, step by step as the portal commits them, each in a
    transaction of its own: none breaks the order (the check raises in tests), and each
    holds the locks the order names, the activity log's last."""
    flock, _ = Vendor.objects.get_or_create(slug="flock", defaults={"name": "Flock Safety"})

    with transaction.atomic(), municipality_scope(municipality_a):
        received = export_receive(
            municipality=municipality_a,
            vendor=flock,
            kind="",
            original_name=AUDIT.name,
            chunks=[AUDIT.read_bytes()],
            uploaded_by=None,
            queue=False,
        )
        upload_took = advisory_locks_held()
        # The activity log ranks last: nothing may be taken after it.
        with pytest.raises(locks.LockOrderError, match=r"ORIGINAL .* after ACTIVITY"):
            locks.ORIGINAL.take("0" * 64)
    assert first_keys(upload_took) == {locks.ORIGINAL.key, locks.ACTIVITY.key}

    with transaction.atomic(), municipality_scope(municipality_a):
        export = export_load(export_id=received.export.pk)
        load_took = advisory_locks_held()
        with pytest.raises(locks.LockOrderError, match=r"SEARCHES .* after ACTIVITY"):
            locks.SEARCHES.take()
    assert export.status == VendorExport.Status.LOADED
    assert (locks.INGEST.key, municipality_a.pk, "ExclusiveLock") in load_took
    assert (locks.SEARCHES.key, 0, "ShareLock") in load_took
    # The file's agencies are new to the directory: the load created them under their locks.
    assert locks.AGENCY.key in first_keys(load_took)
    assert locks.ACTIVITY.key in first_keys(load_took)

    with transaction.atomic():
        run = municipality_evaluate(municipality=municipality_a, trigger="upload")
        evaluation_took = advisory_locks_held()
        with pytest.raises(locks.LockOrderError, match=r"EVALUATION .* after ACTIVITY"):
            locks.EVALUATION.take_many([municipality_a.pk + 1])
    assert run.counts.get("opened"), "the run found something, and logged it"
    assert first_keys(evaluation_took) == {locks.EVALUATION.key, locks.ACTIVITY.key}


def test_the_order_in_the_module_is_the_order_of_ranks_with_one_key_each():
    assert list(locks.ORDER) == sorted(locks.ORDER, key=lambda lock: lock.rank)
    keys = [lock.key for lock in locks.ORDER if lock.key is not None]
    assert len(keys) == len(set(keys))
    row_locks = [lock for lock in locks.ORDER if lock.key is None]
    assert row_locks == [locks.FINDING_ROWS, locks.STATUS_ROWS]
    assert all(lock.guards for lock in locks.ORDER)


def test_locks_taken_in_ascending_rank_pass_and_out_of_order_raise(db):
    with transaction.atomic():
        locks.INGEST.take(1)
        locks.SEARCHES.take(shared=True)
        locks.AGENCY.take_many([3, 9])
        locks.ACTIVITY.take()
        with pytest.raises(locks.LockOrderError) as raised:
            locks.PARTITIONS.take()
    assert "PARTITIONS (rank 40) is taken after ACTIVITY (rank 80)" in str(raised.value)


def test_a_lock_the_transaction_holds_already_may_be_taken_again_after_a_later_one(db):
    with transaction.atomic():
        locks.SEARCHES.take()
        locks.ACTIVITY.take()
        # Held exclusive already: taking it again (either mode) never waits.
        locks.SEARCHES.take()
        locks.SEARCHES.take(shared=True)


def test_a_shared_lock_made_exclusive_after_a_later_one_raises(db):
    with transaction.atomic():
        locks.SEARCHES.take(shared=True)
        locks.ACTIVITY.take()
        with pytest.raises(locks.LockOrderError, match="SEARCHES"):
            locks.SEARCHES.take()


def test_ids_of_a_per_id_lock_in_descending_order_raise(db):
    with transaction.atomic():
        locks.EVALUATION.take_many([4, 7])
        locks.EVALUATION.take_many([7, 8])  # ascending on from the highest: fine
        locks.EVALUATION.take_many([4])  # held already: fine
        with pytest.raises(locks.LockOrderError, match="EVALUATION 5 is taken after EVALUATION 8"):
            locks.EVALUATION.take_many([5, 9])


def test_the_row_locks_of_the_status_rows_are_checked_in_the_order_too(db):
    with transaction.atomic():
        locks.STATUS_ROWS.claim([2, 5])
        with pytest.raises(locks.LockOrderError, match="STATUS_ROWS 3 is taken after"):
            locks.STATUS_ROWS.claim([3])
        locks.ACTIVITY.take()
        with pytest.raises(locks.LockOrderError, match=r"STATUS_ROWS .* after ACTIVITY"):
            locks.STATUS_ROWS.claim([9])


def test_a_try_lock_never_waits_so_any_order_of_it_passes_but_it_counts_after(db):
    with transaction.atomic():
        assert locks.INGEST.try_take(9)
        assert locks.INGEST.try_take(2)
        locks.ACTIVITY.take()
        assert locks.INGEST.try_take(1)
    with transaction.atomic():
        assert locks.INGEST.try_take(5)
        with pytest.raises(locks.LockOrderError, match="INGEST 3 is taken after INGEST 5"):
            locks.INGEST.take(3)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_record_starts_afresh_after_a_commit_and_after_a_rollback():
    block = transaction.atomic()  # one block object, as a decorated function reuses it
    with block:
        locks.EVALUATION.take_many([7])
        locks.ACTIVITY.take()
    with block:  # committed: a new transaction
        locks.EVALUATION.take_many([3])
        with pytest.raises(locks.LockOrderError):
            locks.INGEST.take(1)
    with pytest.raises(ZeroDivisionError), block:
        locks.ACTIVITY.take()
        1 / 0  # noqa: B018
    with block:  # rolled back: a new transaction
        locks.INGEST.take(1)
    assert advisory_locks_held() == set(), "every lock ended with its transaction"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_locks_taken_before_a_savepoint_rolled_back_still_count_and_those_inside_do_not():
    """PostgreSQL keeps the locks taken before a savepoint at its rollback and releases
    those taken after it: the record follows it, never more, never less."""
    with transaction.atomic():
        locks.SEARCHES.take()
        with pytest.raises(IntegrityError), transaction.atomic():
            Municipality.objects.create(name="Twice", slug="twice")
            Municipality.objects.create(name="Twice", slug="twice")
        locks.ACTIVITY.take()
        # Still held from before the savepoint: taking it again never waits.
        locks.SEARCHES.take()

    with transaction.atomic():
        locks.SEARCHES.take()
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            locks.ACTIVITY.take()
            1 / 0  # noqa: B018
        assert locks.ACTIVITY.key not in first_keys(advisory_locks_held())
        # The activity lock went with its savepoint: a lock before it in the order is fine.
        locks.PARTITIONS.take()
        locks.ACTIVITY.take()
        with pytest.raises(locks.LockOrderError, match=r"AGENCY .* after ACTIVITY"):
            locks.AGENCY.take(3)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_autocommit_a_lock_ends_with_its_statement_and_nothing_is_recorded():
    locks.ACTIVITY.take()
    locks.INGEST.take(1)
    assert advisory_locks_held() == set()


def test_each_outermost_block_inside_a_test_counts_as_its_own_transaction(db):
    with transaction.atomic():
        locks.ACTIVITY.take()
    with transaction.atomic():
        locks.INGEST.take(1)


def test_without_the_setting_a_wrong_order_is_logged_not_raised(db, settings, caplog):
    settings.PORTAL_CHECK_LOCK_ORDER = False
    settings.DEBUG = False
    with caplog.at_level(logging.ERROR, logger="apps.core.locks"), transaction.atomic():
        locks.ACTIVITY.take()
        locks.INGEST.take(1)
    assert "INGEST (rank 20) is taken after ACTIVITY (rank 80)" in caplog.text
    assert (locks.INGEST.key, 1, "ExclusiveLock") in advisory_locks_held()

    settings.DEBUG = True
    with pytest.raises(locks.LockOrderError), transaction.atomic():
        locks.ACTIVITY.take()
        locks.INGEST.take(1)


def test_many_ids_and_what_is_set_alongside_take_one_statement(db):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locks.EVALUATION.take_many(
            [30, 10, 20],
            alongside="set_config('synchronous_commit', %s, true)",
            alongside_params=["off"],
        )
    assert len(queries) == 1
    assert "unnest" in queries[0]["sql"]
    # Still inside the test's transaction: the setting and the locks hold until it ends.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)
    assert {(locks.EVALUATION.key, pk, "ExclusiveLock") for pk in (10, 20, 30)} <= (
        advisory_locks_held()
    )


def test_the_stored_original_lock_hashes_its_text_id_in_postgresql(db):
    with transaction.atomic():
        locks.ORIGINAL.take("ab" * 32)
        with connection.cursor() as cursor:
            cursor.execute("SELECT hashtext(%s)::bigint & 4294967295", ["ab" * 32])
            (hashed,) = cursor.fetchone()
    assert (locks.ORIGINAL.key, hashed, "ExclusiveLock") in advisory_locks_held()


def test_no_advisory_lock_is_taken_outside_the_locks_module():
    takers = []
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if path == ROOT / "apps" / "core" / "locks.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"pg_(try_)?advisory", line):
                takers.append(f"{path.relative_to(ROOT)}:{number}")
    assert takers == [], "take advisory locks through apps/core/locks.py"


def test_outside_a_block_of_its_own_the_code_under_test_is_not_checked(db):
    """In production it would run in autocommit, each lock ending with its statement."""
    locks.ACTIVITY.take()
    locks.INGEST.take(1)


@pytest.mark.parametrize("change", ["rename", "update"])
def test_an_agency_moved_to_another_state_takes_the_searches_lock_before_its_history(
    db, administrator, change
):
    """The new state rewrites the agency's searches (searches lock) and its change is
    recorded (activity log): in that order, or a load waiting at its commit deadlocks."""
    agency = AgencyFactory(name="Springfield IL PD")
    if change == "rename":
        agency_rename(agency=agency, name="Springfield MO PD", actor=administrator)
    else:
        agency_update(agency=agency, changes={"state": "MO"}, actor=administrator, reason="")
    agency.refresh_from_db()
    assert agency.state == "MO"
    # Taken (and held until the test's transaction ends), and by the order check first.
    assert locks.SEARCHES.key in first_keys(advisory_locks_held())
