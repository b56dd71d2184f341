"""Redis hangs, then dies, while the portal runs under gunicorn: pages still answer,
/healthz names the broker, uploads are stored and the clerk told they load once the queue
is back, without waiting long; once Redis and a worker are back, each loads exactly once."""

import html
import re
import signal
from pathlib import Path

import pytest

from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SearchEvent
from apps.vendors.models import VendorExport
from apps.vendors.storage import export_open
from tests.accounts.factories import PASSWORD
from tests.ingest.test_worker_crash import export_state, start_worker, stop, wait_for
from tests.vendors.factories import flock

from .servers import RedisServer, Response, Session, WebServer

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
# Two network audits with no search in common, one uploaded while Redis hangs, one while
# it is dead.
WHILE_HUNG, WHILE_DEAD = "flock_network_audit_13col.csv", "flock_network_audit_14col_devices.csv"
ROWS = {WHILE_HUNG: 25, WHILE_DEAD: 15}
WAITS_FOR_THE_QUEUE = (
    "“{name}” was received, but the processing queue is unavailable right now. It will load "
    "automatically once the queue is back; there is no need to upload it again."
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def upload(browser: Session, home: str, name: str) -> Response:
    fields = {"vendor": str(flock().pk), "kind": ""}
    return browser.submit(home + "exports/", fields, {"file": SAMPLES / name})


def assert_kept_for_later(uploaded: Response, name: str, web: WebServer) -> None:
    assert uploaded.status == 200, f"{uploaded.status}\n{web.log}"
    assert uploaded.seconds < 8, "publishing to a broker that is down must give up quickly"
    assert re.search(r"/exports/\d+/$", uploaded.url), "on the new export's page"
    assert WAITS_FOR_THE_QUEUE.format(name=name) in html.unescape(uploaded.text)


def assert_broker_named_down(browser: Session) -> None:
    health = browser.get("/healthz")
    assert health.status == 503
    assert health.json() == {"status": "unavailable", "database": "ok", "broker": "down"}
    assert health.seconds < 5


def test_with_redis_down_pages_answer_healthz_names_it_and_uploads_load_once_it_is_back(
    tmp_path, settings, test_database_env, municipality_a, clerk_a
):
    settings.MEDIA_ROOT = tmp_path / "media"
    broker = RedisServer(tmp_path / "redis")
    broker.start()
    env = {
        **test_database_env,
        "REDIS_URL": broker.url,
        "PORTAL_MEDIA_ROOT": str(tmp_path / "media"),
    }
    home = f"/m/{municipality_a.slug}/"
    web = WebServer(env, tmp_path / "web.log")
    worker = None
    try:
        browser = Session(web.base_url)
        assert browser.sign_in(clerk_a.username, PASSWORD).url.endswith(home)
        assert browser.get("/healthz").json()["broker"] == "ok"

        broker.freeze()
        assert_broker_named_down(browser)
        assert_kept_for_later(upload(browser, home, WHILE_HUNG), WHILE_HUNG, web)

        broker.stop(signal.SIGKILL)  # it dies frozen: what it was sent is lost
        for path in (home, home + "findings/", home + "declarations/", home + "exports/"):
            page = browser.get(path)
            assert page.status == 200, f"{path}: {page.status}\n{web.log}"
        assert_broker_named_down(browser)
        assert_kept_for_later(upload(browser, home, WHILE_DEAD), WHILE_DEAD, web)

        with municipality_scope(municipality_a):
            exports = {export.original_name: export for export in VendorExport.objects.all()}
        assert sorted(exports) == sorted(ROWS)
        for name, export in exports.items():
            assert export.status == VendorExport.Status.RECEIVED
            with export_open(export.sha256) as stored:
                assert stored.read() == (SAMPLES / name).read_bytes()

        broker.start()  # empty: whatever the old one held is gone
        worker = start_worker(env, queue="portal-test")
        for export in exports.values():
            wait_for(lambda pk=export.pk: export_state(pk).is_finished, 90, f"{export} to load")
        wait_for(broker.drained, 60, "the queue to drain")
        assert browser.get("/healthz").status == 200, "the web process reconnects by itself"
    finally:
        if worker is not None:
            stop(worker)
        web.stop()
        broker.stop()

    for name, export in exports.items():
        loaded = export_state(export.pk)
        assert loaded.status == VendorExport.Status.LOADED
        assert (loaded.rows_loaded, loaded.rows_duplicate) == (ROWS[name], 0)
    with municipality_scope(municipality_a):
        assert VendorExport.objects.count() == len(ROWS)
        assert SearchEvent.objects.count() == sum(ROWS.values())
