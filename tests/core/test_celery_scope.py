"""A real Celery worker on Redis runs tasks inside the municipality they were given."""

import threading

import pytest
from django_scopes import ScopeError

from apps.municipalities.scoping import MunicipalityTask
from apps.vendors.models import VendorExport
from config.celery_app import app
from tests.vendors.factories import VendorExportFactory

pytestmark = pytest.mark.celery_worker

seen: dict[str, object] = {}
done = threading.Event()


@app.task(base=MunicipalityTask, name="tests.list_export_names")
def list_export_names(*, municipality_id: int) -> None:
    seen["names"] = sorted(VendorExport.objects.values_list("original_name", flat=True))
    done.set()


@app.task(name="tests.list_export_names_unscoped")
def list_export_names_unscoped() -> None:
    try:
        list(VendorExport.objects.all())
    except ScopeError as error:
        seen["error"] = error
    done.set()


@pytest.fixture(autouse=True)
def reset():
    seen.clear()
    done.clear()


def test_task_sees_only_the_municipality_it_was_given(
    celery_worker, municipality_a, municipality_b
):
    VendorExportFactory(municipality=municipality_a, original_name="a-1.csv")
    VendorExportFactory(municipality=municipality_a, original_name="a-2.csv")
    VendorExportFactory(municipality=municipality_b, original_name="b-1.csv")

    list_export_names.delay(municipality_id=municipality_b.pk)

    assert done.wait(timeout=30), "the worker did not run the task"
    assert seen["names"] == ["b-1.csv"]


def test_plain_task_has_no_scope_and_cannot_query_tenant_rows(celery_worker, municipality_a):
    VendorExportFactory(municipality=municipality_a)

    list_export_names_unscoped.delay()

    assert done.wait(timeout=30), "the worker did not run the task"
    assert isinstance(seen.get("error"), ScopeError)


def test_scoped_task_without_a_municipality_refuses_to_run():
    with pytest.raises(TypeError, match="municipality_id"):
        list_export_names.apply(kwargs={}, throw=True)
