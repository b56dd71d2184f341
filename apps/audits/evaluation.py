"""Evaluate a batch of municipalities' grants and searches against the rules; keep their
findings.

Each municipality is judged by its state's rule pack (`apps.compliance.packs`): a rule
applies to the municipalities whose pack holds it, active. The rules are three SQL
statements over the batch's rows (`municipality_id = ANY(ids)`: set-based, no row-by-row
Python), each rule bound with the municipalities it applies to: the grant rules in one
pass over the grants; the rules on reasons in one pass over the flagged searches, with
searches without a grant from their rollup; bulk acceptance. They return one "hit" per
rule, municipality and subject: a grant, a searching agency, or a person who accepted
requests in bulk. A run after an upload is a batch of one; the nightly run, batches of a
few hundred: one code path. The hits are then reconciled with the batch's stored findings, in bulk:
- a new hit opens a finding;
- a known one updates its evidence (and reopens it if it had been closed);
- a finding whose hit is gone is closed, with the time and the cause;
- a hit on a grant that has since ended closes its finding, or records it closed if it
  is new, with the period the grant lasted: sharing that ended before the portal ever
  saw it is still a finding.
A run holds an advisory lock per municipality of its batch, taken in ascending id order,
so two runs over the same municipality never overlap and a nightly batch never deadlocks
with an upload's run; the batch is one transaction, so running it again (a redelivered
task) on the same data changes nothing.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from psycopg.types.datetime import TimestamptzLoader
from psycopg.types.json import Jsonb, set_json_loads

from apps.agencies.models import Agency, ImmigrationAgreement
from apps.agencies.naming import parse_agency_name
from apps.compliance import learned, vocabulary
from apps.compliance.blocklist import blocked_agency_ids
from apps.compliance.models import SEVERITY_ORDER, Rule, Severity
from apps.compliance.packs import packs_read
from apps.core import activity, locks
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import SearchRetention, SharingGrant
from apps.sharing.ungranted import LINES_KEPT
from apps.vendors.models import VendorExport

from .fingerprints import (
    Context,
    fingerprints_compute,
    fingerprints_unchanged,
    runs_unchanged_record,
)
from .models import EvaluationRun, Finding, FindingEvent
from .periods import search_period_text
from .rollups import statuses_lock, statuses_refresh

logger = logging.getLogger(__name__)

# Line numbers kept per file and subject (the count is always exact); the rollup of
# searches without a grant keeps as many.
EVIDENCE_LINES = LINES_KEPT


@dataclass(frozen=True)
class Hit:
    municipality_id: int
    rule_code: str
    subject_key: str
    subject_label: str
    summary: str
    evidence: dict
    first_seen_at: object
    last_seen_at: object
    agency_id: int | None = None
    grant_id: int | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None  # None while the condition holds
    ended: bool = False  # a grant that was accepted and has since ended
    minimum: int = 1  # the searches the rule needs (min_searches), checked on reconciling
    severity: str | None = None  # when not the rule's own
    template: str = ""  # the summary's, when not the rule code's


def _fast_timestamps(cursor) -> None:
    """Read this cursor's timestamps with psycopg's own loader, compiled in C, instead of
    Django's, written in Python: a batch reads hundreds of thousands of them. Both give
    aware datetimes in the session's time zone (UTC, as Django sets it). And its JSON
    with orjson: a batch reads tens of thousands of findings' evidence."""
    cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
    set_json_loads(orjson.loads, cursor.cursor)


def _rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        _fast_timestamps(cursor)
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- grant rules ---------------------------------------------------------------------

# A grant rule looks at grants that are accepted and at grants that were accepted and
# have since ended (revoked, or gone from a sharing list): a grant revoked before its
# first upload still broke the rule for as long as it lasted. The period a grant held:
# from its acceptance (the first change to accepted; else the decision of an accepted
# grant; else its request; else the first time the portal saw it) to its end (the time
# it changed status; for a grant gone from a sharing list, the last list showing it), or
# open while it lasts. Its evidence is its own row, or for a grant gone from a list (no
# row) the row that showed its acceptance.
_GRANTS = """
SELECT g.{grant.municipality} AS municipality_id, g.id,
       g.{grant.partner_name} AS partner_name, g.{grant.agency} AS agency_id,
       g.{grant.mode} AS mode, g.{grant.status} AS status, g.{grant.decided_by} AS decided_by,
       coalesce(g.{grant.decided_at}, g.{grant.status_changed_at}) AS seen_at,
       g.{grant.declaration_on_file} AS declaration_on_file,
       g.{grant.declaration_date} AS declaration_date, a.{agency.name} AS agency_name,
       m.state AS municipality_state,
       a.{agency.state} AS state, a.{agency.level} AS level,
       e.id AS export_id, e.{export.original_name} AS export_name,
       g.{grant.source_line} AS source_line,
       g.{grant.status} <> %(accepted)s AS ended,
       coalesce(accepted.occurred_at,
                CASE WHEN g.{grant.status} = %(accepted)s THEN g.{grant.decided_at} END,
                g.{grant.requested_at}, seen.first_at, g.{grant.status_changed_at})
           AS period_start,
       CASE WHEN g.{grant.status} = %(accepted)s THEN NULL
            WHEN g.{grant.source_line} = 0 AND g.{grant.last_listed_at} IS NOT NULL
                THEN g.{grant.last_listed_at}
            ELSE g.{grant.status_changed_at} END AS period_end,
       accepted.source_export_id AS accepted_export_id, accepted_export.{export.original_name}
           AS accepted_export_name, accepted.source_line AS accepted_line,
       partner.agreements AS partner_agreements{rules}
FROM {grant} g
JOIN {agency} a ON a.id = g.{grant.agency}
JOIN {export} e ON e.id = g.{grant.source_export}
-- Each municipality's state, and the oldest declaration its pack still counts.
JOIN unnest(%(ids)s::bigint[], %(states)s::text[], %(oldest_declaration)s::date[])
    AS m(id, state, oldest_declaration) ON m.id = g.{grant.municipality}
LEFT JOIN LATERAL (
    SELECT c.{change.occurred_at} AS occurred_at, c.{change.source_export} AS source_export_id,
           c.{change.source_line} AS source_line
    FROM {change} c
    WHERE c.{change.grant} = g.id AND c.{change.new_status} = %(change_accepted)s
    ORDER BY c.{change.occurred_at}, c.id LIMIT 1
) accepted ON true
LEFT JOIN {export} accepted_export ON accepted_export.id = accepted.source_export_id
LEFT JOIN LATERAL (
    SELECT min(c.{change.occurred_at}) AS first_at FROM {change} c WHERE c.{change.grant} = g.id
) seen ON true
-- The partner's 287(g) agreements in force on the grant's last day: today while it is
-- accepted, else the (local) day it ended. Only for a grant to an agency that has an
-- agreement (`listed`, hashed) while IMMIGRATION_PARTNER_GRANT is active in the batch:
-- for the others the subquery's filter is false before it reads anything (a quarter of a
-- nightly batch's time when every grant probed the agreements).
LEFT JOIN (SELECT DISTINCT y.{agreement.agency} AS agency_id FROM {agreement} y) listed
    ON listed.agency_id = g.{grant.agency}
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('model', x.{agreement.support_model},
                                      'text', x.{agreement.support_text},
                                      'signed_on', x.{agreement.signed_on})
                    ORDER BY x.{agreement.signed_on}, x.{agreement.support_model}) AS agreements
    FROM (SELECT CASE WHEN g.{grant.status} = %(accepted)s THEN %(today)s::date
                      ELSE ((CASE WHEN g.{grant.source_line} = 0
                                       AND g.{grant.last_listed_at} IS NOT NULL
                                  THEN g.{grant.last_listed_at}
                                  ELSE g.{grant.status_changed_at} END)
                            AT TIME ZONE %(tz)s)::date END AS day) last
    JOIN {agreement} x ON x.{agreement.agency} = g.{grant.agency}
    WHERE %(on_immigration_partner_grant)s AND listed.agency_id IS NOT NULL
      AND IN_FORCE_ON_LAST_DAY
) partner ON true
WHERE g.{grant.municipality} = ANY(%(ids)s) AND g.{grant.direction} = %(outgoing)s
  AND (g.{grant.status} IN (%(accepted)s, %(revoked)s)
       OR (g.{grant.status} = %(denied)s AND accepted.occurred_at IS NOT NULL))
  AND ({condition})
ORDER BY g.{grant.municipality}, g.id
"""


# An ICE 287(g) agreement (alias `x`) in force on DAY, a SQL date: signed by then (or
# undated in ICE's list) and not ended by an import on or before it, as
# `apps.agencies.selectors.agreements_in_force` reads it.
_IN_FORCE = (
    "((x.{agreement.signed_on} IS NULL OR x.{agreement.signed_on} <= DAY)"
    " AND (x.{agreement.ended_on} IS NULL OR x.{agreement.ended_on} > DAY))"
)

_BLOCKED = vocabulary.blocked_sql("g.{grant.agency}", blocked=[]).sql
# "Out of state": outside the municipality's own state, whichever pack judges it.
_OUT_OF_STATE = vocabulary.out_of_state_sql("a", state="m.state").sql
_GRANT_CONDITIONS = {
    "BLOCKED_AGENCY_GRANT": _BLOCKED,
    "FEDERAL_GRANT_REVIEW": f"{vocabulary.federal_sql('a').sql} AND NOT {_BLOCKED}",
    "BROAD_SHARING_MODE": "g.{grant.mode} = ANY(%(broad_modes)s)",
    "PRIVATE_ENTITY_GRANT": "a.{agency.level} = %(private)s",
    # A partner with a 287(g) agreement in force on the grant's last day (`partner`).
    "IMMIGRATION_PARTNER_GRANT": "partner.agreements IS NOT NULL",
    # Packs without a declaration exception (California, Virginia): federal and
    # out-of-state partners, blocklisted or not, declaration or not.
    "FEDERAL_GRANT": vocabulary.federal_sql("a").sql,
    "OUT_OF_STATE_GRANT": _OUT_OF_STATE,
    "OUT_OF_STATE_NO_DECLARATION": _OUT_OF_STATE  # noqa: S608 - constant SQL, values bound
    + """
        AND NOT (g.{grant.declaration_on_file}
                 AND coalesce(g.{grant.declaration_date}, %(today)s) >= m.oldest_declaration)
        AND NOT EXISTS (
            SELECT 1 FROM {declaration} d
            WHERE d.{declaration.municipality} = g.{grant.municipality}
              AND d.{declaration.agency} = g.{grant.agency}
              AND d.{declaration.received_on} <= %(today)s
              AND (d.{declaration.expires_on} >= %(today)s
                   OR (d.{declaration.expires_on} IS NULL
                       AND d.{declaration.received_on} >= m.oldest_declaration)))""",
}


# What the statement's WHERE tests in place of a rule's condition, when the condition
# reads a subquery joined per grant: a wider test on a hashed join, so that only the
# grants it keeps go through the per-grant subqueries (the rule's column still tests the
# condition itself; a row with no rule's column true is no hit). Testing the agreements
# themselves in the WHERE made every grant of a batch go through them: a quarter of a
# nightly batch's time.
_GRANT_FILTERS = {"IMMIGRATION_PARTNER_GRANT": "listed.agency_id IS NOT NULL"}


def _applies(code: str, municipality: str) -> str:
    """The condition that `code` applies to the row's municipality (`municipality`, its
    column): the rule is active in some municipality's pack of the batch (`on_`), and in
    all of them (`all_`) or in this one's (`in_`, their ids). A rule active nowhere binds
    false, active everywhere true, and the planner folds either away (values are bound
    on the client): a batch of one pack costs no more than before packs."""
    name = code.lower()
    return f"(%(on_{name})s AND (%(all_{name})s OR {municipality} = ANY(%(in_{name})s)))"


# All grant rules in one statement, one pass over the batch's grants: a grant is read
# when a rule of its municipality's pack holds, and a column per rule says which, so the
# statement reads no more than the batch's active rules need.
_GRANT_QUERY = vocabulary.sql_template(
    _GRANTS.replace("IN_FORCE_ON_LAST_DAY", _IN_FORCE.replace("DAY", "last.day"))
    .replace(
        "{rules}",
        "".join(
            f", ({_applies(code, 'g.{grant.municipality}')} AND ({condition})) AS {code.lower()}"
            for code, condition in _GRANT_CONDITIONS.items()
        ),
    )
    .replace(
        "{condition}",
        " OR ".join(
            f"({_applies(code, 'g.{grant.municipality}')}"
            f" AND ({_GRANT_FILTERS.get(code, condition)}))"
            for code, condition in _GRANT_CONDITIONS.items()
        ),
    )
)


def _active(context: Context, codes) -> dict[str, object]:
    """The `on_`, `all_` and `in_` parameters of each rule of a combined statement (see
    `_applies`)."""
    params: dict[str, object] = {}
    for code in codes:
        name, applying = code.lower(), context.applying(code)
        params[f"on_{name}"] = bool(applying)
        params[f"all_{name}"] = len(applying) == len(context.ids)
        params[f"in_{name}"] = applying
    return params


def _params(context: Context, **more) -> dict:
    """The parameters every rule's query may use: the choices, the shared terms', the
    batch's municipalities."""
    return {**vocabulary.sql_params(blocked=context.blocked), "ids": context.ids, **more}


# `{is_}` is "is" while the grant lasts, "was" once it ended; `{period}` comes from
# `search_period_text`.
_GRANT_SUMMARIES = {
    "BLOCKED_AGENCY_GRANT": (
        "Data {is_} shared with {agency_name}, which is on the state blocklist; it {period}."
    ),
    "FEDERAL_GRANT_REVIEW": "Data {is_} shared with the federal agency {agency_name}; it {period}.",
    "BROAD_SHARING_MODE": (
        "Data {is_} shared through a {mode_label} grant ({partner_name}); its members {period}."
    ),
    "PRIVATE_ENTITY_GRANT": "Data {is_} shared with the private entity {agency_name}; it {period}.",
    "IMMIGRATION_PARTNER_GRANT": (
        "Data {is_} shared with {agency_name}, a 287(g) partner of ICE ({agreements}); it {period}."
    ),
    "OUT_OF_STATE_NO_DECLARATION": (
        "Data {is_} shared with {agency_name} ({state}) with no valid written declaration on "
        "file; it {period}."
    ),
    "FEDERAL_GRANT": "Data {is_} shared with the federal agency {agency_name}; it {period}.",
    "OUT_OF_STATE_GRANT": (
        "Data {is_} shared with {agency_name} ({state}), an agency outside {municipality_state}; "
        "it {period}."
    ),
}


def _grant_evidence(row: dict) -> dict:
    if row["source_line"] or not row["accepted_line"]:
        export, name, line = row["export_id"], row["export_name"], row["source_line"]
    else:
        export, name = row["accepted_export_id"], row["accepted_export_name"]
        line = row["accepted_line"]
    return {
        "count": 1,
        "files": [{"export": export, "name": name, "count": 1, "lines": [line] if line else []}],
    }


def _agreements_text(agreements: list[dict] | None) -> str:
    """`jail enforcement, signed June 8, 2020; task force, signed July 23, 2025`: each
    287(g) agreement's support model (ICE's own words for one of no known model) and the
    day it was signed, oldest first."""
    parts = []
    for agreement in agreements or ():
        if agreement["model"] == ImmigrationAgreement.SupportModel.OTHER:
            model = agreement["text"] or "unnamed model"
        else:
            model = ImmigrationAgreement.SupportModel(agreement["model"]).label.lower()
        signed = agreement["signed_on"]
        when = f"signed {date.fromisoformat(signed):%B %-d, %Y}" if signed else "undated"
        parts.append(f"{model}, {when}")
    return "; ".join(parts)


def _grant_hits(context: Context) -> list[Hit]:
    """The hits of every active grant rule, from one statement."""
    codes = [code for code in _GRANT_CONDITIONS if context.applying(code)]
    if not codes:
        return []
    oldest = []
    for pk in context.ids:
        declarations = context.rule(pk, "OUT_OF_STATE_NO_DECLARATION")
        max_age = int(declarations.settings.get("max_age_days", 730)) if declarations else 730
        oldest.append(context.today - timedelta(days=max_age))
    rows = _rows(
        _GRANT_QUERY,
        _params(
            context,
            today=context.today,
            states=[context.states[pk] for pk in context.ids],
            oldest_declaration=oldest,
            tz=settings.TIME_ZONE,
            **_active(context, _GRANT_CONDITIONS),
        ),
    )
    modes = dict(SharingGrant.Mode.choices)
    hits = []
    for row in rows:
        for code in codes:
            if not row[code.lower()]:
                continue
            evidence = _grant_evidence(row)
            if code == "IMMIGRATION_PARTNER_GRANT":
                evidence["agreements"] = row["partner_agreements"]
            hits.append(
                Hit(
                    municipality_id=row["municipality_id"],
                    rule_code=code,
                    subject_key=f"grant:{row['id']}",
                    subject_label=row["partner_name"],
                    summary=_GRANT_SUMMARIES[code].format(
                        mode_label=modes[row["mode"]],
                        is_="was" if row["ended"] else "is",
                        period=search_period_text(row["period_start"], row["period_end"]),
                        agreements=_agreements_text(row["partner_agreements"]),
                        **row,
                    ),
                    evidence=evidence,
                    # An ended grant was last seen sharing when it ended.
                    first_seen_at=row["period_start"] if row["ended"] else row["seen_at"],
                    last_seen_at=row["period_end"] if row["ended"] else row["seen_at"],
                    agency_id=row["agency_id"],
                    grant_id=row["id"],
                    period_start=row["period_start"],
                    period_end=row["period_end"],
                    ended=row["ended"],
                )
            )
    return hits


# --- search rules --------------------------------------------------------------------

_PER_FILE = """per_file AS (
    SELECT rule, municipality_id, agency_id, source_export_id, count(*) AS n,
           (array_agg(source_line ORDER BY source_line))[1:%(lines)s] AS lines,
           min(searched_at) AS first_at, max(searched_at) AS last_at
    FROM hits GROUP BY rule, municipality_id, agency_id, source_export_id
)"""
# One row per rule, municipality and agency, with its files, from `per_file`.
_BY_AGENCY = """
SELECT p.rule, p.municipality_id, p.agency_id, a.{agency.name} AS agency_name,
       sum(p.n)::int AS n, min(p.first_at) AS first_at, max(p.last_at) AS last_at,
       json_agg(json_build_object('export', e.id, 'name', e.{export.original_name},
                                  'count', p.n, 'lines', p.lines) ORDER BY e.id) AS files
FROM per_file p
JOIN {agency} a ON a.id = p.agency_id
JOIN {export} e ON e.id = p.source_export_id
GROUP BY p.rule, p.municipality_id, p.agency_id, a.{agency.name}
ORDER BY p.rule, p.municipality_id, p.agency_id
"""

# Access nobody gave: the rollup of searches no grant nor pool covered at their time
# (apps.sharing.ungranted), less the municipality's own police, read from the directory
# now. Per file, the rollup's days are summed and their first lines merged: each day
# keeps its first lines, so the file's first ones are among them.
_UNGRANTED_FILES = """own AS (
    -- Each municipality's own police: its searches are never someone else's access.
    SELECT * FROM unnest(%(own_municipalities)s::bigint[], %(own_agencies)s::bigint[])
        AS o(municipality_id, agency_id)
), days AS (
    SELECT u.{ungranted.municipality} AS municipality_id, u.{ungranted.agency} AS agency_id,
           u.{ungranted.source_export} AS source_export_id, u.{ungranted.searches} AS n,
           u.{ungranted.first_searched_at} AS first_at, u.{ungranted.last_searched_at} AS last_at,
           u.{ungranted.source_lines} AS lines
    FROM {ungranted} u
    WHERE APPLIES_UNGRANTED AND %(any_grant)s
      AND u.{ungranted.municipality} = ANY(%(ids)s)
      AND NOT EXISTS (
          SELECT 1 FROM own o
          WHERE o.municipality_id = u.{ungranted.municipality}
            AND o.agency_id = u.{ungranted.agency})
), ungranted_files AS (
    SELECT 'SEARCH_WITHOUT_GRANT' AS rule, t.municipality_id, t.agency_id,
           t.source_export_id, t.n, l.lines, t.first_at, t.last_at
    FROM (SELECT municipality_id, agency_id, source_export_id, sum(n) AS n,
                 min(first_at) AS first_at, max(last_at) AS last_at
          FROM days GROUP BY municipality_id, agency_id, source_export_id) t
    JOIN (SELECT municipality_id, agency_id, source_export_id,
                 (array_agg(line ORDER BY line))[1:%(lines)s] AS lines
          FROM days, unnest(days.lines) AS line
          GROUP BY municipality_id, agency_id, source_export_id) l
      USING (municipality_id, agency_id, source_export_id)
)"""


def _label_is(name: str) -> str:
    return f"s.{{search.reason_label}} = %({name})s"


# The rules on searches' reasons: the label each looks for, and for IMMIGRATION_SEARCH
# also any search by a blocklisted agency.
_REASON_LABELS = {
    "IMMIGRATION_SEARCH": "immigration",
    "HEALTH_CARE_SEARCH": "health_care",
    "VAGUE_REASON": "vague",
    "SENSITIVE_DATA_IN_REASON": "sensitive_data",
    # Read by the learned signal alone (apps.compliance.reading): for review.
    **learned.REVIEW_RULES,
}
_BLOCKED_SEARCH = vocabulary.blocked_sql("s.{search.agency}", blocked=[]).sql
_REASON_CONDITIONS = {
    code: _label_is(label) + (f" OR {_BLOCKED_SEARCH}" if code == "IMMIGRATION_SEARCH" else "")
    for code, label in _REASON_LABELS.items()
}
# All of them in one statement that never reads a municipality's other searches:
# - the searches with a flagged label, through their partial index (a few in a hundred);
# - a blocklisted agency's other searches: for a few municipalities (`by_days`), on the
#   days the day rollup (`SearchDay`, kept with every change to the searches) shows it
#   searching them, each day an index range; for a batch, all of its searches through
#   the agency index (a range per blocklisted agency, cheaper than a range per day).
# Each search is counted under every active rule it breaks (a blocklisted agency's
# vague search, under two).
_REASON_HITS = """candidates AS (
    SELECT s.{search.municipality}, s.{search.agency}, s.{search.source_export},
           s.{search.source_line}, s.{search.searched_at}, s.{search.reason_label}
    FROM {search} s
    WHERE s.{search.municipality} = ANY(%(ids)s) AND (LABELS)
    UNION ALL
    SELECT s.{search.municipality}, s.{search.agency}, s.{search.source_export},
           s.{search.source_line}, s.{search.searched_at}, s.{search.reason_label}
    FROM (SELECT DISTINCT d.{search_day.municipality} AS municipality_id,
                 d.{search_day.agency} AS agency_id, d.{search_day.day} AS day
          FROM {search_day} d
          WHERE %(on_immigration_search)s AND %(by_days)s
            AND d.{search_day.municipality} = ANY(%(ids)s)
            AND d.{search_day.agency} = ANY(%(blocked)s)) d
    JOIN {search} s
      ON s.{search.municipality} = d.municipality_id AND s.{search.agency} = d.agency_id
     AND s.{search.searched_at} >= d.day::timestamp AT TIME ZONE %(tz)s
     AND s.{search.searched_at} < (d.day + 1)::timestamp AT TIME ZONE %(tz)s
    WHERE NOT (LABELS)
    UNION ALL
    SELECT s.{search.municipality}, s.{search.agency}, s.{search.source_export},
           s.{search.source_line}, s.{search.searched_at}, s.{search.reason_label}
    FROM {search} s
    WHERE %(on_immigration_search)s AND NOT %(by_days)s
      AND s.{search.agency} = ANY(%(blocked)s) AND s.{search.municipality} = ANY(%(ids)s)
      AND NOT (LABELS)
), partner_days AS (
    -- The days a 287(g) partner searched a municipality of a few while its agreement was
    -- in force: a probe of the day rollup's agency index per agreement.
    SELECT DISTINCT d.{search_day.municipality} AS municipality_id,
           d.{search_day.agency} AS agency_id, d.{search_day.day} AS day
    FROM {agreement} x
    JOIN {search_day} d ON d.{search_day.agency} = x.{agreement.agency}
    WHERE APPLIES_PARTNER_DAY AND %(by_days)s AND d.{search_day.municipality} = ANY(%(ids)s)
      AND IN_FORCE_ON_SEARCH_DAY
), partner_searches AS (
    -- Every search of a 287(g) partner while its agreement was in force, whatever the
    -- reason: by its days for a few municipalities, through the agency index for a batch.
    SELECT s.{search.municipality}, s.{search.agency}, s.{search.source_export},
           s.{search.source_line}, s.{search.searched_at}, s.{search.reason_label}
    FROM partner_days d
    JOIN {search} s
      ON s.{search.municipality} = d.municipality_id AND s.{search.agency} = d.agency_id
     AND s.{search.searched_at} >= d.day::timestamp AT TIME ZONE %(tz)s
     AND s.{search.searched_at} < (d.day + 1)::timestamp AT TIME ZONE %(tz)s
    UNION ALL
    SELECT s.{search.municipality}, s.{search.agency}, s.{search.source_export},
           s.{search.source_line}, s.{search.searched_at}, s.{search.reason_label}
    FROM {search} s
    WHERE APPLIES_PARTNER_SEARCH AND NOT %(by_days)s
      -- The partners, read once into an array: a range of the agency index each.
      AND s.{search.agency} = ANY(ARRAY(SELECT DISTINCT x.{agreement.agency} FROM {agreement} x
                                        WHERE x.{agreement.agency} IS NOT NULL))
      AND s.{search.municipality} = ANY(%(ids)s)
      AND EXISTS (SELECT 1 FROM {agreement} x
                  WHERE x.{agreement.agency} = s.{search.agency}
                    AND IN_FORCE_ON_SEARCHED_AT)
), hits AS (
    SELECT s.{search.municipality} AS municipality_id, s.{search.agency} AS agency_id,
           s.{search.source_export} AS source_export_id,
           s.{search.source_line} AS source_line, s.{search.searched_at} AS searched_at,
           rule
    FROM candidates s
    CROSS JOIN LATERAL unnest(ARRAY[RULES]) AS rule
    WHERE rule IS NOT NULL
    UNION ALL
    -- Two subjects per partner: its searches for immigration purposes, and the others.
    SELECT s.{search.municipality}, s.{search.agency}, s.{search.source_export},
           s.{search.source_line}, s.{search.searched_at},
           CASE WHEN s.{search.reason_label} = %(immigration)s
                THEN 'IMMIGRATION_PARTNER_SEARCH' ELSE 'IMMIGRATION_PARTNER_SEARCH:review' END
    FROM partner_searches s
)"""
_PARTNER = "IMMIGRATION_PARTNER_SEARCH"
# Up to this many municipalities, a blocklisted agency's (or a 287(g) partner's) searches
# are found by its days.
_BY_DAYS = 20
_SEARCH_QUERIES = {
    # The rules on reasons and searches without a grant end in the same shape (files per
    # rule, municipality and agency): one statement for the five.
    "searches": vocabulary.sql_template(
        "WITH "  # noqa: S608 - constant SQL, values bound # nosec B608
        + _REASON_HITS.replace(
            "APPLIES_PARTNER_DAY", _applies(_PARTNER, "d.{search_day.municipality}")
        )
        .replace("APPLIES_PARTNER_SEARCH", _applies(_PARTNER, "s.{search.municipality}"))
        .replace("IN_FORCE_ON_SEARCH_DAY", _IN_FORCE.replace("DAY", "d.{search_day.day}"))
        .replace(
            "IN_FORCE_ON_SEARCHED_AT",
            _IN_FORCE.replace("DAY", "(s.{search.searched_at} AT TIME ZONE %(tz)s)::date"),
        )
        .replace(
            "RULES",
            ", ".join(
                f"CASE WHEN {_applies(code, 's.{search.municipality}')} AND ({condition})"
                f" THEN '{code}' END"
                for code, condition in _REASON_CONDITIONS.items()
            ),
        )
        .replace(
            "LABELS",
            " OR ".join(
                f"({_applies(code, 's.{search.municipality}')} AND {_label_is(label)})"
                for code, label in _REASON_LABELS.items()
            ),
        )
        + ", "
        + _PER_FILE.replace("per_file AS", "reason_files AS", 1)
        + ", "
        + _UNGRANTED_FILES.replace(
            "APPLIES_UNGRANTED", _applies("SEARCH_WITHOUT_GRANT", "u.{ungranted.municipality}")
        )
        + ", per_file AS (SELECT * FROM reason_files UNION ALL SELECT * FROM ungranted_files)"
        + _BY_AGENCY
    ),
}
_SEARCH_RULES = {
    "searches": (*_REASON_CONDITIONS, "SEARCH_WITHOUT_GRANT", "IMMIGRATION_PARTNER_SEARCH")
}
# A 287(g) partner's searches make two findings, each with a subject of its own: an
# auditor works the critical one (reasons labelled immigration) apart from the review of
# the others, and dismissing the review never hides searches for immigration purposes
# that come later. A search relabelled moves from one to the other; the keys stay. The
# statement names the second by this pseudo-code.
_PARTNER_REVIEW = "IMMIGRATION_PARTNER_SEARCH:review"
_PARTNER_SUBJECTS = {
    "IMMIGRATION_PARTNER_SEARCH": "immigration-reasons",
    _PARTNER_REVIEW: "other-reasons",
}
# The review's severity: medium, as the portal's other reviews (FEDERAL_GRANT_REVIEW),
# or the rule's own if an administrator set it lower.
REVIEW_SEVERITY = Severity.MEDIUM

_SEARCH_SUMMARIES = {
    "IMMIGRATION_SEARCH": "{agency_name} ran {n} search{es} for immigration purposes, or while "
    "on the blocklist.",
    "HEALTH_CARE_SEARCH": "{agency_name} ran {n} search{es} tied to reproductive or other "
    "lawful health care.",
    "VAGUE_REASON": "{agency_name} ran {n} search{es} with a vague or empty reason.",
    "SENSITIVE_DATA_IN_REASON": "{agency_name} typed personal data into {n} search reason{s}.",
    "SEARCH_WITHOUT_GRANT": "{agency_name} ran {n} search{es} with no active grant.",
    "IMMIGRATION_REASON_REVIEW": "{agency_name} ran {n} search{es} whose reason reads like "
    "immigration enforcement to the learned signal, though no term matched: review them.",
    "HEALTH_CARE_REASON_REVIEW": "{agency_name} ran {n} search{es} whose reason reads like a "
    "health-care investigation to the learned signal, though no term matched: review them.",
    "IMMIGRATION_PARTNER_SEARCH": "{agency_name}, a 287(g) partner of ICE, ran {n} search{es} "
    "for immigration purposes.",
    _PARTNER_REVIEW: "{agency_name}, a 287(g) partner of ICE, ran {n} search{es} for other "
    "stated purposes: review them.",
}


def _review_severity(rule: Rule) -> str:
    return max(rule.severity, REVIEW_SEVERITY, key=SEVERITY_ORDER.__getitem__)


def _search_hit(context: Context, row: dict) -> Hit:
    """The hit of one row of the searches statement (a rule, municipality and agency)."""
    code, subject = row["rule"], f"agency:{row['agency_id']}"
    severity = None
    if code in _PARTNER_SUBJECTS:
        subject = f"{subject}:{_PARTNER_SUBJECTS[code]}"
        rule = context.rule(row["municipality_id"], "IMMIGRATION_PARTNER_SEARCH")
        severity = _review_severity(rule) if code == _PARTNER_REVIEW else None
        code = "IMMIGRATION_PARTNER_SEARCH"
    elif code in learned.REVIEW_RULES:
        # No term confirms it: for review whatever severity its rule was given, so the
        # learned signal alone never makes a critical finding (a term that agrees labels
        # the searches immigration or health care, for IMMIGRATION_SEARCH and the like).
        severity = Severity.REVIEW
    return Hit(
        municipality_id=row["municipality_id"],
        rule_code=code,
        subject_key=subject,
        subject_label=row["agency_name"],
        summary=_SEARCH_SUMMARIES[row["rule"]].format(
            es="" if row["n"] == 1 else "es", s="" if row["n"] == 1 else "s", **row
        ),
        evidence={"count": row["n"], "files": row["files"]},
        first_seen_at=row["first_at"],
        last_seen_at=row["last_at"],
        agency_id=row["agency_id"],
        period_start=row["first_at"],
        period_end=row["last_at"],
        # Checked on reconciling: what a finding kept of searches past retention
        # counts toward it.
        minimum=int(context.rule(row["municipality_id"], code).settings.get("min_searches", 1)),
        severity=severity,
        template=row["rule"],
    )


def _search_hits(query: str) -> Callable[[Context], list[Hit]]:
    """The hits of one statement of `_SEARCH_QUERIES`, for each of its active rules."""
    codes = _SEARCH_RULES[query]

    def check(context: Context) -> list[Hit]:
        if not any(context.applying(code) for code in codes):
            return []
        own = [(pk, agency) for pk, agencies in context.own_agencies.items() for agency in agencies]
        rows = _rows(
            _SEARCH_QUERIES[query],
            _params(
                context,
                own_municipalities=[pk for pk, _ in own],
                own_agencies=[agency for _, agency in own],
                lines=EVIDENCE_LINES,
                tz=settings.TIME_ZONE,
                by_days=len(context.ids) <= _BY_DAYS,
                # Without any sharing data uploaded, every search would lack a grant.
                any_grant=context.any_grant,
                **_active(context, codes),
            ),
        )
        return [_search_hit(context, row) for row in rows]

    return check


# --- bulk acceptance -----------------------------------------------------------------

_BULK = """
WITH accepted AS (
    SELECT c.{change.municipality} AS municipality_id, c.{change.actor} AS actor,
           c.{change.occurred_at} AS occurred_at,
           c.{change.grant} AS grant_id, c.{change.source_export} AS source_export_id,
           c.{change.source_line} AS source_line
    FROM {change} c
    WHERE c.{change.municipality} = ANY(%(ids)s)
      AND c.{change.new_status} = %(change_accepted)s
      AND c.{change.old_status} <> %(change_accepted)s AND c.{change.actor} <> ''
), counted AS (
    SELECT *, count(*) OVER (PARTITION BY municipality_id, actor ORDER BY occurred_at
                             RANGE BETWEEN CURRENT ROW AND %(window)s FOLLOWING) AS n
    FROM accepted
), bursts AS (
    SELECT municipality_id, actor, occurred_at AS starts FROM counted WHERE n >= %(minimum)s
), members AS (
    SELECT DISTINCT a.*
    FROM accepted a JOIN bursts b
      ON a.municipality_id = b.municipality_id AND a.actor = b.actor
     AND a.occurred_at BETWEEN b.starts AND b.starts + %(window)s
), islands AS (
    -- One finding per uninterrupted run of acceptances, even across midnight.
    SELECT *, sum(CASE WHEN gap > %(window)s THEN 1 ELSE 0 END)
                  OVER (PARTITION BY municipality_id, actor ORDER BY occurred_at) AS island
    FROM (SELECT *, occurred_at - lag(occurred_at)
                        OVER (PARTITION BY municipality_id, actor ORDER BY occurred_at) AS gap
          FROM members) gaps
), per_file AS (
    SELECT municipality_id, actor, island, source_export_id, count(*) AS n,
           (array_agg(source_line ORDER BY source_line))[1:%(lines)s] AS lines
    FROM islands GROUP BY municipality_id, actor, island, source_export_id
), totals AS (
    SELECT municipality_id, actor, island, count(DISTINCT grant_id)::int AS grants,
           min(occurred_at) AS first_at, max(occurred_at) AS last_at,
           array_agg(DISTINCT grant_id) AS grant_ids
    FROM islands GROUP BY municipality_id, actor, island
)
SELECT t.*, (
    SELECT json_agg(json_build_object('export', e.id, 'name', e.{export.original_name},
                                      'count', f.n, 'lines', f.lines) ORDER BY e.id)
    FROM per_file f JOIN {export} e ON e.id = f.source_export_id
    WHERE f.municipality_id = t.municipality_id AND f.actor = t.actor
      AND f.island = t.island) AS files
FROM totals t ORDER BY t.municipality_id, t.actor, t.first_at
"""
_BULK_QUERY = vocabulary.sql_template(_BULK)


def _bulk_hits(context: Context, ids: list[int], rule: Rule) -> list[Hit]:
    """The bursts of the municipalities `ids`, whose packs' BULK_ACCEPTANCE is `rule`'s
    thresholds (a window frame takes one constant width)."""
    minimum = int(rule.settings.get("min_grants", 25))
    window = timedelta(minutes=int(rule.settings.get("window_minutes", 10)))
    rows = _rows(
        _BULK_QUERY,
        _params(context, ids=ids, window=window, minimum=minimum, lines=EVIDENCE_LINES),
    )
    hits = []
    for row in rows:
        blocked_names = list(
            Agency.objects.filter(pk__in=context.blocked, grants__pk__in=row["grant_ids"])
            .values_list("name", flat=True)
            .distinct()
        )
        among = f", among them {', '.join(blocked_names)}" if blocked_names else ""
        hits.append(
            Hit(
                municipality_id=row["municipality_id"],
                rule_code="BULK_ACCEPTANCE",
                subject_key=Finding.bulk_subject_key(row["actor"], row["first_at"]),
                subject_label=f"{row['actor']} on {row['first_at']:%b %-d, %Y}",
                summary=(
                    f"{row['actor']} accepted {row['grants']} sharing requests between "
                    f"{row['first_at']:%b %-d, %Y %H:%M} and {row['last_at']:%H:%M} UTC"
                    f"{among}."
                ),
                evidence={"count": row["grants"], "files": row["files"]},
                first_seen_at=row["first_at"],
                last_seen_at=row["last_at"],
                period_start=row["first_at"],
                period_end=row["last_at"],
            )
        )
    return hits


def _bulk_check(context: Context) -> list[Hit]:
    """One statement per set of thresholds among the batch's packs: one for a batch of one
    municipality (an upload's run), or of packs that agree."""
    groups: dict[str, tuple[Rule, list[int]]] = {}
    for pk in context.applying("BULK_ACCEPTANCE"):
        rule = context.rule(pk, "BULK_ACCEPTANCE")
        key = orjson.dumps(rule.settings, option=orjson.OPT_SORT_KEYS).decode()
        groups.setdefault(key, (rule, []))[1].append(pk)
    return [hit for rule, ids in groups.values() for hit in _bulk_hits(context, ids, rule)]


# The statements a run sends: each checks which of its rules are active.
CHECKS: tuple[Callable[[Context], list[Hit]], ...] = (
    _grant_hits,
    *(_search_hits(query) for query in _SEARCH_QUERIES),
    _bulk_check,
)


# --- reconciling hits with stored findings -----------------------------------------

# A cleared condition leaves these as they are: dismissed and verified were decided by
# an auditor, a remediated one waits for an auditor to verify it.
_KEPT_WHEN_CLEARED = {
    Finding.Status.DISMISSED,
    Finding.Status.VERIFIED,
    Finding.Status.REMEDIATED,
    Finding.Status.CLOSED,
}
# A returning condition reopens these.
_REOPENED_WHEN_BACK = {Finding.Status.CLOSED, Finding.Status.VERIFIED}


def _own_agencies(municipalities: list[Municipality]) -> dict[int, list[int]]:
    """Each municipality's own police agencies (same name and state, or same ORI), read
    in one query for the batch."""
    names: dict[int, tuple[str, str]] = {}
    for municipality in municipalities:
        parsed = parse_agency_name(municipality.police_department or municipality.name)
        names[municipality.pk] = (parsed.normalized, parsed.state or municipality.state)
    oris = {m.ori for m in municipalities if m.ori}
    agencies = Agency.objects.filter(
        Q(normalized_name__in={name for name, _ in names.values()}) | Q(ori__in=oris)
    ).values_list("id", "normalized_name", "state", "ori")
    by_name: dict[tuple[str, str], list[int]] = {}
    by_ori: dict[str, list[int]] = {}
    for agency_id, normalized, state, ori in agencies:
        by_name.setdefault((normalized, state), []).append(agency_id)
        if ori:
            by_ori.setdefault(ori, []).append(agency_id)
    own: dict[int, list[int]] = {}
    for municipality in municipalities:
        found = set(by_name.get(names[municipality.pk], []))
        if municipality.ori:
            found.update(by_ori.get(municipality.ori, []))
        own[municipality.pk] = sorted(found)
    return own


def _agreements_ended(findings, today) -> dict[int, ImmigrationAgreement]:
    """For the findings on 287(g) partners' grants among `findings`, each agency's
    agreement that ended last by `today`, with the import that ended it: one query, only
    when such a finding closes."""
    agency_ids = {f.agency_id for f in findings if f.rule_code == "IMMIGRATION_PARTNER_GRANT"}
    if not agency_ids:
        return {}
    agreements = (
        ImmigrationAgreement.objects.filter(agency_id__in=agency_ids, ended_on__lte=today)
        .select_related("ended_by")
        .order_by("ended_on", "pk")
    )
    return {agreement.agency_id: agreement for agreement in agreements}


def _close_cause(
    finding: "Finding | _Stored",
    grants: dict[int, SharingGrant],
    agreements_ended: dict[int, ImmigrationAgreement] | None = None,
) -> str:
    """Why a finding closes; `grants` holds the grants of the findings closing now, and
    `agreements_ended` the 287(g) agreements that ended of their agencies."""
    if finding.grant_id:
        grant = grants.get(finding.grant_id)
        if grant and grant.status != SharingGrant.Status.ACCEPTED:
            if not grant.source_line and grant.last_listed_at:
                # Gone from a sharing list (a snapshot): ended between the two lists' dates.
                return (
                    f"Sharing ended between {timezone.localtime(grant.last_listed_at):%b %-d, %Y} "
                    f"(last list showing the grant) and "
                    f"{timezone.localtime(grant.status_changed_at):%b %-d, %Y} "
                    f"({grant.source_export.original_name}, which no longer lists it); the "
                    f"grant is now {grant.get_status_display().lower()}."
                )
            where = f"line {grant.source_line} of" if grant.source_line else "absent from"
            return (
                f"The grant is now {grant.get_status_display().lower()} "
                f"({where} {grant.source_export.original_name}, "
                f"{grant.status_changed_at:%b %-d, %Y})."
            )
    agreement = (agreements_ended or {}).get(finding.agency_id)
    if finding.rule_code == "IMMIGRATION_PARTNER_GRANT" and agreement is not None:
        return (
            f"The agency's 287(g) agreement ended on {agreement.ended_on:%b %-d, %Y}: ICE's "
            f"list {agreement.ended_by.file_name}, imported that day, no longer lists it."
        )
    return "The condition no longer holds on the current data."


_COUNTS = ("opened", "updated", "closed", "reopened", "unchanged")

# What a run writes on a finding it already holds: the hit's fields, then the status.
_HIT_FIELDS = ("subject_label", "severity", "summary", "evidence", "last_seen_at", "agency_id",
               "grant_id", "period_start", "period_end")  # fmt: skip
_WRITTEN = (*_HIT_FIELDS, "status", "closed_at", "close_cause")


@dataclass(slots=True)
class _Stored:
    """A finding as the run reads it: its columns, without a model instance (a batch holds
    tens of thousands of findings, most of them unchanged)."""

    id: int
    municipality_id: int
    rule_code: str
    subject_key: str
    status: str
    subject_label: str
    severity: str
    summary: str
    evidence: dict
    last_seen_at: datetime
    agency_id: int | None
    grant_id: int | None
    period_start: datetime | None
    period_end: datetime | None
    closed_at: datetime | None
    close_cause: str


_STORED_READ = vocabulary.sql_template(
    "SELECT "  # noqa: S608 - constant SQL, values bound # nosec B608
    + ", ".join(f"{{finding.{name}}}" for name in _Stored.__dataclass_fields__)
    + " FROM {finding} WHERE {finding.municipality} = ANY(%(ids)s)"
    " ORDER BY {finding.municipality}, {finding.id} FOR UPDATE"
)
_STORED_WRITE = vocabulary.sql_template(
    "UPDATE {finding} f SET "  # noqa: S608 - constant SQL # nosec B608
    + ", ".join(f"{{finding.{name}}} = w.{name}" for name in _WRITTEN)
    + " FROM evaluation_finding_write w WHERE f.{finding.id} = w.id"
)
_WRITE_TYPES = {"evidence": "jsonb", "agency_id": "bigint", "grant_id": "bigint",
                **dict.fromkeys(("last_seen_at", "period_start", "period_end", "closed_at"),
                                "timestamptz")}  # fmt: skip


def _stored_read(ids: list[int]) -> dict[tuple[int, str, str], _Stored]:
    """The batch's findings, locked: a person's step (acknowledge, remediate…) on one
    waits for this run, and this run sees the status that step wrote, never overwriting
    it."""
    with connection.cursor() as cursor:
        _fast_timestamps(cursor)
        locks.FINDING_ROWS.claim(ids)
        cursor.execute(_STORED_READ, {"ids": ids})
        stored = {}
        for row in cursor.fetchall():
            finding = _Stored(*row)
            if isinstance(finding.evidence, str):
                finding.evidence = orjson.loads(finding.evidence)
            stored[(finding.municipality_id, finding.rule_code, finding.subject_key)] = finding
        return stored


def _stored_write(findings: list[_Stored]) -> None:
    """Write the changed findings with one `COPY` and one `UPDATE`, however many."""
    if not findings:
        return
    columns = ", ".join(f"{name} {_WRITE_TYPES.get(name, 'text')}" for name in _WRITTEN)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS evaluation_finding_write")
        cursor.execute(
            f"CREATE TEMP TABLE evaluation_finding_write (id bigint, {columns}) ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            f"COPY evaluation_finding_write (id, {', '.join(_WRITTEN)}) FROM STDIN"
        ) as copy:
            for finding in findings:
                values = [getattr(finding, name) for name in _WRITTEN]
                values[_WRITTEN.index("evidence")] = Jsonb(finding.evidence)
                copy.write_row([finding.id, *values])
        cursor.execute(_STORED_WRITE)
        cursor.execute("DROP TABLE evaluation_finding_write")


_SEARCH_RULES_ALL = frozenset(code for codes in _SEARCH_RULES.values() for code in codes)


class _Dropped:
    """What retention took from the batch's findings on searches: the searches before
    `kept_from` are gone, so counting them again would shrink or close findings that
    stand. A file can have lost searches when it was loaded before the latest retention
    ran and began before `kept_from` (or its dates are unknown); the others are counted
    again in full. An open finding keeps, for each such file, at least the count and the
    first lines it recorded; a finding whose searches all came before `kept_from` stays
    as it is while its rule is active. An approximation, on the safe side: a search of
    such a file relabelled since is still counted."""

    def __init__(self, context: Context, existing: dict):
        self.kept_from = context.kept_from
        self.context = context
        self.dropping: set[int] = set()  # the files that may have lost searches
        if self.kept_from is None:
            return
        exports = {
            file["export"]
            for finding in existing.values()
            if self.began_before(finding)
            for file in finding.evidence.get("files", [])
        }
        if exports:
            self.dropping = set(
                VendorExport.objects.filter(pk__in=exports)
                .filter(Q(period_start__lt=self.kept_from) | Q(period_start__isnull=True))
                .filter(Q(finished_at__lt=context.retained_at) | Q(finished_at__isnull=True))
                .values_list("pk", flat=True)
            )

    def began_before(self, finding: "_Stored") -> bool:
        return (
            self.kept_from is not None
            and finding.rule_code in _SEARCH_RULES_ALL
            and finding.status not in _REOPENED_WHEN_BACK
            and finding.period_start is not None
            and finding.period_start < self.kept_from
        )

    def all_before(self, finding: "_Stored") -> bool:
        """Every search the finding cites was dropped: nothing is left to count again."""
        return (
            self.began_before(finding)
            and self.context.rule(finding.municipality_id, finding.rule_code) is not None
            and finding.period_end is not None
            and finding.period_end < self.kept_from
            and all(file["export"] in self.dropping for file in finding.evidence["files"])
        )

    def merge(self, finding: "_Stored", hit: Hit, fields: dict) -> None:
        """Add to the hit's `fields` what the finding recorded of its dropped searches."""
        files = {file["export"]: dict(file) for file in fields["evidence"]["files"]}
        for old in finding.evidence.get("files", []):
            if old["export"] not in self.dropping:
                continue  # a file wholly kept: counted again in full
            new = files.get(old["export"])
            if new is None:
                files[old["export"]] = old
            else:
                new["count"] = max(new["count"], old["count"])
                new["lines"] = sorted({*new["lines"], *old["lines"]})[:EVIDENCE_LINES]
        count = sum(file["count"] for file in files.values())
        fields["evidence"] = {"count": count, "files": [files[pk] for pk in sorted(files)]}
        fields["period_start"] = min(finding.period_start, hit.period_start or finding.period_start)
        fields["summary"] = _SEARCH_SUMMARIES[hit.template or hit.rule_code].format(
            agency_name=hit.subject_label, n=count, es="" if count == 1 else "es",
            s="" if count == 1 else "s",
        )  # fmt: skip


def _reconcile(context: Context, hits: list[Hit], now) -> dict[int, dict[str, int]]:
    """Bring the batch's stored findings in line with the hits, in bulk: one read of the
    batch's findings, one insert of the new ones, one `COPY` and `UPDATE` of the changed
    ones, one insert of the events. A hit on an ended grant closes its open finding (or
    records a new one closed straight away, with an event), and never reopens a closed
    one; only the grant accepted again does that. Returns the counts per municipality."""
    counts = {pk: dict.fromkeys(_COUNTS, 0) for pk in context.ids}
    existing = _stored_read(context.ids)
    events: list[FindingEvent] = []
    changed: list[_Stored] = []
    created: list[Finding] = []
    created_ended: list[Finding] = []
    ending: list[_Stored] = []
    dropped = _Dropped(context, existing)
    for hit in hits:
        rule = context.rule(hit.municipality_id, hit.rule_code)
        tally = counts[hit.municipality_id]
        key = (hit.municipality_id, hit.rule_code, hit.subject_key)
        finding = existing.pop(key, None)
        fields = {
            "subject_label": hit.subject_label[:255],
            "severity": hit.severity or rule.severity,
            "summary": hit.summary,
            "evidence": hit.evidence,
            "last_seen_at": hit.last_seen_at or now,
            "agency_id": hit.agency_id,
            "grant_id": hit.grant_id,
            "period_start": hit.period_start,
            "period_end": hit.period_end,
        }
        if finding is not None and dropped.began_before(finding):
            dropped.merge(finding, hit, fields)
        if fields["evidence"]["count"] < hit.minimum:
            # Too few searches for the rule: as if there were no hit.
            if finding is not None:
                existing[key] = finding
            continue
        if finding is None:
            finding = Finding(
                municipality_id=hit.municipality_id,
                rule_code=hit.rule_code,
                subject_key=hit.subject_key,
                first_seen_at=hit.first_seen_at or now,
                **fields,
            )
            created.append(finding)
            if hit.ended:
                created_ended.append(finding)
            continue
        dirty = [name for name, value in fields.items() if getattr(finding, name) != value]
        for name in dirty:
            setattr(finding, name, fields[name])
        if hit.ended:
            if finding.status not in _KEPT_WHEN_CLEARED:
                ending.append(finding)  # closed below, with its cause
            elif dirty:
                tally["updated"] += 1
                changed.append(finding)
            continue
        if finding.status in _REOPENED_WHEN_BACK:
            events.append(
                _event(finding, finding.status, Finding.Status.OPEN, "The condition is back.")
            )
            finding.status, finding.closed_at, finding.close_cause = Finding.Status.OPEN, None, ""
            dirty.append("status")
            tally["reopened"] += 1
        elif dirty:
            tally["updated"] += 1
        else:
            tally["unchanged"] += 1
        if dirty:
            changed.append(finding)
    closing = ending + [
        f
        for f in existing.values()
        if f.status not in _KEPT_WHEN_CLEARED and not dropped.all_before(f)
    ]
    grants = SharingGrant.objects.select_related("source_export").in_bulk(
        {f.grant_id for f in closing + created_ended if f.grant_id}
    )
    for finding in created_ended:
        finding.status, finding.closed_at = Finding.Status.CLOSED, now
        finding.close_cause = (
            "The sharing had already ended when the portal first saw it. "
            + _close_cause(finding, grants)
        )
    # One insert for the new findings (their ids come back), before their events.
    Finding.objects.bulk_create(created, batch_size=500)
    for finding in created:
        if finding.status == Finding.Status.CLOSED:
            events.append(_event(finding, "", Finding.Status.CLOSED, finding.close_cause))
            counts[finding.municipality_id]["closed"] += 1
        else:
            events.append(_event(finding, "", Finding.Status.OPEN, "Opened by evaluation."))
            counts[finding.municipality_id]["opened"] += 1
    agreements_ended = _agreements_ended(closing, context.today)
    for finding in closing:
        if context.rule(finding.municipality_id, finding.rule_code) is None:
            # Switched off, or not in the pack that now judges the municipality (its state
            # changed, or its state got a pack): the condition may still hold.
            state = context.packs.state_for(context.states[finding.municipality_id])
            cause = (
                f"The rule no longer applies here: it is not an active rule of the {state}"
                " pack that judges this municipality."
            )
        else:
            cause = _close_cause(finding, grants, agreements_ended)
        events.append(_event(finding, finding.status, Finding.Status.CLOSED, cause))
        finding.status, finding.closed_at, finding.close_cause = Finding.Status.CLOSED, now, cause
        changed.append(finding)
        counts[finding.municipality_id]["closed"] += 1
    _stored_write(changed)
    FindingEvent.objects.bulk_create(events, batch_size=500)
    return counts


def _event(finding: Finding | _Stored, old: str, new: str, note: str) -> FindingEvent:
    return FindingEvent(
        municipality_id=finding.municipality_id,
        finding_id=finding.id,
        from_status=old,
        to_status=new,
        note=note,
    )


def _locks_take(ids: list[int], *, outermost: bool) -> None:
    """Take the batch's municipality locks in ascending id order (the array is sorted and
    read in order), so that two runs sharing municipalities wait, never deadlock.

    In the same statement, the run's commit stops waiting for its WAL to reach the disk
    (`synchronous_commit` off, for this transaction only): everything a run writes is
    derived from rows already committed. A crash in the few hundred milliseconds after
    a commit can lose the run, never corrupt it, and the next run sees that its
    inputs' fingerprint matches no stored run and evaluates again. On a busy disk the
    wait was the largest part of an upload's evaluation. Only when the run is its own
    transaction (`outermost`): the setting would hold for a caller's writes too."""
    locks.EVALUATION.take_many(
        ids,
        alongside="set_config('synchronous_commit',"
        " CASE WHEN %s THEN 'off' ELSE current_setting('synchronous_commit') END, true)",
        alongside_params=[outermost],
    )


_RETENTION = connection.ops.quote_name(SearchRetention._meta.db_table)
# Whether any sharing data was uploaded, and the latest retention, in one statement.
_STATEWIDE = vocabulary.sql_template(
    "SELECT EXISTS (SELECT 1 FROM {grant}),"  # noqa: S608 - names from the models # nosec B608
    f" (SELECT max(kept_from) FROM {_RETENTION}), (SELECT max(ran_at) FROM {_RETENTION})"
)


def _context(municipalities: list[Municipality]) -> Context:
    """What every rule reads besides the municipalities' own rows (in a statewide scope)."""
    with connection.cursor() as cursor:
        cursor.execute(_STATEWIDE)
        any_grant, kept_from, retained_at = cursor.fetchone()
    packs = packs_read(active_only=True)
    states = {m.pk: m.state or settings.PORTAL_HOME_STATE for m in municipalities}
    return Context(
        ids=[m.pk for m in municipalities],
        rules={pk: packs.rules.get(packs.state_for(state), {}) for pk, state in states.items()},
        states=states,
        packs=packs,
        blocked=blocked_agency_ids(),
        own_agencies=_own_agencies(municipalities),
        today=timezone.localdate(),
        any_grant=any_grant,
        kept_from=kept_from,
        retained_at=retained_at,
    )


def municipalities_changed(municipality_ids, *, trigger: str) -> list[int]:
    """The municipalities whose inputs changed since their last run, all fingerprinted at
    once; the others are recorded "unchanged" now, in one insert. What the nightly run
    queues; each batch checks again under its locks."""
    started = time.monotonic()
    now = timezone.now()
    with statewide_scope(), transaction.atomic():
        municipalities = list(
            Municipality.objects.filter(pk__in=list(municipality_ids)).order_by("pk")
        )
        fingerprints = fingerprints_compute(_context(municipalities))
        unchanged = fingerprints_unchanged(fingerprints)
        runs_unchanged_record(
            {pk: fingerprints[pk] for pk in unchanged},
            trigger=trigger,
            started_at=now,
            duration=time.monotonic() - started,
        )
    return sorted(set(fingerprints) - unchanged)


def municipalities_evaluate(
    municipality_ids, *, trigger: str, force: bool = True
) -> dict[int, EvaluationRun]:
    """Evaluate a batch of municipalities in one transaction and record one run for each.

    Every rule runs once over the whole batch, the findings are reconciled in bulk and the
    status rows recounted once. Rows are read and written for the batch's municipalities
    only, named in each query (the batch spans tenants, so it runs statewide). Safe to run
    again: a second run on the same data changes nothing.

    Each run keeps its inputs' fingerprint, taken under the locks before the rules read
    anything (a change committed meanwhile changes the next fingerprint: evaluated again,
    never skipped). Unless `force`, a municipality whose fingerprint is its last run's
    is not evaluated: it gets a run of outcome "unchanged"."""
    ids = sorted({int(pk) for pk in municipality_ids})
    if not ids:
        return {}
    started = time.monotonic()
    now = timezone.now()
    try:
        outermost = not connection.in_atomic_block
        with statewide_scope(), transaction.atomic():
            _locks_take(ids, outermost=outermost)
            municipalities = list(Municipality.objects.filter(pk__in=ids).order_by("pk"))
            if len(municipalities) != len(ids):
                # Deleted since the batch was queued: nothing of theirs is left to evaluate.
                logger.warning(
                    "evaluation skips municipalities gone since: %s",
                    sorted(set(ids) - {m.pk for m in municipalities}),
                )
                ids = [m.pk for m in municipalities]
            context = _context(municipalities)
            fingerprints = fingerprints_compute(context)
            unchanged = set() if force else fingerprints_unchanged(fingerprints)
            skipped_duration = time.monotonic() - started
            municipalities = [m for m in municipalities if m.pk not in unchanged]
            context.ids = [m.pk for m in municipalities]
            hits: list[Hit] = []
            for check in CHECKS if context.ids else ():
                hits.extend(check(context))
            counts = _reconcile(context, hits, now)
            if unchanged:
                # The skipped and the evaluated write their status rows apart: all locked
                # now, in id order, as every other writer of several takes them, and after
                # the findings `_reconcile` locked (apps/core/locks.py).
                statuses_lock(ids)
            skipped = runs_unchanged_record(
                {pk: fingerprints[pk] for pk in unchanged},
                trigger=trigger,
                started_at=now,
                duration=skipped_duration,
            )
            # The batch's time is each of its runs' time: they ran together.
            duration = time.monotonic() - started
            runs = EvaluationRun.objects.bulk_create(
                EvaluationRun(
                    municipality=municipality,
                    trigger=trigger,
                    started_at=now,
                    counts=counts[municipality.pk],
                    outcome=EvaluationRun.Outcome.SUCCEEDED,
                    duration_seconds=duration,
                    inputs_fingerprint=fingerprints[municipality.pk],
                )
                for municipality in municipalities
            )
            statuses_refresh(context.ids, blocked=context.blocked)
            for run in runs:
                if any(run.counts.get(key) for key in ("opened", "reopened", "closed", "updated")):
                    activity.record("findings.evaluated", subject=run,
                                    municipality=run.municipality,
                                    detail={"trigger": trigger, **run.counts})  # fmt: skip
    except Exception as error:
        # The runs' rows rolled back with the transaction; record the failure apart.
        logger.exception("evaluation of municipalities %s failed", ids)
        with statewide_scope():
            known = Municipality.objects.filter(pk__in=ids).values_list("pk", flat=True)
            EvaluationRun.objects.bulk_create(
                EvaluationRun(
                    municipality_id=pk,
                    trigger=trigger,
                    started_at=now,
                    duration_seconds=time.monotonic() - started,
                    outcome=EvaluationRun.Outcome.FAILED,
                    error=f"{type(error).__name__}: {error}"[:2000],
                )
                for pk in known
            )
        raise
    return {run.municipality_id: run for run in [*skipped, *runs]}


def municipality_evaluate(*, municipality: Municipality, trigger: str) -> EvaluationRun:
    """Evaluate one municipality: a batch of one, and record its run."""
    runs = municipalities_evaluate([municipality.pk], trigger=trigger)
    if municipality.pk not in runs:
        raise Municipality.DoesNotExist(f"no municipality with id {municipality.pk}")
    return runs[municipality.pk]
