from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.agencies.services import police_department_agency_ensure
from apps.municipalities.services import municipality_create


class Command(BaseCommand):
    help = (
        "Create a municipality (a tenant of the portal), with its police department in the "
        "agency directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--county", default="")
        parser.add_argument("--state", default="IL")
        parser.add_argument("--population", type=int)
        parser.add_argument("--police-department", default="")
        parser.add_argument("--ori", default="")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                municipality = municipality_create(
                    name=options["name"],
                    slug=options["slug"],
                    county=options["county"],
                    state=options["state"],
                    population=options["population"],
                    police_department=options["police_department"],
                    ori=options["ori"],
                )
                police_department_agency_ensure(municipality=municipality)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {municipality} ({municipality.slug})"))
