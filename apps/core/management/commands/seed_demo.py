from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.core import demo
from apps.municipalities.models import Municipality
from apps.municipalities.services import membership_add, municipality_create


class Command(BaseCommand):
    help = "Create the fictional demo municipalities and one account per role (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for item in demo.MUNICIPALITIES:
            if not Municipality.objects.filter(slug=item.slug).exists():
                municipality_create(
                    name=item.name,
                    slug=item.slug,
                    county=item.county,
                    population=item.population,
                    police_department=item.police_department,
                    ori=item.ori,
                )
                created += 1
        for account in demo.ACCOUNTS:
            user, is_new = User.objects.get_or_create(
                username=account.username,
                defaults={
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "email": f"{account.username}@demo.invalid",
                    "role": account.role,
                },
            )
            if is_new:
                user.set_password(account.password)
                user.save(update_fields=["password"])
                created += 1
            for slug in account.municipalities:
                membership_add(user=user, municipality=Municipality.objects.get(slug=slug))
        self.stdout.write(f"Demo data ready ({created} new records).")
