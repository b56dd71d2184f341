from django.core.management.base import BaseCommand, CommandError

from apps.audits.evaluation import municipality_evaluate
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope


class Command(BaseCommand):
    help = "Evaluate municipalities now, in this process (the same service the workers run)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--municipality", help="municipality slug")
        which.add_argument("--all", action="store_true", help="every municipality")

    def handle(self, *args, municipality=None, all=False, **options):
        if all:
            municipalities = Municipality.objects.order_by("name")
        else:
            municipalities = Municipality.objects.filter(slug=municipality)
            if not municipalities:
                raise CommandError(f"No municipality with slug {municipality!r}")
        for item in municipalities:
            with municipality_scope(item):
                run = municipality_evaluate(municipality=item, trigger="manual")
            counts = ", ".join(f"{k} {v}" for k, v in run.counts.items())
            self.stdout.write(f"{item.slug}: {counts} ({run.duration_seconds:.2f}s)")
