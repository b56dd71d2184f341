import factory

from apps.accounts.models import User

PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.MUNICIPAL
    password = factory.django.Password(PASSWORD)
