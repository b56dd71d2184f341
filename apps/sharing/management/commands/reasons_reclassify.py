import time

from django.core.management.base import BaseCommand

from apps.core.queueing import task_named
from apps.sharing.services import reasons_reclassify_all


class Command(BaseCommand):
    help = (
        "Label every stored search's reason again with the current term lists and the "
        "learned model, then queue the evaluation of the municipalities whose labels "
        "changed. A term saved in the portal does this by itself; run it after a release "
        "whose migrations change the terms or that ships a new model artifact "
        "(`build_reason_model`). Running it again changes nothing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        touched = reasons_reclassify_all()
        if touched:
            task_named("audits.evaluations_dispatch").delay(
                municipality_ids=touched, trigger="terms"
            )
        self.stdout.write(
            f"{len(touched)} municipalit{'y' if len(touched) == 1 else 'ies'} relabelled and "
            f"queued for evaluation in {time.monotonic() - started:.1f}s."
        )
