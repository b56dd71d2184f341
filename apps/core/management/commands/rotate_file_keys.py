"""Re-encrypt every stored file under the first key of PORTAL_FILE_KEYS:
`python manage.py rotate_file_keys`.

Rotating a key: put the new key first in PORTAL_FILE_KEYS and keep the old ones after
it, restart the web and worker processes, run this command, then remove the old keys
and restart again. Files stored in clear before encryption at rest are encrypted too.
Running it again changes nothing: files already under the first key are left alone.
"""

import re
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.core import locks
from apps.core.encrypted_files import EncryptedFileError, file_reencrypt, is_encrypted

_ORIGINAL = re.compile(r"exports/[0-9a-f]{2}/(?P<sha256>[0-9a-f]{64})")
# Files being written or decrypted for a load, not stored files.
_SKIPPED = ("exports/incoming/", "work/")


def stored_files(root: Path):
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and not relative.startswith(_SKIPPED)
            and not path.name.startswith(".rotating-")
        ):
            yield path, relative


class Command(BaseCommand):
    help = "Re-encrypt every stored file under the first key of PORTAL_FILE_KEYS."

    def handle(self, *args, **options):
        root = Path(settings.MEDIA_ROOT)
        counts: Counter[str] = Counter()
        failed: list[str] = []
        for path, relative in stored_files(root):
            original = _ORIGINAL.fullmatch(relative)
            try:
                with transaction.atomic():
                    # An original is not rewritten while a purge removes it, nor after.
                    if original:
                        locks.ORIGINAL.take(original["sha256"])
                        if not path.exists():
                            continue
                    if not is_encrypted(path) and time.time() - path.stat().st_mtime < 60:
                        # Not a file from before encryption: one still being written.
                        counts["busy"] += 1
                        continue
                    counts[file_reencrypt(path)] += 1
            except EncryptedFileError as error:
                failed.append(f"{relative}: {error}")
        self.stdout.write(
            f"{counts['rotated']} file(s) re-encrypted from an older key, "
            f"{counts['encrypted']} encrypted (stored in clear before), "
            f"{counts['current']} already under the first key, {len(failed)} failed."
            + (f" {counts['busy']} being written, left for the next run." if counts["busy"] else "")
        )
        if failed:
            raise CommandError(
                "These files open with none of PORTAL_FILE_KEYS (was a key removed too "
                "early?) or were changed:\n" + "\n".join(failed)
            )
