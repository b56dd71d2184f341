import time

from django.core.management.base import BaseCommand, CommandError

from apps.municipalities.models import Municipality
from apps.sharing.rollups import search_days_rebuild
from apps.sharing.ungranted import ungranted_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the rollups of the searches from the searches and grants, for the "
        "--municipality slugs given or for all: the searches per day, agency and label "
        "(what the dashboards count, and where the rules find a blocklisted agency's "
        "searches) and the searches without a grant (what the search-without-grant rule "
        "reads). Loads, reloads, agency merges and retention keep both as they go; run "
        "this after a repair by hand, a change of PORTAL_HOME_STATE or TIME_ZONE, or on a "
        "state generated with SQL, then `evaluate --all --force` (the nightly run does not "
        "see a recount as a change). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", action="append", default=[], metavar="SLUG")

    def handle(self, *args, municipality, **options):
        ids = None
        if municipality:
            found = dict(
                Municipality.objects.filter(slug__in=municipality).values_list("slug", "pk")
            )
            if missing := sorted(set(municipality) - set(found)):
                raise CommandError(f"No municipality with slug {', '.join(missing)}")
            ids = list(found.values())
        started = time.monotonic()
        days = search_days_rebuild(municipality_ids=ids)
        ungranted = ungranted_rebuild(municipality_ids=ids)
        self.stdout.write(
            f"{days} day row(s) and {ungranted} row(s) of searches without a grant written"
            f" in {time.monotonic() - started:.1f}s."
        )
        self.stdout.write(
            "Findings still reflect the old counts: run `manage.py evaluate --all --force`"
            " (add --queue to spread it over the workers)."
        )
