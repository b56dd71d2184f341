"""Uploaded vendor exports on disk: named by the SHA-256 of their content and never by
what the uploader called them (no path is ever built from a file name), and encrypted
at rest (apps/core/encrypted_files.py) from the first byte written.

The SHA-256 is that of the plaintext, so the same file uploaded twice is still
recognised. The loader reads a decrypted copy in a private temporary file.
"""

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from apps.core.encrypted_files import CHUNK_SIZE, encrypted_chunks, open_decrypted


class UploadTooLarge(Exception):
    pass


class UploadEmpty(Exception):
    pass


@dataclass(frozen=True)
class StagedUpload:
    """An upload encrypted into the incoming directory, not yet at its address."""

    sha256: str
    size: int
    path: Path

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def export_path(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(settings.MEDIA_ROOT) / "exports" / sha256[:2] / sha256


def _work_directory() -> Path:
    # Plaintext copies live here while a load reads them: only the portal's user may enter.
    work = Path(settings.MEDIA_ROOT) / "work"
    work.mkdir(mode=0o700, parents=True, exist_ok=True)
    work.chmod(0o700)
    return work


def export_stage(chunks: Iterable[bytes], *, max_bytes: int) -> StagedUpload:
    """Encrypt `chunks` into a temporary file of the incoming directory.

    Stops and deletes the partial file as soon as it passes `max_bytes`.
    """
    incoming = Path(settings.MEDIA_ROOT) / "exports" / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0

    def counted() -> Iterator[bytes]:
        nonlocal size
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge
            digest.update(chunk)
            yield chunk

    handle, temporary = tempfile.mkstemp(dir=incoming)
    try:
        with os.fdopen(handle, "wb") as target:
            for piece in encrypted_chunks(counted()):
                target.write(piece)
        if size == 0:
            raise UploadEmpty
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return StagedUpload(sha256=digest.hexdigest(), size=size, path=Path(temporary))


def export_keep(staged: StagedUpload) -> Path:
    """Move a staged upload to its content address (replacing a copy already there)."""
    final = export_path(staged.sha256)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, final)
    final.chmod(0o440)
    return final


def export_store(chunks: Iterable[bytes], *, max_bytes: int) -> tuple[str, int, Path]:
    """Stage and keep `chunks` at once; return (sha256, size, path)."""
    staged = export_stage(chunks, max_bytes=max_bytes)
    return staged.sha256, staged.size, export_keep(staged)


def export_open(sha256: str):
    """The stored export's plaintext as a binary stream; FileNotFoundError if it is gone."""
    return open_decrypted(export_path(sha256))


@contextmanager
def export_decrypted(sha256: str) -> Iterator[Path]:
    """The stored export's plaintext in a temporary file (0600, in the portal's work
    directory), deleted on leaving: the parsers need a path and, for XLSX, random access.
    """
    with export_open(sha256) as source:
        handle, name = tempfile.mkstemp(dir=_work_directory(), prefix="export-")
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK_SIZE)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def export_work_sweep(*, older_than: timedelta) -> int:
    """Delete plaintext copies a killed worker left behind; return how many."""
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in _work_directory().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
