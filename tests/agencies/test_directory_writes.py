"""Directory writes that meet a load, and merges within one agency's family."""

import psycopg
import pytest
from django.db import OperationalError, connection, transaction

from apps.agencies.models import Agency
from apps.agencies.services import agency_merge, agency_rename, agency_update
from apps.compliance.models import BlocklistEntry
from apps.core import locks
from apps.core.history import row_reread
from apps.core.models import ChangeRecord
from tests.core.test_locks import advisory_locks_held, first_keys
from tests.db import other_connection


def _other_connection() -> psycopg.Connection:
    return other_connection()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edit_in_progress_leaves_a_load_free_to_reference_the_agency():
    """A load holds FOR KEY SHARE on every agency its rows reference while it waits for
    the searches lock an editor may want: the editor's row lock must not conflict with
    it, or the two deadlock."""
    agency = Agency.objects.create(name="Lakeview PD", state="IL", level="local")
    with transaction.atomic():
        row_reread(agency)
        with _other_connection() as load:
            load.execute("SET lock_timeout = '1s'")
            referenced = load.execute(
                "SELECT id FROM agencies_agency WHERE id = %s FOR KEY SHARE", [agency.pk]
            ).fetchone()
            load.rollback()
    assert referenced == (agency.pk,)


@pytest.mark.django_db
def test_merging_an_agency_into_its_own_office_leaves_the_office_in_its_place(administrator):
    department = Agency.objects.create(name="Department Q", state="IL", level="state")
    parent = Agency.objects.create(name="Agency Q", state="IL", level="federal", parent=department)
    office = Agency.objects.create(name="Agency Q Field Office", state="IL", level="federal",
                                   parent=parent)  # fmt: skip
    sibling = Agency.objects.create(name="Agency Q Other Office", state="IL", level="federal",
                                    parent=parent)  # fmt: skip

    parent_id = parent.pk
    agency_merge(source=parent, target=office, actor=administrator)

    office.refresh_from_db()
    sibling.refresh_from_db()
    assert office.parent_id == department.pk
    assert sibling.parent_id == office.pk
    moved = ChangeRecord.objects.get(
        subject_type="agencies.agency", subject_id=sibling.pk, action="changed"
    )
    assert moved.changes["parent"] == [f"Agency Q (#{parent_id})",
                                       f"Agency Q Field Office (#{office.pk})"]  # fmt: skip


def _searches_held_shared_elsewhere(load: psycopg.Connection) -> None:
    """As a running load holds it; and this connection waits a second at most."""
    load.execute("SELECT pg_advisory_xact_lock_shared(%s)", [locks.SEARCHES.key])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '1s'")


@pytest.mark.django_db
def test_a_rename_within_the_state_goes_ahead_while_a_load_runs(administrator):
    agency = Agency.objects.create(name="Lakeview IL PD", state="IL", level="local")
    with _other_connection() as load:
        _searches_held_shared_elsewhere(load)
        # As the edit form sends it: every field, the state unchanged.
        agency_update(
            agency=agency,
            changes={"name": "Lakeview IL Police", "ori": "", "level": "local", "state": "il",
                     "parent": None},
            actor=administrator, reason="Proper name.",
        )  # fmt: skip
        agency_rename(agency=agency, name="Lakeview Police", actor=administrator)
        load.rollback()
    agency.refresh_from_db()
    assert (agency.name, agency.state) == ("Lakeview Police", "IL")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [{"name": "Lakeview MO PD"}, {"state": "MO"}, {"name": "Lakeview IL PD", "state": "MO"}],
)
def test_a_change_of_state_waits_for_the_loads_running(administrator, changes):
    agency = Agency.objects.create(name="Lakeview PD", state="IL", level="local")
    with _other_connection() as load:
        _searches_held_shared_elsewhere(load)
        with pytest.raises(OperationalError, match="lock timeout"):
            agency_update(agency=agency, changes=changes, actor=administrator, reason="")
        load.rollback()


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["rename", "update"])
def test_a_change_of_state_is_told_by_the_stored_row_not_a_stale_copy(administrator, change):
    """The copy says the agency is in the state already; the stored row says otherwise:
    the change moves it, so the searches lock goes first (the order check raises if
    not)."""
    agency = Agency.objects.create(name="Lakeview PD", state="MO", level="local")
    Agency.objects.filter(pk=agency.pk).update(state="IL")
    if change == "rename":
        agency_rename(agency=agency, name="Lakeview MO PD", actor=administrator)
    else:
        agency_update(agency=agency, changes={"state": "MO"}, actor=administrator, reason="")
    agency.refresh_from_db()
    assert agency.state == "MO"
    # The searches lock was taken (the test's transaction still holds it).
    assert locks.SEARCHES.key in first_keys(advisory_locks_held())


def _merge_first_wait(source: Agency, target: Agency, administrator) -> str:
    """Merge with a lock timeout of a second; PostgreSQL's context of the wait that timed
    out ("while locking tuple …" for a row lock taken up front)."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")
    try:
        with pytest.raises(OperationalError, match="lock timeout") as raised:
            agency_merge(source=source, target=target, actor=administrator)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    return raised.value.__cause__.diag.context or ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_merge_locks_every_row_it_changes_before_it_writes_any_history(administrator):
    """An edit of an agency under the old one holds its row and, as it commits, the
    activity log's lock: the merge must wait for the row, never hold the log's lock
    while it does (the two would deadlock)."""
    source = Agency.objects.create(name="Agency R", state="IL", level="federal")
    target = Agency.objects.create(name="Agency R Renamed", state="IL", level="federal")
    office = Agency.objects.create(name="Agency R Office", state="IL", level="federal",
                                   parent=source)  # fmt: skip
    entry = BlocklistEntry.objects.create(agency=source, reason="Immigration", citation="2-130")
    with _other_connection() as edit:
        edit.execute("SELECT 1 FROM agencies_agency WHERE id = %s FOR NO KEY UPDATE", [office.pk])
        edit.execute("SELECT pg_advisory_xact_lock(%s)", [locks.ACTIVITY.key])
        context = _merge_first_wait(source, target, administrator)
        edit.rollback()
    assert "while locking tuple" in context
    assert 'relation "agencies_agency"' in context

    agency_merge(source=source, target=target, actor=administrator)
    office.refresh_from_db()
    entry.refresh_from_db()
    assert (office.parent_id, entry.agency_id) == (target.pk, target.pk)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_merge_locks_the_agency_it_deletes_for_update_up_front(administrator):
    """A row being written that references the old agency holds FOR KEY SHARE on it: the
    merge waits for it before it changes anything, not at the delete."""
    source = Agency.objects.create(name="Agency S", state="IL", level="local", ori="IL0990000")
    target = Agency.objects.create(name="Agency S PD", state="IL", level="local")
    with _other_connection() as writer:
        writer.execute("SELECT 1 FROM agencies_agency WHERE id = %s FOR KEY SHARE", [source.pk])
        context = _merge_first_wait(source, target, administrator)
        writer.rollback()
    assert "while locking tuple" in context

    agency_merge(source=source, target=target, actor=administrator)
    target.refresh_from_db()
    assert target.ori == "IL0990000"
    assert not Agency.objects.filter(pk=source.pk).exists()


@pytest.mark.django_db
def test_a_merge_waits_for_an_import_of_the_287g_list(administrator):
    """An import holds its agreements' rows, then needs the agencies' and the activity
    log: a merge locking the agencies first would deadlock with it."""
    source = Agency.objects.create(name="Agency R", state="TX", level="county")
    target = Agency.objects.create(name="Agency R Sheriff", state="TX", level="county")
    with _other_connection() as importing:
        importing.execute("SELECT pg_advisory_xact_lock(%s)", [locks.REGISTRY.key])
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
        with pytest.raises(OperationalError, match="lock timeout"):
            agency_merge(source=source, target=target, actor=administrator)
        importing.rollback()
