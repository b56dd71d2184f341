from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.sharing.partitions import searches_retention


class Command(BaseCommand):
    help = (
        "Drop the searches of the months entirely older than --older-than-months "
        "(default PORTAL_SEARCH_RETENTION_MONTHS, 84: seven years). The searches table is "
        "partitioned by month; each expired month's partition is detached and dropped, "
        "and the search-day counts of its days recounted. Findings, their evidence (the "
        "files and lines they cite) and the uploaded exports stay. 625 ILCS 5/2-130 sets no "
        "retention limit: seven years is the portal's default, long enough to reopen any "
        "recent finding from its searches; set the setting to the state's records "
        "schedule. The drop is recorded in the activity log. --dry-run only lists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-months",
            type=int,
            default=None,
            help="Months to keep (default: PORTAL_SEARCH_RETENTION_MONTHS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be dropped, drop nothing."
        )

    def handle(self, *args, older_than_months, dry_run, **options):
        months = older_than_months
        if months is None:
            months = settings.PORTAL_SEARCH_RETENTION_MONTHS
        if months < 1:
            raise CommandError("--older-than-months must be at least 1.")
        kept = searches_retention(older_than_months=months, dry_run=dry_run)
        verb = "Would drop" if dry_run else "Dropped"
        self.stdout.write(
            f"Searches before {kept.cutoff:%Y-%m-%d} ({months} months): {verb} "
            f"{len(kept.partitions)} monthly partition(s), {kept.searches} search(es)."
        )
        for name in kept.partitions:
            self.stdout.write(f"  {name}")
