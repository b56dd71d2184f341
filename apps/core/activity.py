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

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from . import locks
from .client_address import client_address
from .models import ActivityEntry

GENESIS = "0" * 64

# What each action code means to a reader, by area, in the order the activity page's
# filter lists them. Every code passed to `record()` (or made by `change_record()` from
# the model's name and the change) has a label here; tests/core/test_walk_fixes.py reads
# apps/ for the codes and fails on one without a label.
ACTION_AREAS: dict[str, tuple[str, dict[str, str]]] = {
    "accounts": ("Sign-in and accounts", {
        "account.signed_in": "Signed in",
        "account.signed_out": "Signed out",
        "account.sign_in_failed": "Sign-in failed",
        "account.sign_in_held": "Sign-in held back after failures",
        "account.unlocked": "Sign-in lockout lifted",
        "account.two_factor_added": "Two-factor authenticator added",
        "account.two_factor_removed": "Two-factor authenticator removed",
        "account.two_factor_verified": "Two-factor code accepted",
        "account.two_factor_failed": "Two-factor code refused",
        "account.two_factor_password_failed": "Wrong password to change two-factor sign-in",
        "account.backup_codes_generated": "Backup codes made",
        "account.backup_code_used": "Backup code used",
        "user.created": "Account created",
        "user.changed": "Account changed",
    }),
    "uploads": ("Uploads", {
        "export.uploaded": "Export uploaded",
        "export.loaded": "Export loaded",
        "export.rejected": "Export rejected",
        "export.original_purged": "Uploaded original purged",
        "searches.retention_dropped": "Searches past retention dropped",
    }),
    "findings": ("Findings and evaluations", {
        "findings.evaluated": "Municipality evaluated",
        "finding.acknowledge": "Finding acknowledged",
        "finding.remediate": "Finding remediated",
        "finding.verify": "Remediation verified",
        "finding.reject_remediation": "Remediation rejected",
        "finding.dismiss": "Finding dismissed",
        "finding.reopen": "Finding reopened",
        "finding.assigned": "Finding assigned",
    }),
    "engagements": ("Audit engagements", {
        "engagement.created": "Engagement opened",
        "engagement.changed": "Engagement changed",
        "engagement.note_added": "Engagement note added",
    }),
    "declarations": ("Declarations", {
        "declaration.added": "Declaration recorded",
    }),
    "rules": ("Rules and lists", {
        "blocklistentry.created": "Blocklist entry added",
        "blocklistentry.changed": "Blocklist entry changed",
        "blocklistentry.retired": "Blocklist entry retired",
        "rule.changed": "Rule changed",
        "rulepack.changed": "Rule pack changed",
        "reasonterm.created": "Reason term added",
        "reasonterm.changed": "Reason term changed",
    }),
    "agencies": ("Agency directory", {
        "agency.changed": "Agency changed",
        "agency.retired": "Agency merged into another",
        "agreementimport.imported": "ICE's 287(g) list imported",
        "immigrationagreement.changed": "287(g) agreement changed or ended",
    }),
    "downloads": ("Downloads", {
        "download": "Download",
    }),
}  # fmt: skip
ACTION_LABELS: dict[str, str] = {
    code: label for _, labels in ACTION_AREAS.values() for code, label in labels.items()
}


def action_label(code: str) -> str:
    """The reader's words for an action code (the code itself if it has none yet)."""
    return ACTION_LABELS.get(code, code)


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
        locks.ACTIVITY.take()
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
