"""Uploaded files on disk, named by their SHA-256 and never by what the uploader called
them: no path is ever built from a file name."""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


class UploadTooLarge(Exception):
    pass


class UploadEmpty(Exception):
    pass


def export_path(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(settings.MEDIA_ROOT) / "exports" / sha256[:2] / sha256


def export_store(chunks, *, max_bytes: int) -> tuple[str, int, Path]:
    """Write `chunks` to the content-addressed store; return (sha256, size, path).

    Stops and deletes the partial file as soon as it passes `max_bytes`.
    """
    incoming = Path(settings.MEDIA_ROOT) / "exports" / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=incoming)
    try:
        with os.fdopen(handle, "wb") as target:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge
                digest.update(chunk)
                target.write(chunk)
        if size == 0:
            raise UploadEmpty
        sha256 = digest.hexdigest()
        final = export_path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, final)
        final.chmod(0o440)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return sha256, size, final
