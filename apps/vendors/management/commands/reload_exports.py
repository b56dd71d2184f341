from django.core.management.base import BaseCommand, CommandError

from apps.municipalities.models import Municipality
from apps.vendors.models import VendorExport
from apps.vendors.reloading import RELOADABLE_FORMATS, exports_reload


class Command(BaseCommand):
    help = (
        "Load sharing lists again from their stored originals (after a parser fix) and "
        "evaluate each affected municipality again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=RELOADABLE_FORMATS)
        parser.add_argument("--municipality", help="municipality slug (default: all)")

    def handle(self, *args, format: str, municipality: str | None, **options):
        tenant = None
        if municipality:
            tenant = Municipality.objects.filter(slug=municipality).first()
            if tenant is None:
                raise CommandError(f"No municipality with slug {municipality!r}")
        outcomes = exports_reload(format_key=format, municipality=tenant)
        if not outcomes:
            self.stdout.write(f"No loaded {format} exports to reload.")
        for outcome in outcomes:
            where = f"{outcome.municipality.name} ({outcome.vendor_name})"
            if outcome.skipped:
                self.stdout.write(self.style.WARNING(f"{where}: skipped, {outcome.skipped}."))
                continue
            for export in outcome.reloaded:
                if export.status == VendorExport.Status.LOADED:
                    result = f"{export.rows_loaded} grants, {export.rows_rejected} rejected"
                else:
                    result = f"rejected: {export.message}"
                self.stdout.write(f"{where}: export {export.pk} {export.original_name}: {result}")
            self.stdout.write(f"{where}: evaluated, {outcome.evaluation.counts}")
