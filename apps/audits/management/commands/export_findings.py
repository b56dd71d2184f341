import csv
import json
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError

from apps.audits.selectors import findings_for_export
from apps.core.spreadsheets import iso_time, safe_cell
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope, statewide_scope

COLUMNS = ["rule", "severity", "status", "municipality", "agency", "subject", "citation",
           "evidence", "first_seen", "last_seen", "summary"]  # fmt: skip


def _json_value(value) -> str:
    # Times in ISO 8601 with the offset, in the portal's zone, as in the downloads.
    if isinstance(value, datetime):
        return iso_time(value)
    return value.isoformat() if isinstance(value, date) else str(value)


class Command(BaseCommand):
    help = "Print every finding (of one municipality, or all) as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="municipality slug; default: all")
        parser.add_argument("--format", choices=["json", "csv"], required=True)

    def handle(self, *args, municipality=None, format="json", **options):
        if municipality:
            try:
                tenant = Municipality.objects.get(slug=municipality)
            except Municipality.DoesNotExist:
                raise CommandError(f"No municipality with slug {municipality!r}") from None
            scope = municipality_scope(tenant)
        else:
            scope = statewide_scope()
        with scope:
            rows = list(findings_for_export())
        if format == "json":
            self.stdout.write(json.dumps(rows, indent=2, default=_json_value))
            return
        writer = csv.writer(self.stdout)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([safe_cell(row[column]) for column in COLUMNS])
