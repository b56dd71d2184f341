import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.worker import state as worker_state
from factory.random import reseed_random

from config.celery_app import app as celery_app

from .accounts.factories import UserFactory
from .municipalities.factories import MembershipFactory, MunicipalityFactory

# The same fictional names on every run (the screenshots in docs/ show them).
reseed_random("alpr-sharing-audit-portal")

# Playwright drives the browser from an event loop; Django's ORM refuses calls from
# inside one unless this is set (pytest-playwright's documented workaround).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The rows data migrations made (vendors, rules, the federal agency directory…), as
# serialized for transactional tests. Kept here because Django keeps them on the
# connection object of one context, and Playwright's tests run in another.
MIGRATED_ROWS: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    from django.db import connections

    contents = getattr(connections["default"], "_test_serialized_contents", None)
    if contents:
        MIGRATED_ROWS["default"] = contents
    return django_db_setup


@pytest.fixture
def municipality_a(db):
    return MunicipalityFactory(name="Alder Park", slug="alder-park")


@pytest.fixture
def municipality_b(db):
    return MunicipalityFactory(name="Birch Hollow", slug="birch-hollow")


@pytest.fixture
def clerk_a(municipality_a):
    user = UserFactory(username="clerk-a")
    MembershipFactory(user=user, municipality=municipality_a)
    return user


@pytest.fixture
def clerk_b(municipality_b):
    user = UserFactory(username="clerk-b")
    MembershipFactory(user=user, municipality=municipality_b)
    return user


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor-1", role="auditor")


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin-1", role="administrator")


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker):
    """A real Celery worker consuming from Redis in a thread of the test process.

    Tests that use it must be `transaction=True` so the worker's own database
    connection sees the rows they create.
    """
    with (
        django_db_blocker.unblock(),
        start_worker(
            celery_app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
        ) as worker,
    ):
        yield worker


@pytest.fixture
def celery_worker(celery_worker_session, transactional_db, django_db_serialized_rollback):
    """The worker, for a test whose rows it must see. The rollback keeps the rows data
    migrations made (vendors, the federal agency directory) for the tests after it.

    The worker consumes only during such a test: messages queued by tests without a
    worker are purged first, and afterwards it stops consuming and finishes what it
    holds before the database is flushed. Left consuming, it ran the tasks later tests
    queue while their flush truncated the tables under it (a deadlock)."""
    from django.conf import settings

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    destination = [celery_worker_session.hostname]
    celery_app.control.purge()
    celery_app.control.add_consumer(queue, destination=destination, reply=True, timeout=10)
    yield celery_worker_session
    celery_app.control.cancel_consumer(queue, destination=destination, reply=True, timeout=10)
    deadline = time.monotonic() + 60
    while worker_state.active_requests and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def test_database_env():
    """Environment for a child process (a worker) that must use the test database."""
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    url = urlsplit(os.environ["DATABASE_URL"])
    test_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    return {
        **os.environ,
        "DATABASE_URL": test_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }


@pytest.fixture
def unused_tcp_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def galveston(db):
    """The directory's Galveston County sheriff, as Flock names it."""
    from apps.agencies.models import Agency

    return Agency.objects.create(
        name="Galveston County TX SO", normalized_name="galveston county sheriffs office",
        state="TX", level=Agency.Level.COUNTY, is_confirmed=True,
    )  # fmt: skip
