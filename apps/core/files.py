"""Serving stored files (uploads, answers, declarations, notes) to the people allowed
to see them: always as a download, never rendered by the browser, never from a path
built from the file's name, and always recorded in the activity log."""

import re
from pathlib import Path, PurePath

from django.http import FileResponse, Http404

from .activity import record_download

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def download_name(original: str, fallback: str) -> str:
    """A file name safe for a Content-Disposition header: letters, digits, . _ -."""
    name = _SAFE.sub("-", PurePath(original or "").name).strip(".-")[:120]
    return name or fallback


def file_download(
    request, *, opened, name: str, what: str, subject=None, municipality=None, reason: str = ""
):
    """Stream an open binary file as an attachment and record the download (and why)."""
    record_download(request, what=what, file_format=Path(name).suffix.lstrip(".") or "file",
                    subject=subject, municipality=municipality, reason=reason)  # fmt: skip
    response = FileResponse(
        opened, as_attachment=True, filename=name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def field_file_download(request, field_file, *, name: str, what: str, subject=None):
    """`file_download` for a FileField's file; 404 when there is none."""
    if not field_file:
        raise Http404("No file attached.")
    try:
        opened = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer stored.") from None
    return file_download(request, opened=opened, name=name, what=what, subject=subject)
