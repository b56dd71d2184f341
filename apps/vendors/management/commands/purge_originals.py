from django.conf import settings
from django.core.management.base import BaseCommand

from apps.vendors.services import originals_purge


class Command(BaseCommand):
    help = (
        "Remove the uploaded originals of exports received more than "
        "PORTAL_ORIGINAL_RETENTION_DAYS ago (what was loaded from them stays). "
        "Celery beat runs the same every night."
    )

    def handle(self, *args, **options):
        purged = originals_purge()
        self.stdout.write(
            f"Originals older than {settings.PORTAL_ORIGINAL_RETENTION_DAYS} days: "
            f"{purged.exports} export(s) purged, {purged.files_removed} file(s) removed, "
            f"{purged.files_kept} kept for a newer upload of the same content."
        )
