"""Kill a real Celery worker in the middle of a load; a new worker loads the file whole,
exactly once."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SearchEvent
from apps.vendors.models import VendorExport
from apps.vendors.services import export_receive
from apps.vendors.tasks import export_ingest
from bench.ingest import generate
from config.celery_app import app as celery_app
from tests.vendors.factories import flock

ROWS = 150_000

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# The load goes to a queue of its own: the suite's in-process worker (see conftest) may be
# running and consuming the default test queue, and must not take the load to be killed.
CRASH_QUEUE = "portal-test-crash"


def start_worker(env: dict, queue: str = CRASH_QUEUE) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
         "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
    )  # fmt: skip


def stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    """SIGKILL the whole process group (a crash), or SIGTERM the main process alone so it
    finishes its task first (a warm shutdown, as an operator would stop it)."""
    if sig == signal.SIGKILL:
        os.killpg(worker.pid, sig)
    else:
        worker.send_signal(sig)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


def export_state(export_id: int) -> VendorExport:
    return VendorExport.objects.with_scopes_disabled().get(pk=export_id)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_killing_the_worker_mid_load_then_restarting_it_loads_every_row_once(
    tmp_path, settings, test_database_env, municipality_a, clerk_a
):
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {**test_database_env, "PORTAL_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    source = tmp_path / "network_audit.csv"
    generate(source, ROWS)
    with municipality_scope(municipality_a), source.open("rb") as file:
        export = export_receive(
            municipality=municipality_a,
            vendor=flock(),
            kind="",
            original_name=source.name,
            chunks=iter(lambda: file.read(1 << 20), b""),
            uploaded_by=clerk_a,
            queue=False,
        ).export

    celery_app.control.purge()  # nothing left over from earlier runs goes before this load
    first = start_worker(env)
    try:
        export_ingest.apply_async(
            kwargs={"municipality_id": municipality_a.pk, "export_id": export.pk},
            queue=CRASH_QUEUE,
        )
        wait_for(lambda: export_state(export.pk).rows_processed > 0, 60, "the load to be under way")
    finally:
        stop(first, signal.SIGKILL)

    interrupted = export_state(export.pk)
    assert interrupted.status == VendorExport.Status.PARSING
    with municipality_scope(municipality_a):
        assert not SearchEvent.objects.exists(), "a killed load must leave no rows behind"

    # The restarted worker also takes the default queue, where its start-up requeue goes.
    second = start_worker(env, queue=f"{CRASH_QUEUE},portal-test")
    try:
        wait_for(lambda: export_state(export.pk).is_finished, 180, "the restarted worker to load")
    finally:
        stop(second)

    loaded = export_state(export.pk)
    assert loaded.status == VendorExport.Status.LOADED
    assert loaded.rows_loaded == ROWS
    with municipality_scope(municipality_a):
        assert SearchEvent.objects.count() == ROWS
        assert SearchEvent.objects.values("vendor_search_id").distinct().count() == ROWS
