"""The rules' searches statement, run as one municipality's evaluation runs it, with what
it returned and how many searches its plan read (sequential scans off, as on a table of
millions)."""

from django.conf import settings
from django.db import connection

from apps.audits import evaluation
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import SearchEvent


def _searches_read(node) -> int:
    own = node.get("Relation Name", "").startswith(SearchEvent._meta.db_table)
    rows = node["Actual Rows"] * node["Actual Loops"] + node.get("Rows Removed by Filter", 0)
    return (rows if own else 0) + sum(_searches_read(n) for n in node.get("Plans", []))


def searches_statement(municipality, *, by_days: bool) -> tuple[set[tuple], int]:
    """{(rule, agency id, searches)} the statement found, and the searches it read."""
    with statewide_scope():
        context = evaluation._context([municipality])
    params = evaluation._params(
        context, own_municipalities=[], own_agencies=[], lines=evaluation.EVIDENCE_LINES,
        tz=settings.TIME_ZONE, by_days=by_days, any_grant=False,
        **evaluation._active(context, evaluation._SEARCH_RULES["searches"]),
    )  # fmt: skip
    statement = evaluation._SEARCH_QUERIES["searches"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("ANALYZE " + SearchEvent._meta.db_table)
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
        plan = cursor.fetchone()[0]
        cursor.execute(statement, params)
        found = {(rule, agency_id, n) for rule, _, agency_id, _, n, *_ in cursor.fetchall()}
    return found, _searches_read(plan[0]["Plan"])
