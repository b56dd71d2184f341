from django.core.management.base import BaseCommand, CommandError

from apps.audits.evaluation import municipalities_evaluate
from apps.audits.tasks import batches, evaluations_dispatch
from apps.municipalities.models import Municipality


class Command(BaseCommand):
    help = (
        "Evaluate municipalities now, in this process, in the nightly run's batches (the same "
        "service the workers run); --queue hands the batches to the workers instead."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--municipality", help="municipality slug")
        which.add_argument("--all", action="store_true", help="every municipality")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue one task per batch for the Celery workers instead of running here",
        )

    def handle(self, *args, municipality=None, all=False, queue=False, **options):
        if all:
            municipalities = Municipality.objects.all()
        else:
            municipalities = Municipality.objects.filter(slug=municipality)
            if not municipalities:
                raise CommandError(f"No municipality with slug {municipality!r}")
        slugs = dict(municipalities.values_list("pk", "slug"))
        if queue:
            queued = evaluations_dispatch(slugs, trigger="manual")
            self.stdout.write(f"queued {queued} municipalities in {len(batches(slugs))} batches")
            return
        for batch in batches(slugs):
            runs = municipalities_evaluate(batch, trigger="manual")
            for pk in sorted(batch, key=slugs.get):
                run = runs[pk]
                counts = ", ".join(f"{k} {v}" for k, v in run.counts.items())
                self.stdout.write(f"{slugs[pk]}: {counts} ({run.duration_seconds:.2f}s)")
