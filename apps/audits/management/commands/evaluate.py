from django.core.management.base import BaseCommand, CommandError

from apps.audits.evaluation import municipalities_changed, municipalities_evaluate
from apps.audits.models import EvaluationRun
from apps.audits.tasks import batches, evaluations_dispatch
from apps.municipalities.models import Municipality


class Command(BaseCommand):
    help = (
        "Evaluate municipalities now, in this process, in the nightly run's batches (the same "
        "service the workers run); --queue hands the batches to the workers instead. "
        "With --all, municipalities whose inputs have not changed since their last run are "
        "skipped (recorded unchanged) unless --force; one named municipality is always "
        "evaluated."
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
        parser.add_argument(
            "--force",
            action="store_true",
            help="with --all, evaluate every municipality, even those whose inputs are unchanged",
        )

    def handle(self, *args, municipality=None, all=False, queue=False, force=False, **options):
        if all:
            municipalities = Municipality.objects.all()
        else:
            municipalities = Municipality.objects.filter(slug=municipality)
            if not municipalities:
                raise CommandError(f"No municipality with slug {municipality!r}")
        slugs = dict(municipalities.values_list("pk", "slug"))
        force = force or not all
        if queue:
            ids = list(slugs) if force else municipalities_changed(slugs, trigger="manual")
            queued = evaluations_dispatch(ids, trigger="manual", force=force)
            self.stdout.write(
                f"queued {queued} municipalities in {len(batches(ids))} batches"
                f" ({len(slugs) - queued} unchanged)"
            )
            return
        for batch in batches(slugs):
            runs = municipalities_evaluate(batch, trigger="manual", force=force)
            for pk in sorted(batch, key=slugs.get):
                run = runs[pk]
                if run.outcome == EvaluationRun.Outcome.UNCHANGED:
                    self.stdout.write(f"{slugs[pk]}: unchanged since its last run, skipped")
                    continue
                counts = ", ".join(f"{k} {v}" for k, v in run.counts.items())
                self.stdout.write(f"{slugs[pk]}: {counts} ({run.duration_seconds:.2f}s)")
