"""The activity log: every write to blocklists, rules, term lists, findings,
declarations, memberships and uploads, and every export of personal data, with who,
what, when and from where, chained by hash.

`record()` appends in the caller's transaction, so an entry exists exactly when the
change it describes was committed. Appending takes a transaction-level advisory lock,
numbers the entry after the last committed one and hashes it with the previous hash;
callers append last, just before their commit, so the lock is held only for the commit.

Who and from where come from the request (`ActivityContextMiddleware`); outside a
request (Celery tasks, commands) the actor is "system".
"""

import contextvars
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from .client_address import client_address
from .models import ActivityEntry

# Advisory lock serialising appends (one chain for the whole portal).
ACTIVITY_LOCK = 7310
GENESIS = "0" * 64

_actor: contextvars.ContextVar = contextvars.ContextVar("activity_actor", default=None)
_ip: contextvars.ContextVar = contextvars.ContextVar("activity_ip", default=None)


def entry_hash(
    *, seq: int, at, actor_id, actor_label: str, ip, action: str, subject_type: str,
    subject_id: str, subject_label: str, municipality_id, detail, prev_hash: str,
) -> str:  # fmt: skip
    """SHA-256 of the entry's fields in a canonical JSON form."""
    canonical = json.dumps(
        [seq, at.astimezone(UTC).isoformat(), actor_id, actor_label, ip, action,
         subject_type, subject_id, subject_label, municipality_id, detail, prev_hash],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hash_of(entry: ActivityEntry, prev_hash: str) -> str:
    return entry_hash(
        seq=entry.seq, at=entry.at, actor_id=entry.actor_id, actor_label=entry.actor_label,
        ip=entry.ip, action=entry.action, subject_type=entry.subject_type,
        subject_id=entry.subject_id, subject_label=entry.subject_label,
        municipality_id=entry.municipality_id, detail=entry.detail, prev_hash=prev_hash,
    )  # fmt: skip


def _normal_ip(ip: str | None) -> str | None:
    # As PostgreSQL's inet type gives it back, so that the hash can be checked later.
    try:
        return ipaddress.ip_address(ip).compressed if ip else None
    except ValueError:
        return None


class request_context:
    """Set who and from where for the activity recorded inside (a request, a test)."""

    def __init__(self, user, ip: str | None):
        self.user, self.ip = user, _normal_ip(ip)

    def __enter__(self):
        self._tokens = (_actor.set(self.user), _ip.set(self.ip))
        return self

    def __exit__(self, *exc):
        _actor.reset(self._tokens[0])
        _ip.reset(self._tokens[1])


def _plain(detail):
    # JSON round trip: what is hashed is exactly what PostgreSQL gives back.
    return json.loads(json.dumps(detail or {}, default=str))


def record(
    action: str,
    *,
    subject: Model | None = None,
    subject_label: str = "",
    municipality=None,
    detail: dict | None = None,
    actor=None,
) -> ActivityEntry:
    """Append one entry (inside the caller's transaction)."""
    user = actor if actor is not None else _actor.get()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    municipality_id = getattr(municipality, "pk", municipality)
    if municipality_id is None and subject is not None:
        municipality_id = getattr(subject, "municipality_id", None)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ACTIVITY_LOCK])
        last = ActivityEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        entry = ActivityEntry(
            seq=seq,
            at=timezone.now(),
            actor=user,
            actor_label=user.get_username() if user else "system",
            ip=_ip.get(),
            action=action,
            subject_type=subject._meta.label_lower if subject is not None else "",
            subject_id=str(subject.pk) if subject is not None else "",
            subject_label=(subject_label or (str(subject) if subject is not None else ""))[:255],
            municipality_id=municipality_id,
            detail=_plain(detail),
            prev_hash=prev_hash,
        )
        entry.hash = _hash_of(entry, prev_hash)
        entry.save(force_insert=True)
    return entry


@dataclass
class Problem:
    seq: int
    message: str


def verify(*, chunk: int = 5000) -> Iterator[Problem]:
    """Walk the chain from the first entry; yield every break found."""
    expected_seq, prev_hash = 1, GENESIS
    entries = ActivityEntry.objects.order_by("seq").iterator(chunk_size=chunk)
    for entry in entries:
        if entry.seq != expected_seq:
            missing = (
                f"entry {expected_seq} is missing"
                if entry.seq == expected_seq + 1
                else f"entries {expected_seq} to {entry.seq - 1} are missing"
            )
            yield Problem(expected_seq, f"{missing} (deleted from the database)")
        if entry.prev_hash != prev_hash:
            yield Problem(entry.seq, f"entry {entry.seq} does not follow the entry before it")
        if _hash_of(entry, entry.prev_hash) != entry.hash:
            yield Problem(entry.seq, f"entry {entry.seq} was changed after it was written")
        expected_seq, prev_hash = entry.seq + 1, entry.hash


def head() -> tuple[int, str]:
    """The last entry's number and hash (note them elsewhere to detect a cut tail)."""
    last = ActivityEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last or (0, GENESIS)


class ActivityContextMiddleware:
    """Makes the signed-in user and the client's address the actor of what a request
    records. Behind a proxy, list it in PORTAL_TRUSTED_PROXIES (see client_address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request.user, client_address(request)):
            return self.get_response(request)


def on_signed_in(sender, request, user, **kwargs):
    with request_context(user, client_address(request) if request else None):
        record("account.signed_in", subject=user, actor=user)


def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        with request_context(user, client_address(request) if request else None):
            record("account.signed_out", subject=user, actor=user)


def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    # The username as typed (never the password), to see guessing and lockouts.
    with request_context(None, client_address(request) if request else None):
        record("account.sign_in_failed",
               detail={"username": str(credentials.get("username", ""))[:150]})  # fmt: skip


def record_download(
    request, *, what: str, file_format: str, subject=None, municipality=None, reason: str = ""
):
    """Put a download (a list export, a report, a stored file) in the activity log, with
    the reason the person gave for it when one was asked."""
    if municipality is None:
        municipality = getattr(request, "municipality", None)
    # PostgreSQL keeps no NUL character, in JSON or in text: a crafted query string is
    # kept as typed but for its NULs, shown as U+FFFD.
    filters = {
        key.replace("\x00", "\ufffd"): value.replace("\x00", "\ufffd")
        for key, value in request.GET.items()
        if key != "export"
    }
    detail = {"what": what, "format": file_format, "path": request.path, "filters": filters}
    if reason:
        detail["reason"] = reason
    record(
        "download", subject=subject, subject_label=what, municipality=municipality, detail=detail
    )
