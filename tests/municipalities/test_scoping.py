import pytest
from django_scopes import ScopeError

from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.vendors.models import VendorExport
from tests.vendors.factories import VendorExportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exports(municipality_a, municipality_b):
    return (
        VendorExportFactory(municipality=municipality_a, original_name="a.csv"),
        VendorExportFactory(municipality=municipality_b, original_name="b.csv"),
    )


@pytest.mark.parametrize(
    "query",
    [
        lambda: list(VendorExport.objects.all()),
        lambda: VendorExport.objects.count(),
        lambda: VendorExport.objects.filter(original_name="a.csv").exists(),
        lambda: VendorExport.objects.get(original_name="a.csv"),
        lambda: list(VendorExport.objects.values_list("pk", flat=True)),
    ],
    ids=["all", "count", "filter", "get", "values_list"],
)
def test_tenant_query_outside_any_scope_raises(exports, query):
    with pytest.raises(ScopeError):
        query()


def test_municipality_scope_sees_only_that_municipality(exports, municipality_a):
    with municipality_scope(municipality_a):
        names = list(VendorExport.objects.values_list("original_name", flat=True))
    assert names == ["a.csv"]


def test_other_municipality_row_is_not_found_inside_scope(exports, municipality_a):
    row_of_b = exports[1]
    with municipality_scope(municipality_a), pytest.raises(VendorExport.DoesNotExist):
        VendorExport.objects.get(pk=row_of_b.pk)


def test_statewide_scope_sees_every_municipality(exports):
    with statewide_scope():
        assert VendorExport.objects.count() == 2


def test_scope_without_a_saved_municipality_is_refused():
    with pytest.raises(ValueError), municipality_scope(None):
        pass
