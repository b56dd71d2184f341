from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.agencies.registry_file import RegistryFileRejected
from apps.agencies.services import registry_import


class Command(BaseCommand):
    help = (
        "Import ICE's list of 287(g) partner agencies (XLSX as ICE publishes it, or CSV "
        "with its columns): rows matched to the agency directory or queued for review, "
        "agreements no longer listed ended on today's date."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--actor",
            default="",
            help="username of the administrator importing the list (required: the "
            "agreements' history says who imported each list)",
        )

    def handle(self, *args, path: Path, actor: str, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if not actor:
            raise CommandError(
                "--actor is required: give the username of the administrator importing "
                "the list (the agreements' history names them)."
            )
        user = User.objects.filter(username=actor).first()
        if user is None or not user.is_state_administrator:
            raise CommandError(f"{actor!r} is not an administrator of the portal.")
        try:
            imported = registry_import(path=path, file_name=path.name, actor=user)
        except RegistryFileRejected as refusal:
            raise CommandError(str(refusal)) from None
        for problem in imported.problems:
            self.stderr.write(problem)
        record = imported.record
        self.stdout.write(
            f"matched {record.matched} / queued {record.queued} / ended {record.ended} / "
            f"unchanged {record.unchanged}"
        )
        self.stdout.write(
            f"{record.rows} rows: {record.matched} matched, {record.queued} queued, "
            f"{imported.skipped} left out as repeats; {record.added} agreements added, "
            f"{record.changed} changed."
        )
