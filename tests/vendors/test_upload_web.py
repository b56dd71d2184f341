"""Upload through the web form; a real Celery worker on Redis loads the file."""

import time
from pathlib import Path

import pytest

from tests.vendors.factories import flock

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"

pytestmark = pytest.mark.celery_worker


def wait_until_finished(client, progress_url: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    seen_statuses = set()
    while time.monotonic() < deadline:
        state = client.get(progress_url).json()
        seen_statuses.add(state["status"])
        if state["finished"]:
            state["seen"] = seen_statuses
            return state
        time.sleep(0.2)
    raise AssertionError(f"not finished after {timeout}s; last state {state}")


def upload(client, slug: str, name: str, *, follow: bool = False):
    with (SAMPLES / name).open("rb") as file:
        return client.post(
            f"/m/{slug}/exports/", {"vendor": flock().pk, "kind": "", "file": file}, follow=follow
        )


def test_clerk_uploads_a_flock_audit_and_the_worker_loads_it(
    client, celery_worker, clerk_a, municipality_a
):
    client.force_login(clerk_a)

    response = upload(client, municipality_a.slug, "bad_rows_flock_audit.csv")

    assert response.status_code == 302
    detail_url = response["Location"]
    assert detail_url.startswith(f"/m/{municipality_a.slug}/exports/")
    state = wait_until_finished(client, detail_url + "progress/")
    assert state["status"] == "loaded"

    page = client.get(detail_url).content.decode()
    assert "Loaded" in page
    assert "<dt>Rows loaded</dt><dd>10</dd>" in page
    assert "<dt>Rows rejected</dt><dd>3</dd>" in page
    assert "Not a time like 11/14/2025, 09:53:36 AM UTC." in page

    listing = client.get(f"/m/{municipality_a.slug}/exports/").content.decode()
    assert "bad_rows_flock_audit.csv" in listing
    assert clerk_a.username in listing

    report = client.get(detail_url + "errors.csv").content.decode("utf-8-sig").splitlines()
    assert report[0] == "line,column,value,problem"
    assert [row.split(",")[0] for row in report[1:]] == ["7", "12", "18"]


def test_a_file_the_portal_cannot_read_is_rejected_with_its_reason_on_the_page(
    client, celery_worker, clerk_a, municipality_a
):
    client.force_login(clerk_a)

    response = upload(client, municipality_a.slug, "bad_unknown_header.csv")

    state = wait_until_finished(client, response["Location"] + "progress/")
    assert state["status"] == "rejected"
    page = client.get(response["Location"]).content.decode()
    assert "The file was not loaded." in page
    assert "Found columns: Date, Amount, Vendor, Memo" in page


def test_uploading_the_same_file_twice_loads_it_once(
    client, celery_worker, clerk_a, municipality_a
):
    client.force_login(clerk_a)
    first = upload(client, municipality_a.slug, "flock_network_audit_13col.csv")
    wait_until_finished(client, first["Location"] + "progress/")

    second = upload(client, municipality_a.slug, "flock_network_audit_13col.csv", follow=True)

    assert second.redirect_chain[-1][0] == first["Location"]
    assert "already uploaded" in second.content.decode()


def test_an_empty_file_is_refused_at_the_form_and_nothing_is_stored(
    client, clerk_a, municipality_a, db
):
    client.force_login(clerk_a)

    response = upload(client, municipality_a.slug, "bad_empty.csv")

    assert response.status_code == 400
    assert "The file is empty" in response.content.decode()
    from apps.municipalities.scoping import statewide_scope
    from apps.vendors.models import VendorExport

    with statewide_scope():
        assert not VendorExport.objects.exists()
