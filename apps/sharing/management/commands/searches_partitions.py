from django.core.management.base import BaseCommand

from apps.sharing.partitions import searches_partitions, searches_partitions_ensure


class Command(BaseCommand):
    help = (
        "Create the searches table's monthly partitions for this month and the next "
        "--months-ahead (default 3), and for the months of any searches waiting in the "
        "DEFAULT partition, moving them there. Celery beat runs the same every night; "
        "running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=3)

    def handle(self, *args, months_ahead, **options):
        created = searches_partitions_ensure(months_ahead=months_ahead)
        for name in created:
            self.stdout.write(f"Created {name}")
        self.stdout.write(
            f"{len(created)} partition(s) created; {len(searches_partitions())} monthly "
            "partition(s) in all."
        )
