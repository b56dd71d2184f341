from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.audits.evaluation import municipality_evaluate
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope
from apps.vendors.loading import export_load
from apps.vendors.models import Vendor, VendorExport
from apps.vendors.services import UploadRefused, export_receive
from apps.vendors.tasks import export_ingest


def _chunks(path: Path, size: int = 1024 * 1024):
    with path.open("rb") as source:
        while chunk := source.read(size):
            yield chunk


class Command(BaseCommand):
    help = "Store a vendor export for a municipality and load it (the upload form's path)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", required=True, help="municipality slug")
        parser.add_argument("--vendor", required=True, help="vendor slug: flock, motorola, other")
        parser.add_argument(
            "--kind", default="", choices=["", *VendorExport.Kind.values], help="default: detect"
        )
        parser.add_argument(
            "--queue", action="store_true", help="hand the load to a Celery worker and return"
        )

    def handle(self, *args, path: Path, municipality: str, vendor: str, kind: str, queue, **opts):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            tenant = Municipality.objects.get(slug=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"No municipality with slug {municipality!r}") from None
        try:
            vendor_row = Vendor.objects.get(slug=vendor)
        except Vendor.DoesNotExist:
            slugs = ", ".join(Vendor.objects.values_list("slug", flat=True))
            raise CommandError(f"No vendor {vendor!r}; choose one of: {slugs}") from None
        with municipality_scope(tenant):
            try:
                received = export_receive(
                    municipality=tenant,
                    vendor=vendor_row,
                    kind=kind,
                    original_name=path.name,
                    chunks=_chunks(path),
                    uploaded_by=None,
                    queue=False,
                )
            except UploadRefused as refusal:
                raise CommandError(refusal.message) from None
            export = received.export
            if received.already_uploaded:
                self.stdout.write(f"Already uploaded as export {export.pk} ({export.status}).")
                return
            if queue:
                export_ingest.delay(municipality_id=tenant.pk, export_id=export.pk)
                self.stdout.write(f"Export {export.pk} queued.")
                return
            export = export_load(export_id=export.pk)
            if export.status == VendorExport.Status.LOADED:
                run = municipality_evaluate(municipality=tenant, trigger="upload")
                self.stdout.write(f"Evaluated: {run.counts}")
        if export.status == VendorExport.Status.REJECTED:
            raise CommandError(f"Export {export.pk} rejected: {export.message}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Export {export.pk} loaded ({export.file_format}): {export.rows_loaded} rows, "
                f"{export.rows_rejected} rejected, {export.rows_duplicate} duplicate."
            )
        )
