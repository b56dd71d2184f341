from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.audits.evaluation import municipality_evaluate
from apps.core import demo
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope
from apps.municipalities.services import membership_add, municipality_create
from apps.vendors.loading import export_load
from apps.vendors.models import Vendor
from apps.vendors.services import export_receive

SAMPLES = settings.BASE_DIR / "tests" / "ingest" / "samples"


class Command(BaseCommand):
    help = (
        "Create the fictional demo municipalities, one account per role, and load demo "
        "exports that produce a finding of every rule (idempotent)."
    )

    def handle(self, *args, **options):
        created = self._tenants_and_accounts()
        loaded = self._exports()
        self.stdout.write(f"Demo data ready ({created} new records, {loaded} new exports).")

    @transaction.atomic
    def _tenants_and_accounts(self) -> int:
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
        return created

    def _exports(self) -> int:
        loaded = 0
        touched = set()
        for item in demo.EXPORTS:
            municipality = Municipality.objects.get(slug=item.municipality)
            clerk = User.objects.filter(memberships__municipality=municipality).first()
            path = SAMPLES / item.file
            with municipality_scope(municipality), path.open("rb") as source:
                received = export_receive(
                    municipality=municipality,
                    vendor=Vendor.objects.get(slug=item.vendor),
                    kind=item.kind,
                    original_name=item.file,
                    chunks=iter(lambda source=source: source.read(1 << 20), b""),
                    uploaded_by=clerk,
                    queue=False,
                )
                if not received.already_uploaded:
                    export_load(export_id=received.export.pk)
                    loaded += 1
                    touched.add(municipality)
        for municipality in touched:
            with municipality_scope(municipality):
                municipality_evaluate(municipality=municipality, trigger="manual")
        return loaded
