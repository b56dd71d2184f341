"""Every lock the portal coordinates its writers with, and the one order a transaction
takes them in.

All of them are transaction-level: advisory locks (`pg_advisory_xact_lock`, released at
commit or rollback, and at the rollback of a savepoint taken before them) and, for the
findings and the status rows, row locks (`SELECT … FOR UPDATE`). Two transactions that
take locks in the same order can wait for each other, never deadlock; so a transaction
takes them in ascending rank, and the ids of a per-id lock in ascending order:

1. `ORIGINAL`, per stored file: an upload, a purge and a key rotation take it before
   anything about the file is read or written; none of them takes another lock but the
   activity log's.
2. `INGEST`, per municipality: a load's first lock (and a reload's reset), held for the
   whole load, so everything a load touches after it ranks after it.
3. `SEARCHES`, statewide, shared or exclusive: a load takes it shared right after its
   municipality's; a statewide rewrite of searches (reclassification, agency merge or
   change of state, retention, a rebuild) takes it exclusive before anything else.
4. `PARTITIONS`: retention drops months while it holds `SEARCHES` exclusive; a load's
   months are created after it commits, in a transaction of their own.
5. `REGISTRY`: one import of ICE's 287(g) list at a time; it creates agencies (below)
   as it matches the list's rows.
6. `AGENCY`, 64 buckets of agency names: a load creates agencies after `INGEST` and
   `SEARCHES`.
7. `EVALUATION`, per municipality: a run's first lock. It holds no lock above, and ranks
   after them because it derives from what they guard: a load or a rewrite that ever
   wants its municipalities evaluated in its own transaction takes it then.
8. `FINDING_ROWS`, per municipality (row locks, `FOR UPDATE`, by municipality then
   finding id): a run locks its batch's findings as it reconciles them, a person's step
   the finding it changes, a bulk step all of its findings at once, first.
9. `STATUS_ROWS`, per municipality (row locks): the status rollup is recounted at the
   end of a load, a run and a finding's change, after their other locks, so after the
   findings (a run that skips a municipality as unchanged locks its status row after
   the others' findings too).
10. `ACTIVITY`: one chain for the whole portal, appended last, just before the commit,
    so every writer queues on it only for its commit.

Row locks a transaction waits for take part in the same cycles. The findings and the
status rows are in the order (8, 9). The agencies' rows are not checked, but follow it:
a load locks the rows its searches reference (`FOR KEY SHARE`) after `AGENCY`, under
its shared `SEARCHES`; so a directory change that rewrites searches takes `SEARCHES`
before it locks an agency's row (`row_reread`), never after.

Taking a lock again that the transaction already holds (in the same or a stronger
mode) never waits, so it is always allowed. The try- forms never wait either: they are
never out of order themselves, but what they take counts for the takes after them.

The order is checked as the portal runs: each take is recorded with the transaction
that took it (among its after-commit callbacks, so the rollback of a savepoint forgets
exactly the takes it released), and a take is compared with the highest rank and the
highest id of each per-id lock the transaction holds. A take that breaks the order
raises `LockOrderError` when `settings.DEBUG` or `PORTAL_CHECK_LOCK_ORDER` is on (test
and local settings), and logs an error otherwise.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)


class LockOrderError(RuntimeError):
    """A transaction took a lock out of the portal's one order."""


@dataclass(frozen=True, eq=False)
class Lock:
    name: str
    rank: int
    guards: str
    # The advisory lock's (first) key; None for row locks, which the caller takes itself.
    key: int | None = None
    per_id: bool = False
    # The id is text, hashed by PostgreSQL (`hashtext`) into the second key.
    hashed: bool = False

    def take(self, lock_id: int | str | None = None, *, shared: bool = False) -> None:
        """Wait for the lock (for one id of a per-id lock) until the transaction ends."""
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        params = self._params(lock_id)
        new = _check(self, [lock_id], shared=shared)
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(f"SELECT {function}({self._arguments()})", params)
        _record(self, new, shared=shared)

    def take_many(
        self, ids: Iterable[int], *, alongside: str = "", alongside_params: Sequence = ()
    ) -> None:
        """Wait for the locks of many ids, in ascending order, in one statement (an
        array is unnested in order). `alongside`: more expressions to select in the
        same statement (with `alongside_params`), so a caller that has something to
        set as it locks pays no extra round trip."""
        ordered = sorted(set(ids))
        new = _check(self, ordered, shared=False)
        selected = f"{alongside}, " if alongside else ""
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT {selected}count(pg_advisory_xact_lock(%s, id))"  # noqa: S608 - the caller's constant SQL, values bound # nosec B608
                " FROM unnest(%s::integer[]) AS id",
                [*alongside_params, self._key(), ordered],
            )
        _record(self, new, shared=False)

    def try_take(self, lock_id: int | str | None = None) -> bool:
        """Take the lock if it is free, without waiting; whether it was taken."""
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT pg_try_advisory_xact_lock({self._arguments()})", self._params(lock_id)
            )
            (taken,) = cursor.fetchone()
        if taken and (held := _current(transaction.get_connection())) is not None:
            _record(self, held.new(self, [lock_id], shared=False), shared=False)
        return taken

    def claim(self, ids: Iterable[int]) -> None:
        """Check and record the row locks the caller is about to take on these ids, in
        ascending order (they are not advisory: the caller's own statement takes them)."""
        ordered = sorted(set(ids))
        _record(self, _check(self, ordered, shared=False), shared=False)

    def _key(self) -> int:
        if self.key is None:
            raise TypeError(f"{self.name} is a row lock: its caller takes it")
        return self.key

    def _arguments(self) -> str:
        if not self.per_id:
            return "%s"
        return "%s, hashtext(%s)" if self.hashed else "%s, %s"

    def _params(self, lock_id) -> list:
        if self.per_id != (lock_id is not None):
            raise TypeError(f"{self.name} is {'' if self.per_id else 'not '}taken per id")
        return [self._key(), lock_id] if self.per_id else [self._key()]


ORIGINAL = Lock(
    "ORIGINAL",
    10,
    "one stored original (by content): an upload, a purge or a key rotation of the file",
    key=7305,
    per_id=True,
    hashed=True,
)
INGEST = Lock(
    "INGEST",
    20,
    "one municipality's loads: never two at once, a finished export never loaded again",
    key=7301,
    per_id=True,
)
SEARCHES = Lock(
    "SEARCHES",
    30,
    "all searches: loads hold it shared, statewide rewrites of searches exclusive",
    key=7303,
)
PARTITIONS = Lock(
    "PARTITIONS",
    40,
    "the creating and dropping of the searches table's monthly partitions",
    key=7311,
)
REGISTRY = Lock(
    "REGISTRY",
    45,
    "the agreements of ICE's 287(g) list: one import at a time",
    key=7312,
)
AGENCY = Lock(
    "AGENCY",
    50,
    "the creation of agencies whose names (or ORIs) hash into one of 64 buckets",
    key=7304,
    per_id=True,
)
AGENCY_BUCKETS = 64
EVALUATION = Lock(
    "EVALUATION",
    60,
    "one municipality's evaluation runs: two never overlap",
    key=7302,
    per_id=True,
)
FINDING_ROWS = Lock(
    "FINDING_ROWS",
    65,
    "the findings of municipalities (row locks, FOR UPDATE, by municipality then id)",
    per_id=True,
)
STATUS_ROWS = Lock(
    "STATUS_ROWS",
    70,
    "the status rollup rows of municipalities (row locks, FOR UPDATE)",
    per_id=True,
)
ACTIVITY = Lock(
    "ACTIVITY",
    80,
    "the activity log's hash chain: one append at a time",
    key=7310,
)
ORDER = (
    ORIGINAL, INGEST, SEARCHES, PARTITIONS, REGISTRY, AGENCY, EVALUATION, FINDING_ROWS,
    STATUS_ROWS, ACTIVITY,
)  # fmt: skip


@dataclass
class _Taken:
    """What one connection's current transaction holds, as its takes' records say."""

    top: Lock | None = None
    exclusive: dict[tuple[str, object], bool] = field(default_factory=dict)
    highest_id: dict[str, object] = field(default_factory=dict)

    def add(self, lock: Lock, ids: Sequence, *, shared: bool) -> None:
        for lock_id in ids:
            key = (lock.name, lock_id)
            self.exclusive[key] = self.exclusive.get(key, False) or not shared
        if lock.per_id and ids:
            highest = self.highest_id.get(lock.name)
            self.highest_id[lock.name] = max(ids) if highest is None else max(highest, *ids)
        if self.top is None or lock.rank > self.top.rank:
            self.top = lock

    def new(self, lock: Lock, ids: Sequence, *, shared: bool) -> list:
        """The ids of `ids` not held yet in that mode (or a stronger one)."""
        return [lock_id for lock_id in ids if not self._held(lock, lock_id, shared=shared)]

    def _held(self, lock: Lock, lock_id, *, shared: bool) -> bool:
        exclusive = self.exclusive.get((lock.name, lock_id))
        return exclusive is not None and (exclusive or shared)


class _TakeRecord:
    """One take, kept as a no-op after-commit callback of the transaction that took it.

    A savepoint's rollback releases the locks taken since the savepoint and keeps the
    ones taken before; Django's rollback of a savepoint drops exactly the callbacks
    registered since it (`savepoint_rollback` keeps the `run_on_commit` entries whose
    savepoint ids leave it out). So the records among the callbacks are the locks the
    transaction still holds, however its savepoints ended."""

    __slots__ = ("ids", "lock", "shared")

    def __init__(self, lock: Lock, ids: list, shared: bool):
        self.lock, self.ids, self.shared = lock, ids, shared

    def __call__(self) -> None:
        """Nothing to do at the commit: the locks end with it."""

    def __repr__(self) -> str:
        return f"<{self.lock.name} {self.ids}{' shared' if self.shared else ''} taken>"


def _current(connection: BaseDatabaseWrapper) -> _Taken | None:
    """What the connection's transaction holds; None outside one (in autocommit a
    transaction-level lock ends with its statement).

    Read from the take records among its after-commit callbacks (Django runs or drops
    them at every commit and rollback, and drops those of a savepoint rolled back).
    Inside a test's transaction (pytest-django's `db`), the code under test runs as it
    would in production: outside a block of its own it would be in autocommit, and each
    outermost block of its own is a transaction, told apart by its savepoint's id
    (unique on the connection), which the callbacks registered in it carry. Each entry
    of `run_on_commit` is `(savepoint ids, callback, robust)` (Django 5.2)."""
    if not connection.in_atomic_block:
        return None
    blocks, savepoints = connection.atomic_blocks, connection.savepoint_ids
    own = next(
        (i for i, block in enumerate(blocks) if not getattr(block, "_from_testcase", False)),
        None,
    )
    if own is None:
        return None
    # The outermost block has no savepoint: the ids line up with the blocks after it.
    index = own - (len(blocks) - len(savepoints))
    atomic = savepoints[index] if index >= 0 else None
    taken = _Taken()
    for sids, callback, _ in connection.run_on_commit:
        if isinstance(callback, _TakeRecord) and (atomic is None or atomic in sids):
            taken.add(callback.lock, callback.ids, shared=callback.shared)
    return taken


def _check(lock: Lock, ids: list, *, shared: bool) -> list | None:
    """Raise (or log) if taking these ids now breaks the order; the ids new to the
    transaction (None outside one)."""
    taken = _current(transaction.get_connection())
    if taken is None:
        return None
    new = taken.new(lock, ids, shared=shared)
    if not new:
        return new
    problems = []
    if taken.top is not None and lock.rank < taken.top.rank:
        problems.append(f"{lock.name} (rank {lock.rank}) is taken after {taken.top.name}"
                        f" (rank {taken.top.rank})")  # fmt: skip
    highest = taken.highest_id.get(lock.name)
    if lock.per_id and highest is not None and min(new) < highest:
        problems.append(f"{lock.name} {min(new)} is taken after {lock.name} {highest}:"
                        " ids go in ascending order")  # fmt: skip
    if problems:
        message = (
            "; ".join(problems)
            + ". The order: "
            + ", ".join(f"{each.rank} {each.name}" for each in ORDER)
            + " (apps/core/locks.py)."
        )
        if settings.DEBUG or settings.PORTAL_CHECK_LOCK_ORDER:
            raise LockOrderError(message)
        logger.error("lock order broken: %s", message, stack_info=True)
    return new


def _record(lock: Lock, new: list | None, *, shared: bool) -> None:
    """Keep the take of the `new` ids (from `_check`) with the transaction: nothing to
    keep outside one, nor when it held them all already."""
    if new:
        transaction.on_commit(_TakeRecord(lock, new, shared))
