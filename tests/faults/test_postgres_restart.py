"""Restart PostgreSQL while the portal, under gunicorn, serves a steady stream of page
loads: while the database is down every request fails at once with a clean error page,
and once it is back every request succeeds again, from the same web process."""

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import psycopg
import pytest
from django.conf import settings

from tests.accounts.factories import PASSWORD

from .servers import PostgresCluster, Session, WebServer

# A clerk and a municipality in the private database, made by the project's factories.
SETUP = """
from tests.accounts.factories import UserFactory
from tests.municipalities.factories import MembershipFactory, MunicipalityFactory

MembershipFactory(
    user=UserFactory(username="clerk-a"),
    municipality=MunicipalityFactory(name="Alder Park", slug="alder-park"),
)
"""
HOME = "/m/alder-park/"
PAGES = (HOME, HOME + "exports/")  # a signed-in clerk's: each reads the session and more
CLIENTS = 4
DOWN_FOR = 3.0  # seconds between the end of the shutdown and the start


@dataclass(frozen=True)
class Outcome:
    path: str
    started: float
    seconds: float
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    text: str

    @property
    def ended(self) -> float:
        return self.started + self.seconds


class Load:
    """Threads that each load PAGES as the signed-in clerk, then /healthz as a monitor does
    (no cookie) and as the clerk, in turn and as fast as the portal answers; every outcome
    is kept."""

    def __init__(self, session: Session, clients: int):
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.threads = [
            threading.Thread(
                target=self._run, args=(session.clone(), Session(session.base_url)), daemon=True
            )
            for _ in range(clients)
        ]

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _run(self, clerk: Session, monitor: Session) -> None:
        # /healthz both as a monitor (no cookie) and as the signed-in clerk: a session
        # cookie must not make the health check depend on the database it reports on.
        requests = [(clerk, path) for path in PAGES] + [(monitor, "/healthz"),
                                                        (clerk, "/healthz")]  # fmt: skip
        while not self.done.is_set():
            for session, path in requests:
                started = time.monotonic()
                try:
                    response = session.get(path, timeout=10)
                    outcome = Outcome(
                        path, started, response.seconds, response.status, response.text
                    )
                except Exception as error:  # refused, reset or timed out: judged below
                    outcome = Outcome(path, started, time.monotonic() - started, None, repr(error))
                with self.lock:
                    self.outcomes.append(outcome)

    def within(self, start: float, end: float) -> list[Outcome]:
        """The requests that began and ended between `start` and `end`."""
        return [o for o in self.outcomes if o.started >= start and o.ended <= end]


@pytest.fixture
def cluster():
    cluster = PostgresCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def prepare_database(cluster: PostgresCluster) -> dict:
    """Create, migrate and fill the portal's database; return the web process's environment."""
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE portal")
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url("portal"),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    for command in (["migrate", "--noinput", "-v0"], ["shell", "-c", SETUP]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=settings.BASE_DIR, env=env, check=True
        )
    return env


def test_restarting_postgres_under_load_fails_requests_cleanly_then_they_all_succeed(
    tmp_path, cluster
):
    web = WebServer(prepare_database(cluster), tmp_path / "web.log")
    try:
        browser = Session(web.base_url)
        assert browser.sign_in("clerk-a", PASSWORD).url.endswith(HOME)
        with Load(browser, CLIENTS) as load:
            time.sleep(1.5)
            stopping = time.monotonic()
            cluster.stop()
            down = time.monotonic()
            time.sleep(DOWN_FOR)
            starting = time.monotonic()
            cluster.start()
            up = time.monotonic()
            time.sleep(3)
            end = time.monotonic()
        still_running = web.process.poll() is None
    finally:
        web.stop()

    assert still_running, web.log
    assert web.log.count("Booting worker") == 2, "no gunicorn worker was lost or restarted"
    unanswered = [o for o in load.outcomes if o.status is None]
    assert not unanswered, unanswered[:3]
    assert max(o.seconds for o in load.outcomes) < 5, "no request hangs, even mid-shutdown"

    before = load.within(0, stopping)
    assert len(before) >= 5
    assert {o.status for o in before} == {200}

    during = load.within(down, starting)
    assert len(during) >= 10, "the outage must be seen by the load"
    for outcome in during:
        assert outcome.status in (500, 503), outcome
        assert outcome.seconds < 3, outcome
        assert "Traceback" not in outcome.text
        if outcome.path == "/healthz":
            assert outcome.text.startswith("{"), outcome
            assert json.loads(outcome.text)["database"] == "down"
        else:
            assert "Something went wrong" in outcome.text, outcome.text[:500]

    after = load.within(up, end + 60)
    assert len(after) >= 10
    failed = [o for o in after if o.status != 200]
    assert not failed, [(o.path, o.status, o.started - up) for o in failed][:5]
