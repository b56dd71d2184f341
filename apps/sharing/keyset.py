"""Keyset pagination for lists too long to count: the grants (400,000 statewide) and the
searches (millions) lists.

A page is "the next 50 rows after this one in this order", read from an index, never
"rows 2,451 to 2,500" (an OFFSET reads and drops every row before the page) and never
with a `count(*)` over everything.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleGreaterThanOrEqual,
    TupleLessThan,
    TupleLessThanOrEqual,
)


class BadCursor(ValueError):
    """A page link that does not name a position in the list's order."""


@dataclass(frozen=True)
class KeysetOrder:
    """An order the list can be paged in: columns that end in a unique one (the id), none
    of them NULL, so that every row has exactly one place."""

    fields: tuple[str, ...]
    # "datetime", "text" or "int" for each field: how its value travels in a link.
    kinds: tuple[str, ...]
    descending: bool = False

    def reversed(self) -> "KeysetOrder":
        return KeysetOrder(self.fields, self.kinds, not self.descending)

    def order_by(self) -> list[str]:
        sign = "-" if self.descending else ""
        return [sign + field for field in self.fields]

    def key_of(self, row) -> tuple:
        key = []
        for field in self.fields:
            value = row
            for part in field.split("__"):
                value = getattr(value, part)
            key.append(value)
        return tuple(key)

    def beyond(self, key: tuple, *, inclusive: bool = False) -> Q:
        """The rows after `key` in this order (`key` itself too when inclusive)."""
        if self.descending:
            lookup = TupleLessThanOrEqual if inclusive else TupleLessThan
        else:
            lookup = TupleGreaterThanOrEqual if inclusive else TupleGreaterThan
        # A row comparison, (a, b) > (x, y): PostgreSQL reads it as a range of an index
        # on (a, b).
        return Q(lookup(Tuple(*(F(field) for field in self.fields)), list(key)))

    def encode(self, key: tuple) -> str:
        values = [value.isoformat() if isinstance(value, datetime) else value for value in key]
        text = json.dumps(values, separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error) as error:
            raise BadCursor("not a page link of this list") from error
        if not isinstance(values, list) or len(values) != len(self.fields):
            raise BadCursor("not a page link of this list")
        return tuple(_decoded(value, kind) for value, kind in zip(values, self.kinds, strict=True))


def _decoded(value, kind: str):
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        if -(2**63) <= value < 2**63:
            return value
    elif kind == "text" and isinstance(value, str) and "\x00" not in value:
        return value
    elif kind == "datetime" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                return moment
    raise BadCursor("not a page link of this list")


def rows_in_order(queryset: QuerySet, keys: list) -> list:
    """The rows of `queryset` whose primary keys are `keys`, in that order.

    A list's page is found by its keys alone, then read with its joins: PostgreSQL
    cannot tell how many rows a text filter keeps (`UPPER(reason) LIKE …` has no
    statistics), and guessing one it joined every municipality and upload to each
    matching search, half a second for a page of 50.
    """
    by_key = {row.pk: row for row in queryset.filter(pk__in=keys).order_by()} if keys else {}
    return [by_key[key] for key in keys]


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None = None
    previous_cursor: str | None = None
    # With a bounded scan: the row the scan stopped at before the page was full, so the
    # page says how far back it looked and offers to look further.
    scan_stopped_at: object | None = None


def keyset_page(
    queryset: QuerySet,
    *,
    order: KeysetOrder,
    after: str = "",
    before: str = "",
    size: int = 50,
    scanned: Callable[[QuerySet], QuerySet] | None = None,
    scan_limit: int = 100_000,
) -> Page:
    """One page of `queryset` in `order`: the `size` rows after the cursor `after`, or the
    `size` rows before the cursor `before`, or the first `size` rows.

    `scanned` applies the filters no index serves (text inside the reasons, say). Those
    are applied to a bounded run of rows: at most `scan_limit` rows past the cursor in
    the order, found through the index, so a filter that matches nothing reads
    `scan_limit` rows rather than the whole table; the page then says how far it looked
    and links to the next run (`scan_stopped_at`, `next_cursor`).

    Raises BadCursor when a cursor is not one of this order's.
    """
    backward = bool(before)
    fetch_order = order.reversed() if backward else order
    base = queryset
    cursor = before or after
    if cursor:
        base = base.filter(fetch_order.beyond(fetch_order.decode(cursor)))
    rows_query = base
    boundary = None
    if scanned is not None:
        # The last row of the run, found through the index without the scanned filters.
        run_end = base.order_by(*fetch_order.order_by()).values_list(*fetch_order.fields)
        boundary = next(iter(run_end[scan_limit - 1 : scan_limit]), None)
        rows_query = scanned(base)
        if boundary is not None:
            # The run: up to its last row, that row included.
            rows_query = rows_query.filter(fetch_order.reversed().beyond(boundary, inclusive=True))
    found = list(
        rows_query.order_by(*fetch_order.order_by()).values_list("pk", flat=True)[: size + 1]
    )
    rows = rows_in_order(queryset, found[:size])
    # Where the rows further along in the fetch direction start, if there are any.
    further = scan_stopped_at = None
    if len(found) > size:
        further = fetch_order.encode(order.key_of(rows[-1]))
    elif boundary is not None:
        # The run ended before the page filled: the next run starts after it.
        scan_stopped_at = tuple(boundary)
        further = fetch_order.encode(scan_stopped_at)
    if backward:
        rows.reverse()
        next_cursor = order.encode(order.key_of(rows[-1])) if rows else None
        return Page(rows=rows, next_cursor=next_cursor, previous_cursor=further,
                    scan_stopped_at=scan_stopped_at)  # fmt: skip
    previous_cursor = order.encode(order.key_of(rows[0])) if rows and after else None
    return Page(rows=rows, next_cursor=further, previous_cursor=previous_cursor,
                scan_stopped_at=scan_stopped_at)  # fmt: skip
