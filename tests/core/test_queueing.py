"""Tasks are queued once the change that asks for them commits, through one base class,
and a service names the task of another app without importing it."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

from apps.audits import tasks as audit_tasks
from apps.core.queueing import AfterCommitTask, task_named
from config.celery_app import app

ROOT = Path(__file__).resolve().parents[2]


def test_every_task_of_the_portal_is_an_after_commit_task():
    app.loader.import_default_modules()  # as a worker does at start: every tasks module
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert {task.name for task in ours} >= {
        "audits.evaluate_municipality",
        "audits.evaluations_dispatch",
        "sharing.reasons_reclassify",
        "vendors.export_ingest",
    }
    assert all(isinstance(task, AfterCommitTask) for task in ours)


@pytest.mark.django_db
def test_a_task_is_queued_only_once_the_transaction_commits(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    evaluate = task_named("audits.evaluate_municipality")
    monkeypatch.setattr(evaluate, "delay", lambda **kwargs: sent.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True):
        evaluate.delay_on_commit(municipality_id=7, trigger="manual")
        with pytest.raises(RuntimeError), transaction.atomic():
            evaluate.delay_on_commit(municipality_id=8, trigger="manual")
            raise RuntimeError("rolled back")
        assert sent == []
    assert sent == [{"municipality_id": 7, "trigger": "manual"}]


@pytest.mark.django_db
def test_a_broker_out_of_reach_is_logged_and_the_change_stays(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def unreachable(**kwargs):
        raise BrokerUnreachable("connection refused")

    monkeypatch.setattr(audit_tasks.evaluations_queue, "delay", unreachable)
    with (
        caplog.at_level(logging.WARNING, logger="apps.core.queueing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        task_named("audits.evaluations_dispatch").delay_on_commit(
            municipality_ids=[1, 2], trigger="manual"
        )
    assert "broker unreachable, not queued: audits.evaluations_dispatch" in caplog.text


def test_a_process_that_never_imported_a_tasks_module_finds_its_task_by_name():
    """A web process imports a tasks module only when asked for one of its tasks."""
    script = (
        "import django; django.setup()\n"
        "import sys\n"
        "from apps.core.queueing import task_named\n"
        "assert 'apps.audits.tasks' not in sys.modules\n"
        "print(type(task_named('audits.evaluations_dispatch')).__module__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "apps.audits.tasks"
