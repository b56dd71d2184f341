"""The searches table's monthly partitions (apps/sharing/partitions.py, migration 0008):
loads through the real upload path land in their months' partitions and deduplicate
across them, rules and lists read across them, the ensure job makes months ahead once,
DEFAULT catches rows without a month and gives them up when it is made, and the retention
command drops whole months without touching findings.

Where a row lives is read from PostgreSQL itself (`tableoid`, `pg_inherits`)."""

import csv
import re
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Finding
from apps.compliance.models import LearnedReading
from apps.core import locks
from apps.core.models import ActivityEntry
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import SearchDay, SearchEvent
from apps.sharing.partitions import (
    DEFAULT,
    PARENT,
    searches_months_ensure,
    searches_partitions,
    searches_partitions_ensure,
    searches_retention,
)
from apps.sharing.ungranted import ungranted_rebuild
from tests.audits.factories import SearchEventFactory
from tests.db import other_connection
from tests.ingest.test_loading import TRANSACTIONAL, upload
from tests.sharing.test_ungranted import rollup as ungranted_rollup

pytestmark = pytest.mark.django_db

ICE = "U.S. Immigration and Customs Enforcement"
HEADER = [
    "ID", "Name", "Org Name", "Total Networks Searched", "Time Frame", "License Plate",
    "Reason", "Case #", "Filters", "Search Time", "Search Type", "Text Prompt", "Moderation",
]  # fmt: skip
APRIL, MAY, JUNE = date(2023, 4, 1), date(2023, 5, 1), date(2023, 6, 1)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def flock_time(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y, %I:%M:%S %p UTC")


def search(number: int, when: datetime, agency: str = ICE, reason: str = "ICE detainer"):
    return (f"2023-search-{number:04d}", when, agency, reason)


def flock_audit(path, searches) -> None:
    """A Flock network audit CSV (13 columns, as tests/ingest/samples' first file)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for search_id, when, agency, reason in searches:
            frame = f"{flock_time(when.replace(day=1))}\n{flock_time(when)}"
            writer.writerow(
                [search_id, "Agent J. Doe", agency, "1200", frame, "", reason,
                 f"CASE-{search_id[-4:]}", "", flock_time(when), "search", "", ""]
            )  # fmt: skip


# Three searches in each of April, May and June 2023 (the first file), and a second file
# that repeats two of April's, one of May's and all of June's, and adds two in June.
FIRST = [
    search(1, at(2023, 4, 3, 10)), search(2, at(2023, 4, 17, 15)),
    search(3, at(2023, 4, 30, 23, 59, 59), agency="Ward County TX SO", reason="stolen vehicle"),
    search(4, at(2023, 5, 1)), search(5, at(2023, 5, 12, 8)), search(6, at(2023, 5, 31, 22)),
    search(7, at(2023, 6, 2, 9)), search(8, at(2023, 6, 15, 14)), search(9, at(2023, 6, 29, 6)),
]  # fmt: skip
SECOND = [FIRST[0], FIRST[1], FIRST[4], *FIRST[6:], search(10, at(2023, 6, 30, 7)),
          search(11, at(2023, 6, 30, 23, 59, 59))]  # fmt: skip


def rows_by_partition(municipality) -> dict[str, set[str]]:
    """The vendor search ids of the municipality's searches, by the table holding them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text, vendor_search_id FROM {PARENT}"  # noqa: S608
            " WHERE municipality_id = %s",
            [municipality.pk],
        )
        found: dict[str, set[str]] = {}
        for table, search_id in cursor.fetchall():
            found.setdefault(table, set()).add(search_id)
    return found


def partitions_of_parent() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
            [PARENT],
        )
        return {name for (name,) in cursor.fetchall()}


def ids(searches) -> set[str]:
    return {s[0] for s in searches}


def load_both(municipality, tmp_path):
    flock_audit(tmp_path / "april-june.csv", FIRST)
    flock_audit(tmp_path / "april-june-again.csv", SECOND)
    return (
        upload(municipality, tmp_path / "april-june.csv"),
        upload(municipality, tmp_path / "april-june-again.csv"),
    )


@TRANSACTIONAL
def test_a_load_over_three_months_fills_three_partitions_and_dedupes_across_them(
    municipality_a, clerk_a, client, tmp_path
):
    first, second = load_both(municipality_a, tmp_path)

    assert (first.rows_loaded, first.rows_duplicate) == (9, 0)
    # The repeats fall in all three months: each is found in its own month's partition.
    assert (second.rows_loaded, second.rows_duplicate) == (2, 6)
    assert {f"{PARENT}_y2023m04", f"{PARENT}_y2023m05", f"{PARENT}_y2023m06"} <= (
        partitions_of_parent()
    )
    assert rows_by_partition(municipality_a) == {
        f"{PARENT}_y2023m04": ids(FIRST[0:3]),
        f"{PARENT}_y2023m05": ids(FIRST[3:6]),
        f"{PARENT}_y2023m06": ids(FIRST[6:9]) | ids(SECOND[-2:]),
    }
    with municipality_scope(municipality_a):
        assert SearchEvent.objects.count() == 11
        # The rollup counts every month's searches.
        assert sum(SearchDay.objects.values_list("searches", flat=True)) == 11

        # The rules read all three partitions: one finding cites ICE's lines of each month.
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        finding = Finding.objects.get(rule_code="IMMIGRATION_SEARCH", agency__name=ICE)
        assert finding.period_start == at(2023, 4, 3, 10)
        assert finding.period_end == at(2023, 6, 30, 23, 59, 59)
        # (A record takes two lines: its time frame holds a line break.)
        cited = {(f["export"], tuple(f["lines"])) for f in finding.evidence["files"]}
        assert cited == {(first.pk, (2, 4, 8, 10, 12, 14, 16, 18)), (second.pk, (14, 16))}
        every_id = set(SearchEvent.objects.values_list("id", flat=True))

    client.force_login(clerk_a)
    response = client.get(f"/m/{municipality_a.slug}/searches/")
    assert response.status_code == 200
    listed = {int(n) for n in re.findall(r'<tr data-row="(\d+)"', response.content.decode())}
    assert listed == every_id


@TRANSACTIONAL
def test_retention_drops_the_oldest_month_and_leaves_findings_evidence_as_it_was(
    municipality_a, tmp_path
):
    load_both(municipality_a, tmp_path)
    with municipality_scope(municipality_a):
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        findings_before = list(
            Finding.objects.order_by("pk").values("pk", "summary", "evidence", "status")
        )
    assert any(
        2 in f["lines"] for finding in findings_before for f in finding["evidence"]["files"]
    ), "a finding cites an April search"
    # Keep 2023-05 onwards: April ended before the cutoff, May not.
    now = timezone.now().astimezone(UTC)
    months = (now.year * 12 + now.month) - (MAY.year * 12 + MAY.month)

    # The learned signal's cached readings of the dropped months go with them.
    old_reading, new_reading = (
        LearnedReading.objects.create(model_version="v", digest=text.encode(), label="none",
                                      score=0.1)
        for text in ("april", "today")
    )  # fmt: skip
    LearnedReading.objects.filter(pk=old_reading.pk).update(
        read_at=datetime(2023, 4, 20, tzinfo=UTC)
    )

    call_command("searches_retention", older_than_months=months, dry_run=True)
    assert f"{PARENT}_y2023m04" in partitions_of_parent()

    call_command("searches_retention", older_than_months=months)
    kept_readings = set(LearnedReading.objects.values_list("pk", flat=True))
    assert new_reading.pk in kept_readings and old_reading.pk not in kept_readings

    remaining = partitions_of_parent()
    assert f"{PARENT}_y2023m04" not in remaining
    assert {f"{PARENT}_y2023m05", f"{PARENT}_y2023m06", DEFAULT} <= remaining
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{PARENT}_y2023m04"])
        assert cursor.fetchone() == (None,)  # dropped, not only detached
    assert rows_by_partition(municipality_a) == {
        f"{PARENT}_y2023m05": ids(FIRST[3:6]),
        f"{PARENT}_y2023m06": ids(FIRST[6:9]) | ids(SECOND[-2:]),
    }
    with municipality_scope(municipality_a):
        findings_after = list(
            Finding.objects.order_by("pk").values("pk", "summary", "evidence", "status")
        )
        # The rollup no longer counts April's days.
        assert not SearchDay.objects.filter(day__lt=date(2023, 4, 30)).exists()
        assert sum(SearchDay.objects.values_list("searches", flat=True)) == 8
    # So does the rollup of searches without a grant: April 30 (local) keeps the one
    # search of it left, May 1 at midnight UTC.
    kept = ungranted_rollup()
    assert [(row[2], row[4]) for row in kept if row[2] < date(2023, 5, 1)] == [
        (date(2023, 4, 30), 1)
    ]
    ungranted_rebuild()
    assert ungranted_rollup() == kept
    assert findings_after == findings_before
    # The next evaluation counts what is left and keeps what the findings recorded of
    # the dropped month: nothing closes, no count or cited line shrinks.
    with municipality_scope(municipality_a):
        run = municipality_evaluate(municipality=municipality_a, trigger="manual")
        findings_evaluated = list(
            Finding.objects.order_by("pk").values("pk", "summary", "evidence", "status")
        )
    assert run.counts["closed"] == 0
    assert findings_evaluated == findings_before
    with statewide_scope():
        entry = ActivityEntry.objects.get(action="searches.retention_dropped")
    assert entry.detail["partitions"] == [f"{PARENT}_y2023m04"]
    assert entry.detail["searches"] == 3


def test_ensure_makes_this_month_and_the_next_ones_once():
    now = at(2040, 11, 20, 12)

    created = searches_partitions_ensure(months_ahead=2, now=now)

    assert created == [f"{PARENT}_y2040m11", f"{PARENT}_y2040m12", f"{PARENT}_y2041m01"]
    partitions = searches_partitions()
    assert partitions[date(2041, 1, 1)] == f"{PARENT}_y2041m01"
    assert searches_partitions_ensure(months_ahead=2, now=now) == []
    assert searches_partitions() == partitions
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = %s",
            [f"{PARENT}_y2040m12"],
        )
        bound = cursor.fetchone()[0]
    assert bound == ("FOR VALUES FROM ('2040-12-01 00:00:00+00') TO ('2041-01-01 00:00:00+00')")


def test_a_search_without_its_month_lands_in_default_and_moves_when_the_month_is_made(
    municipality_a,
):
    with municipality_scope(municipality_a):
        early = SearchEventFactory(municipality=municipality_a, searched_at=at(2042, 3, 1))
        late = SearchEventFactory(
            municipality=municipality_a, searched_at=at(2042, 3, 31, 23, 59, 59)
        )
        other = SearchEventFactory(municipality=municipality_a, searched_at=at(2042, 4, 1))
    assert rows_by_partition(municipality_a) == {
        DEFAULT: {early.vendor_search_id, late.vendor_search_id, other.vendor_search_id}
    }

    assert searches_months_ensure(months=[date(2042, 3, 1)]) == [f"{PARENT}_y2042m03"]

    assert rows_by_partition(municipality_a) == {
        f"{PARENT}_y2042m03": {early.vendor_search_id, late.vendor_search_id},
        DEFAULT: {other.vendor_search_id},
    }
    with municipality_scope(municipality_a):
        moved = SearchEvent.objects.get(vendor_search_id=late.vendor_search_id)
    assert (moved.id, moved.searched_at, moved.case_number) == (
        late.id, late.searched_at, late.case_number
    )  # fmt: skip


def test_the_nightly_job_gives_rows_waiting_in_default_their_month(settings, municipality_a):
    from apps.sharing.tasks import searches_partitions_ensure as nightly
    from config.celery_app import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "sharing.searches_partitions_ensure" in scheduled
    assert "sharing.searches_partitions_ensure" in app.tasks
    with municipality_scope(municipality_a):
        waiting = SearchEventFactory(municipality=municipality_a, searched_at=at(2043, 7, 4))

    created = nightly()

    assert f"{PARENT}_y2043m07" in created
    assert rows_by_partition(municipality_a) == {f"{PARENT}_y2043m07": {waiting.vendor_search_id}}
    assert nightly() == []


def test_a_load_makes_no_partition_in_its_transaction_but_right_after_its_commit(
    municipality_a, tmp_path, django_capture_on_commit_callbacks
):
    january = [search(21, at(2022, 1, 5, 12)), search(22, at(2022, 1, 20, 12))]
    flock_audit(tmp_path / "january.csv", january)

    with django_capture_on_commit_callbacks() as after_commit:
        upload(municipality_a, tmp_path / "january.csv")
        # Inside the load's transaction: the month's rows wait in DEFAULT.
        assert f"{PARENT}_y2022m01" not in partitions_of_parent()
        assert rows_by_partition(municipality_a) == {DEFAULT: ids(january)}
    for callback in after_commit:
        callback()

    assert rows_by_partition(municipality_a) == {f"{PARENT}_y2022m01": ids(january)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retention_waits_for_the_partitions_lock_before_it_reads_a_partition():
    """The daily job holds the partitions lock and then the searches table ACCESS
    EXCLUSIVE: retention must wait for the lock first, reading nothing it would hold."""
    with other_connection() as job:
        job.execute("SELECT pg_advisory_xact_lock(%s)", [locks.PARTITIONS.key])
        job.execute(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        try:
            with (
                CaptureQueriesContext(connection) as queries,
                pytest.raises(OperationalError, match="lock timeout"),
            ):
                searches_retention(older_than_months=12)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        job.rollback()
    # The statement that timed out, the last before the transaction's rollback.
    *_, waited_in, rolled_back = (query["sql"] for query in queries)
    assert rolled_back == "ROLLBACK"
    assert "pg_advisory_xact_lock" in waited_in
    assert DEFAULT not in waited_in
