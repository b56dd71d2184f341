"""The incidents the portal exists for, end to end: uploads, a real Celery worker on
Redis, evaluation, findings."""

import csv
import io
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.agencies.models import Agency
from apps.audits.models import EvaluationRun, Finding
from apps.compliance.models import BlocklistEntry
from apps.compliance.services import blocklist_entry_save
from apps.municipalities.scoping import municipality_scope, statewide_scope
from tests.vendors.factories import flock

pytestmark = pytest.mark.celery_worker

HEADER = ["id", "entity_type", "event_type", "actor", "created_at", "network_name", "details"]


def event_log(events) -> bytes:
    """A Flock event log (portal layout) of (event_type, actor, time, network) tuples."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for event_type, actor, at, network in events:
        writer.writerow([uuid.uuid4(), "networkShare", event_type, actor,
                         at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), network,
                         '{"direction":"outgoing","status":"active"}'])  # fmt: skip
    return out.getvalue().encode()


def upload(client, slug: str, name: str, content: bytes) -> str:
    response = client.post(
        f"/m/{slug}/exports/",
        {"vendor": flock().pk, "kind": "", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def wait_for(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def runs(municipality, trigger: str) -> int:
    with municipality_scope(municipality):
        return EvaluationRun.objects.filter(trigger=trigger, outcome="succeeded").count()


def test_a_detective_accepting_200_requests_at_once_ice_among_them_is_caught_then_cleared(
    client, celery_worker, clerk_a, municipality_a
):
    detective = "det.jsmith@alderparkpd.example"
    start = datetime(2024, 4, 16, 19, 2, 5, tzinfo=UTC)
    networks = [f"Town{n} {'TX' if n % 3 else 'IL'} PD" for n in range(212)]
    networks.insert(150, "ICE ERO Chicago [Federal]")
    burst = [("create", detective, start + timedelta(seconds=i), name)
             for i, name in enumerate(networks)]  # fmt: skip
    client.force_login(clerk_a)

    upload(client, municipality_a.slug, "share_events_2024.csv", event_log(burst))

    def findings():
        with municipality_scope(municipality_a):
            return {f.rule_code: f for f in Finding.objects.filter(status="open")}

    opened = wait_for(lambda: runs(municipality_a, "upload") and findings(), "the evaluation")
    blocked = opened["BLOCKED_AGENCY_GRANT"]
    assert blocked.agency.name == "U.S. Immigration and Customs Enforcement"
    assert blocked.evidence["files"][0]["name"] == "share_events_2024.csv"
    assert blocked.evidence["files"][0]["lines"] == [152]  # header is line 1
    bulk = opened["BULK_ACCEPTANCE"]
    assert bulk.evidence["count"] == 213
    assert detective in bulk.summary and "U.S. Immigration and Customs Enforcement" in bulk.summary

    revoked = [("delete", "chief@alderparkpd.example", datetime(2025, 9, 23, 15, 10, tzinfo=UTC),
                "ICE ERO Chicago [Federal]")]  # fmt: skip
    upload(client, municipality_a.slug, "share_events_2025.csv", event_log(revoked))

    wait_for(lambda: runs(municipality_a, "upload") == 2, "the second evaluation")
    with municipality_scope(municipality_a):
        blocked.refresh_from_db()
        bulk.refresh_from_db()
    assert blocked.status == Finding.Status.CLOSED
    assert blocked.closed_at is not None
    assert "revoked" in blocked.close_cause and "Sep 23, 2025" in blocked.close_cause
    assert bulk.status == Finding.Status.OPEN  # the bulk acceptance still happened


def test_a_new_blocklist_entry_re_evaluates_only_the_municipalities_it_touches(
    client, celery_worker, clerk_a, clerk_b, municipality_a, municipality_b, administrator
):
    at = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
    client.force_login(clerk_a)
    upload(client, municipality_a.slug, "a.csv",
           event_log([("create", "lt.a", at, "Acme Detention Services LLC")]))  # fmt: skip
    client.force_login(clerk_b)
    upload(client, municipality_b.slug, "b.csv",
           event_log([("create", "lt.b", at, "Cedar Falls IL PD")]))  # fmt: skip
    wait_for(lambda: runs(municipality_a, "upload") and runs(municipality_b, "upload"),
             "both first evaluations")  # fmt: skip

    acme = Agency.objects.get(name="Acme Detention Services LLC")
    with statewide_scope():
        _, affected = blocklist_entry_save(
            entry=BlocklistEntry(
                agency=acme, reason="Holds detained persons for ICE", citation="2-130(b)(2)"
            ),
            actor=administrator,
            reason="Contract with ICE came to light",
        )

    assert affected == [municipality_a.pk]
    wait_for(lambda: runs(municipality_a, "blocklist"), "the blocklist evaluation")
    with municipality_scope(municipality_a):
        finding = Finding.objects.get(rule_code="BLOCKED_AGENCY_GRANT")
    assert finding.agency == acme and finding.status == Finding.Status.OPEN
    time.sleep(1)  # give a wrongly queued evaluation of B time to show up
    assert runs(municipality_b, "blocklist") == 0
    with municipality_scope(municipality_b):
        assert not Finding.objects.filter(rule_code="BLOCKED_AGENCY_GRANT").exists()
