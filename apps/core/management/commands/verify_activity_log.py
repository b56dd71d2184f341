"""Check the activity log's hash chain: `python manage.py verify_activity_log`.

Exits 0 and prints the head (last entry's number and hash) when every entry is intact;
exits 1 and lists each break otherwise. Keep the printed head somewhere else (the audit
file, a ticket): `--expect-head SEQ:HASH` then also detects entries cut from the end.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from apps.core.activity import head, verify
from apps.core.models import ActivityEntry


class Command(BaseCommand):
    help = "Verify that no activity log entry was changed or deleted."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="a head printed by an earlier run, which must still be in the chain",
        )

    def handle(self, *args, expect_head=None, **options):
        problems = [problem.message for problem in verify()]
        if expect_head:
            # ASCII digits and hex only: str.isdigit() also passes "²", which int() refuses.
            if not re.fullmatch(r"[0-9]{1,18}:[0-9a-f]{64}", expect_head):
                raise CommandError("--expect-head takes SEQ:HASH as this command prints it.")
            seq, _, digest = expect_head.partition(":")
            kept = ActivityEntry.objects.filter(seq=int(seq)).values_list("hash", flat=True)
            if not kept:
                problems.append(f"entry {seq}, the expected head, is missing (deleted)")
            elif kept[0] != digest:
                problems.append(f"entry {seq} is not the expected head (changed)")
        if problems:
            for message in problems:
                self.stderr.write(f"BROKEN: {message}")
            raise SystemExit(1)
        seq, digest = head()
        self.stdout.write(f"The activity log is intact: {seq} entries. Head {seq}:{digest}")
