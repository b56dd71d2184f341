"""Sign-in limits: failed sign-ins slow, then lock, a username and a client address.

Failures are counted twice, in `SignInLimit` rows: by the username as typed (across
every address, so guessing one account from many machines is slowed) and by the client
address (across every username, so password spraying from one address is slowed).
Unknown usernames are counted like real ones, so the limits never tell whether an
account exists. For each kind, with its own thresholds (settings `PORTAL_SIGN_IN_*`):

1. The first `free` failures cost nothing.
2. From then on each try must wait after the last failure: the first delay, doubled
   with each further failure, up to the maximum delay. A try inside the wait is
   refused before any password is checked, so it costs no hash and counts as nothing.
3. At `lock` failures the key is locked for the lockout period (0: until an
   administrator lifts it). One more failure after the period locks it again.
4. After a quiet period without failures the count starts again from zero.

A successful sign-in clears its username's count, never its address's: otherwise one
account the sprayer owns would wipe the address's count between guesses. IPv6 clients
are counted by their /64 network, the block one subscriber is usually given.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.core import activity

from .models import SignInLimit, User


@dataclass(frozen=True)
class Policy:
    free_failures: int
    lock_failures: int


def policy_for(kind: str) -> Policy:
    if kind == SignInLimit.Kind.USERNAME:
        return Policy(
            free_failures=settings.PORTAL_SIGN_IN_USERNAME_FREE_FAILURES,
            lock_failures=settings.PORTAL_SIGN_IN_USERNAME_LOCK_FAILURES,
        )
    return Policy(
        free_failures=settings.PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES,
        lock_failures=settings.PORTAL_SIGN_IN_ADDRESS_LOCK_FAILURES,
    )


@dataclass(frozen=True)
class Hold:
    """Why and until when a sign-in is refused without checking its password."""

    kind: str
    key: str
    locked: bool
    until: datetime | None  # None: until an administrator lifts it

    def seconds_left(self, *, now: datetime) -> int | None:
        if self.until is None:
            return None
        return max(1, int((self.until - now).total_seconds() + 0.999))


def address_key(address: str) -> str:
    """What a client address is counted under: itself, or its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:150]
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _keys(*, username: str, address: str) -> list[tuple[str, str]]:
    keys = [(SignInLimit.Kind.USERNAME.value, username[:150])]
    if address:
        keys.append((SignInLimit.Kind.ADDRESS.value, address_key(address)))
    return keys


# Longer than any password check: how long an allowed try holds a slowed key's turn.
CLAIM = timedelta(seconds=10)


def _in_force(*, now: datetime) -> Q:
    return Q(retry_after__gt=now) | Q(locked_at__isnull=False, retry_after__isnull=True)


def _holds(limit: SignInLimit, *, now: datetime) -> bool:
    if limit.retry_after is None:
        return limit.locked_at is not None
    return limit.retry_after > now


def _hold_of(limit: SignInLimit) -> Hold:
    return Hold(
        kind=limit.kind,
        key=limit.key,
        locked=limit.locked_at is not None,
        until=limit.retry_after,
    )


def _limits(*, username: str, address: str) -> list[SignInLimit]:
    match = Q()
    for kind, key in _keys(username=username, address=address):
        match |= Q(kind=kind, key=key)
    return list(SignInLimit.objects.filter(match))


def _longest(holds: list[Hold], *, now: datetime) -> Hold | None:
    if not holds:
        return None
    return max(holds, key=lambda hold: (hold.until is None, hold.until or now, hold.locked))


@dataclass(frozen=True)
class SignInTurn:
    """The outcome of the check before a password: refused (`hold`), or allowed, and then
    holding each slowed key's turn until `claimed_until`."""

    hold: Hold | None
    claimed_until: datetime | None = None


def _held(*, username: str, hold: Hold) -> SignInTurn:
    activity.record(
        "account.sign_in_held",
        subject_label=username[:150],
        detail={
            "username": username[:150],
            "held_by": hold.kind,
            "locked": hold.locked,
            "until": hold.until.isoformat() if hold.until else None,
        },
    )
    return SignInTurn(hold=hold)


def sign_in_check(*, username: str, address: str) -> SignInTurn:
    """Call before checking a password. A held sign-in is recorded in the activity log.

    Once a key is past its free failures, an allowed sign-in also takes that key's turn:
    a conditional UPDATE moves the key's wait to `CLAIM` from now, so requests sent
    together cannot all pass the check before the first failure is counted; the first
    takes the turn, the others are held. A failure then sets the real wait, a success
    gives the turn back (`sign_in_success_record`), and a crash leaves it to lapse.
    """
    now = timezone.now()
    limits = _limits(username=username, address=address)
    in_force = [_hold_of(limit) for limit in limits if _holds(limit, now=now)]
    hold = _longest(in_force, now=now)
    if hold is not None:
        return _held(username=username, hold=hold)
    claimed_until = None
    for limit in limits:
        if limit.failures < policy_for(limit.kind).free_failures:
            continue
        claimed_until = now + CLAIM
        taken = (
            SignInLimit.objects.filter(pk=limit.pk)
            .exclude(_in_force(now=now))
            .update(retry_after=claimed_until)
        )
        if not taken:
            limit.refresh_from_db()
            return _held(username=username, hold=_hold_of(limit))
    return SignInTurn(hold=None, claimed_until=claimed_until)


def _delay_after(failures: int, *, policy: Policy) -> timedelta | None:
    """The wait before the next try: none while failures stay under the free ones, then
    the first delay, doubled with each further failure, up to the maximum."""
    over = failures - policy.free_failures
    if over < 0:
        return None
    first = settings.PORTAL_SIGN_IN_FIRST_DELAY_SECONDS
    # The exponent is bounded so that a long run of failures never makes a huge number.
    seconds = min(first * 2 ** min(over, 32), settings.PORTAL_SIGN_IN_MAX_DELAY_SECONDS)
    return timedelta(seconds=seconds)


_COUNT_FAILURE = """
    INSERT INTO {table} AS limits
        (kind, key, failures, first_failure_at, last_failure_at, retry_after, locked_at)
    VALUES (%(kind)s, %(key)s, 1, %(now)s, %(now)s, NULL, NULL)
    ON CONFLICT (kind, key) DO UPDATE SET
        failures = CASE WHEN limits.last_failure_at < %(quiet_since)s THEN 1
                        ELSE limits.failures + 1 END,
        first_failure_at = CASE WHEN limits.last_failure_at < %(quiet_since)s THEN %(now)s
                                ELSE limits.first_failure_at END,
        last_failure_at = %(now)s
    RETURNING id, failures
"""


@transaction.atomic
def sign_in_failure_record(*, username: str, address: str) -> None:
    """Count a failed sign-in against the username and the address.

    The count is raised in the database (INSERT ... ON CONFLICT DO UPDATE), which also
    locks the row until commit, so simultaneous failures each count and the wait set
    afterwards follows from the count they left.
    """
    now = timezone.now()
    quiet_since = now - timedelta(hours=settings.PORTAL_SIGN_IN_QUIET_HOURS)
    sql = _COUNT_FAILURE.format(table=connection.ops.quote_name(SignInLimit._meta.db_table))
    for kind, key in _keys(username=username, address=address):
        with connection.cursor() as cursor:
            cursor.execute(sql, {"kind": kind, "key": key, "now": now, "quiet_since": quiet_since})
            limit_id, failures = cursor.fetchone()
        policy = policy_for(kind)
        if failures >= policy.lock_failures:
            minutes = settings.PORTAL_SIGN_IN_LOCKOUT_MINUTES
            locked_at, retry_after = now, (now + timedelta(minutes=minutes) if minutes else None)
        else:
            delay = _delay_after(failures, policy=policy)
            locked_at, retry_after = None, (now + delay if delay else None)
        SignInLimit.objects.filter(pk=limit_id).update(locked_at=locked_at, retry_after=retry_after)


def sign_in_success_record(*, username: str, address: str, turn: SignInTurn) -> None:
    """A correct password clears the username's count (never the address's) and gives
    back the address's turn if this sign-in took it."""
    SignInLimit.objects.filter(kind=SignInLimit.Kind.USERNAME, key=username[:150]).delete()
    if turn.claimed_until is not None and address:
        SignInLimit.objects.filter(
            kind=SignInLimit.Kind.ADDRESS, key=address_key(address), retry_after=turn.claimed_until
        ).update(retry_after=timezone.now())


@transaction.atomic
def sign_in_limit_lift(*, limit: SignInLimit, actor: User) -> None:
    """An administrator lifts a delay or lockout: the key starts again from zero."""
    activity.record(
        "account.unlocked",
        subject=User.objects.filter(username=limit.key).first()
        if limit.kind == SignInLimit.Kind.USERNAME
        else None,
        subject_label=f"{limit.get_kind_display()} {limit.key}",
        detail={
            "kind": limit.kind,
            "key": limit.key,
            "failures": limit.failures,
            "locked": limit.locked_at is not None,
        },
        actor=actor,
    )
    SignInLimit.objects.filter(pk=limit.pk).delete()


def sign_in_limits_in_force() -> QuerySet[SignInLimit]:
    """Usernames and addresses that are delayed or locked now, latest failure first."""
    return SignInLimit.objects.filter(_in_force(now=timezone.now())).order_by("-last_failure_at")


def sign_in_limits_purge_stale() -> int:
    """Forget counts that have been quiet for the quiet period and hold nothing."""
    quiet_since = timezone.now() - timedelta(hours=settings.PORTAL_SIGN_IN_QUIET_HOURS)
    deleted, _ = (
        SignInLimit.objects.filter(last_failure_at__lt=quiet_since)
        .exclude(_in_force(now=timezone.now()))
        .delete()
    )
    return deleted
