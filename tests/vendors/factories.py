import hashlib

import factory

from apps.vendors.models import Vendor, VendorExport


def flock() -> Vendor:
    # Transactional tests flush the rows the data migration created.
    vendor, _ = Vendor.objects.get_or_create(slug="flock", defaults={"name": "Flock Safety"})
    return vendor


class VendorExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorExport

    municipality = factory.SubFactory("tests.municipalities.factories.MunicipalityFactory")
    vendor = factory.LazyFunction(flock)
    kind = VendorExport.Kind.NETWORK_AUDIT
    original_name = factory.Sequence(lambda n: f"network_audit_{n}.csv")
    sha256 = factory.Sequence(lambda n: hashlib.sha256(str(n).encode()).hexdigest())
    size = 1024
    uploaded_by = factory.SubFactory("tests.accounts.factories.UserFactory")
