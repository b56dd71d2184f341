import factory

from apps.municipalities.models import Membership, Municipality


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testville {n}")
    slug = factory.LazyAttribute(lambda m: m.name.lower().replace(" ", "-"))
    county = "Cook"
    state = "IL"
    police_department = factory.LazyAttribute(lambda m: f"{m.name} Police Department")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory("tests.accounts.factories.UserFactory")
    municipality = factory.SubFactory(MunicipalityFactory)
