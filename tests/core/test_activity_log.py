"""The activity log: writes and downloads are recorded with who, what, when and from
where; the hash chain shows an edited or deleted entry; nobody edits it in the portal."""

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from apps.agencies.models import Agency
from apps.audits.models import Finding
from apps.compliance.models import BlocklistEntry
from apps.core import activity
from apps.core.models import ActivityEntry
from apps.municipalities.scoping import municipality_scope
from tests.audits.factories import SharingGrantFactory

pytestmark = pytest.mark.django_db


def verify_output() -> tuple[int, str]:
    """(exit code, what the command wrote) of verify_activity_log."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_activity_log", stdout=out, stderr=err)
    except SystemExit as stop:
        return stop.code, err.getvalue()
    return 0, out.getvalue()


def tamper(sql: str, params=()) -> None:
    """What someone with direct database access could do: switch triggers off, change rows."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = origin")


def three_entries() -> list[ActivityEntry]:
    for n in range(3):
        activity.record("test.step", detail={"n": n})
    return list(ActivityEntry.objects.order_by("seq"))


def test_a_blocklist_change_through_the_portal_is_recorded_with_who_and_from_where(
    client, administrator
):
    agency = Agency.objects.create(name="Test Border Unit", state="TX", level="federal")
    client.force_login(administrator)
    response = client.post(
        "/state/administration/rules/blocklist/new/",
        {
            "agency": agency.pk,
            "reason": "immigration enforcement",
            "citation": "5 ILCS 805",
            "change_reason": "audit of 2025",
        },
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302, response.content.decode()[:500]
    entry = ActivityEntry.objects.filter(action="blocklistentry.created").get()
    assert entry.actor == administrator and entry.actor_label == administrator.username
    assert entry.ip == "203.0.113.9"
    assert entry.subject_id == str(BlocklistEntry.objects.get(agency=agency).pk)
    assert entry.detail["changes"]["reason"] == [None, "immigration enforcement"]


def test_a_finding_step_and_a_list_download_are_recorded(client, clerk_a, municipality_a):
    from django.utils import timezone

    now = timezone.now()
    with municipality_scope(municipality_a):
        grant = SharingGrantFactory(municipality=municipality_a)
        finding = Finding.objects.create(
            municipality=municipality_a, rule_code="FEDERAL_GRANT_REVIEW",
            subject_key=f"grant:{grant.pk}", subject_label="x", severity="medium", summary="s",
            evidence={}, first_seen_at=now, last_seen_at=now,
        )  # fmt: skip
    client.force_login(clerk_a)
    base = f"/m/{municipality_a.slug}/findings/"
    client.post(f"{base}{finding.pk}/", {"action": "acknowledge", "note": "seen"})
    client.get(base, {"status": "acknowledged", "export": "csv"})

    step = ActivityEntry.objects.get(action="finding.acknowledge")
    assert step.actor == clerk_a and step.municipality_id == municipality_a.pk
    assert step.detail["to"] == "acknowledged"
    download = ActivityEntry.objects.get(action="download")
    assert download.detail["format"] == "csv"
    assert download.detail["filters"] == {"status": "acknowledged"}
    assert download.municipality_id == municipality_a.pk


def test_an_intact_log_verifies_and_prints_its_head():
    entries = three_entries()
    code, output = verify_output()
    assert code == 0
    assert f"Head {entries[-1].seq}:{entries[-1].hash}" in output


def test_the_database_refuses_to_update_or_delete_an_entry():
    entry = three_entries()[0]
    for statement in (
        "UPDATE core_activityentry SET actor_label = 'someone else' WHERE seq = %s",
        "DELETE FROM core_activityentry WHERE seq = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.seq])


def test_an_edited_entry_is_detected():
    entries = three_entries()
    tamper("UPDATE core_activityentry SET detail = '{\"n\": 99}' WHERE seq = %s", [entries[1].seq])
    code, output = verify_output()
    assert code == 1
    assert f"entry {entries[1].seq} was changed" in output


def test_an_edit_that_recomputes_its_own_hash_still_breaks_the_chain():
    entries = three_entries()
    forged = ActivityEntry.objects.get(seq=entries[1].seq)
    forged.detail = {"n": 99}
    new_hash = activity._hash_of(forged, forged.prev_hash)
    tamper(
        "UPDATE core_activityentry SET detail = '{\"n\": 99}', hash = %s WHERE seq = %s",
        [new_hash, forged.seq],
    )
    code, output = verify_output()
    assert code == 1
    assert f"entry {entries[2].seq} does not follow" in output


def test_a_deleted_entry_is_detected():
    entries = three_entries()
    tamper("DELETE FROM core_activityentry WHERE seq = %s", [entries[1].seq])
    code, output = verify_output()
    assert code == 1
    assert f"entry {entries[1].seq} is missing" in output


def test_a_cut_tail_is_detected_against_a_head_noted_earlier():
    entries = three_entries()
    noted = f"{entries[-1].seq}:{entries[-1].hash}"
    tamper("DELETE FROM core_activityentry WHERE seq = %s", [entries[-1].seq])
    import io

    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_activity_log", expect_head=noted, stderr=err, stdout=io.StringIO())
    assert "expected head, is missing" in err.getvalue()


@pytest.mark.parametrize("head", ["²:" + "a" * 64, "12:" + "g" * 64, "12", "-1:" + "a" * 64])
def test_a_malformed_expected_head_is_refused_with_the_expected_form(head):
    from django.core.management.base import CommandError

    three_entries()
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("verify_activity_log", expect_head=head)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    def write(n: int) -> None:
        try:
            for step in range(10):
                with transaction.atomic():
                    activity.record("test.concurrent", detail={"writer": n, "step": step})
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ActivityEntry.objects.count() == 40
    assert list(ActivityEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 41)
    )
    assert verify_output()[0] == 0


def test_auditors_read_the_log_and_nobody_can_write_to_it_through_the_portal(
    client, auditor, clerk_a
):
    activity.record("test.visible", detail={"n": 1})
    client.force_login(auditor)
    page = client.get("/state/activity/")
    assert page.status_code == 200 and "test.visible" in page.content.decode()
    assert client.post("/state/activity/").status_code == 405
    client.force_login(clerk_a)
    assert client.get("/state/activity/").status_code == 403


def test_a_download_whose_query_string_holds_a_nul_is_recorded_without_it(client, auditor):
    client.force_login(auditor)

    response = client.get("/state/agencies/", {"q": "ICE\x00", "export": "csv"})

    assert response.status_code == 200
    download = ActivityEntry.objects.get(action="download")
    assert download.detail["filters"] == {"q": "ICE\ufffd"}
