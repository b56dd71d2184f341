"""A fingerprint of everything a municipality's evaluation reads, so that the nightly run
skips the municipalities whose inputs have not changed since their last run.

Each run stores the fingerprint of the inputs it evaluated. The nightly run computes
every municipality's fingerprint in one statement and evaluates only those whose
fingerprint differs from their last run's; the others get a run of outcome "unchanged".

The fingerprint is a hash of:

- per municipality, the *version* of each set of rows the rules read: how many rows,
  and the sum of the ids of the transactions that wrote them (PostgreSQL's `xmin`
  system column). An insert adds a row, a delete removes one, an update writes the row
  again under a newer transaction id: each moves the version (freezing keeps `xmin` as
  it was since PostgreSQL 9.4; a dump and restore changes every version, which only
  costs one evaluation). The sets:
  - the municipality's own row (name, state, ORI, police department: its own police's
    searches are never someone else's access);
  - its exports (a load, a rejection, the files named in evidence);
  - its grants (status, mode, declaration flag, partner) and their changes (history);
  - its declarations;
  - its searches, through what changes them: its exports (every load writes its
    export's row), and below, shared by all, the reason terms (a reclassification),
    the agency directory (a merge) and the searches' partitions (retention). The
    searches table, tens of millions of rows, and its rollups are never read: the
    check costs about as much as the municipality's grants;
  - the people's steps on its findings (a FindingEvent with an actor; the evaluation's
    own events have none, so a run does not change the fingerprint it recorded);
  - its own police's agencies, as evaluation matches them by name and ORI;
  - the first day a result that depends on the date could change (`valid until`):
    OUT_OF_STATE_NO_DECLARATION counts a declaration from the day it is received until
    it expires or, without an end date, until it is older than the rule's maximum age
    (its pack's), and a grant's declaration flag until its date is that old. While today is before
    that day the value stays the same, so a quiet municipality is skipped night after
    night; on that day it changes, and the municipality is evaluated. Nothing else an
    evaluation writes depends on today (summaries say "since", never "for N months")
    but the 287(g) agreements in force, shared by all (below).
- its own pack's active rules with their severity and settings (a municipality's
  state, in its own row, picks its pack; another state's rules are not its inputs);
- shared by all: which states have a pack, the reason terms
  (count and version), the agency directory's version (a merge, a new name, state or
  level: every municipality is evaluated again), the blocked agencies, the searches'
  partitions, the home state and time zone, whether any grant exists at all
  (SEARCH_WITHOUT_GRANT waits for the first sharing data), ICE's 287(g) agreements'
  version (an import) and the first day after today on which one is signed or ends (an
  accepted grant's partner is judged by its agreements in force today; a search, by
  those in force on its own day), and the source of the code
  that evaluates (rules, vocabulary, classifier, name matching): a new release
  evaluates everything once.

When unsure, an input is in: an extra evaluation costs a fraction of a second, a skipped
one leaves a finding wrong until the next change.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from django.conf import settings
from django.db import connection

from apps.compliance import vocabulary
from apps.compliance.learned import ARTIFACT
from apps.compliance.models import ReasonTerm, Rule
from apps.compliance.packs import Packs
from apps.sharing.partitions import DEFAULT, PARENT

from .models import EvaluationRun, FindingEvent
from .rollups import statuses_lock


@dataclass
class Context:
    """What a batch's evaluation reads besides its municipalities' rows (built by
    `apps.audits.evaluation`); its fingerprint covers it too."""

    ids: list[int]  # the batch's municipalities, ascending
    rules: dict[int, dict[str, Rule]]  # per municipality, its pack's active rules by code
    states: dict[int, str]  # per municipality, its state ("out of state" is outside it)
    packs: Packs  # every pack's active rules
    blocked: list[int]
    own_agencies: dict[int, list[int]]  # per municipality, its own police's agencies
    today: object
    any_grant: bool  # any sharing data uploaded anywhere
    kept_from: datetime | None = None  # the searches before it were dropped (retention)
    retained_at: datetime | None = None  # when the latest retention ran

    def rule(self, municipality_id: int, code: str) -> Rule | None:
        """The municipality's pack's rule of that code, if active."""
        return self.rules[municipality_id].get(code)

    def applying(self, code: str) -> list[int]:
        """The batch's municipalities whose pack holds this rule, active."""
        return [pk for pk in self.ids if code in self.rules[pk]]


DECLARATION_RULE = "OUT_OF_STATE_NO_DECLARATION"
DEFAULT_MAX_AGE_DAYS = 730  # the rule's own default (evaluation reads the same setting)

# The modules whose code decides what an evaluation finds.
CODE_MODULES = (
    "apps.audits.evaluation",
    "apps.audits.fingerprints",
    "apps.audits.periods",
    "apps.compliance.vocabulary",
    "apps.compliance.packs",
    "apps.compliance.blocklist",
    "apps.compliance.classifier",
    "apps.compliance.learned",
    "apps.compliance.reading",
    "apps.agencies.naming",
)


def _version(alias: str) -> str:
    """The version of the rows of `alias` in a group: their count, the sum of their
    writing transactions' ids, and a sum over where each version of a row sits (an
    update writes the row elsewhere, even in the transaction that inserted it)."""
    return (
        f"count(*) || ':' || coalesce(sum({alias}.xmin::text::bigint), 0)"
        f" || ':' || coalesce(sum(hashtext({alias}.ctid::text)), 0)"
    )


_PER_MUNICIPALITY = """
WITH exports AS (
    SELECT e.{export.municipality} AS municipality_id, VERSION(e) AS version
    FROM {export} e WHERE e.{export.municipality} = ANY(%(ids)s) GROUP BY 1
), grants AS (
    SELECT g.{grant.municipality} AS municipality_id, VERSION(g) AS version
    FROM {grant} g WHERE g.{grant.municipality} = ANY(%(ids)s) GROUP BY 1
), changes AS (
    SELECT c.{change.municipality} AS municipality_id, VERSION(c) AS version
    FROM {change} c WHERE c.{change.municipality} = ANY(%(ids)s) GROUP BY 1
), declarations AS (
    SELECT d.{declaration.municipality} AS municipality_id, VERSION(d) AS version
    FROM {declaration} d WHERE d.{declaration.municipality} = ANY(%(ids)s) GROUP BY 1
), steps AS (
    SELECT f.{step.municipality} AS municipality_id, VERSION(f) AS version
    FROM {step} f
    WHERE f.{step.municipality} = ANY(%(ids)s) AND f.{step.actor} IS NOT NULL GROUP BY 1
), ages AS (
    -- Each municipality's maximum age of a declaration, from its pack.
    SELECT * FROM unnest(%(ids)s::bigint[], %(max_ages)s::int[]) AS r(municipality_id, max_age)
), boundaries AS (
    -- The days on which OUT_OF_STATE_NO_DECLARATION's answer could change.
    SELECT municipality_id, min(day) AS valid_until FROM (
        SELECT d.{declaration.municipality} AS municipality_id,
               unnest(ARRAY[d.{declaration.received_on},
                            d.{declaration.expires_on} + 1,
                            CASE WHEN d.{declaration.expires_on} IS NULL
                                 THEN d.{declaration.received_on} + r.max_age + 1 END]) AS day
        FROM {declaration} d JOIN ages r ON r.municipality_id = d.{declaration.municipality}
        WHERE d.{declaration.municipality} = ANY(%(ids)s)
        UNION ALL
        SELECT g.{grant.municipality}, g.{grant.declaration_date} + r.max_age + 1
        FROM {grant} g JOIN ages r ON r.municipality_id = g.{grant.municipality}
        WHERE g.{grant.municipality} = ANY(%(ids)s) AND g.{grant.declaration_on_file}
    ) candidates
    WHERE day > %(today)s GROUP BY 1
)
SELECT m.id, format('%%s/%%s|%%s|%%s|%%s|%%s|%%s|%%s', m.xmin, m.ctid,
                    e.version, g.version, c.version, d.version, f.version,
                    b.valid_until) AS inputs
FROM {municipality} m
LEFT JOIN exports e ON e.municipality_id = m.id
LEFT JOIN grants g ON g.municipality_id = m.id
LEFT JOIN changes c ON c.municipality_id = m.id
LEFT JOIN declarations d ON d.municipality_id = m.id
LEFT JOIN steps f ON f.municipality_id = m.id
LEFT JOIN boundaries b ON b.municipality_id = m.id
WHERE m.id = ANY(%(ids)s)
"""
# Two forms of the one statement: for up to a few hundred municipalities (an upload's
# run, a nightly batch) each table is read through its municipality index; for the
# whole state, the ids are a hashed set the scans are joined to, as `= ANY` over 1,300
# ids was tested row by row (1.5 s instead of 7.4 s for 800,000 grants and their
# history). Measured on the 5M state: 200 ids 0.18 s by index, 0.68 s hashed; 400 ids
# 0.50 s and 0.82 s; 700 ids 1.5 s and 0.71 s.
_MANY = 500
_PER_MUNICIPALITY_QUERY = {
    many: re.sub(r"VERSION\((\w+)\)", lambda match: _version(match[1]), _PER_MUNICIPALITY)
    .replace(
        "= ANY(%(ids)s)", "IN (SELECT unnest(%(ids)s::bigint[]))" if many else "= ANY(%(ids)s)"
    )
    .format(**vocabulary.TABLES, step=vocabulary.Names(FindingEvent))
    for many in (False, True)
}

_TERMS_TABLE = connection.ops.quote_name(ReasonTerm._meta.db_table)
_AGREEMENT = vocabulary.TABLES["agreement"]
_AGREEMENTS = str(_AGREEMENT)
# Shared by every municipality: the reason terms, the agency directory (a merge, a new
# state, level or name moves it) and the oldest of the searches' partitions (retention).
_SHARED_VERSIONS = (
    f"SELECT (SELECT {_version('t')} FROM {_TERMS_TABLE} t),"  # noqa: S608 # nosec B608 - constant SQL
    f" (SELECT {_version('a')} FROM {vocabulary.TABLES['agency']} a),"
    # The oldest monthly partition: retention drops it; the months created ahead do not
    # count (the nightly job adds one a month).
    f" (SELECT min(c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
    f"  WHERE i.inhparent = '{PARENT}'::regclass AND c.relname <> '{DEFAULT}'),"
    # ICE's 287(g) agreements (an import adds, changes or ends them), and the first day
    # after today on which one comes into force or ends: IMMIGRATION_PARTNER_GRANT asks
    # whether an accepted grant's partner holds one in force today.
    f" (SELECT {_version('x')} FROM {_AGREEMENTS} x),"
    f" (SELECT min(day) FROM (SELECT {_AGREEMENT.signed_on} AS day FROM {_AGREEMENTS}"
    f"  UNION ALL SELECT {_AGREEMENT.ended_on} FROM {_AGREEMENTS}) days"
    f"  WHERE day > %(today)s)"
)


@cache
def code_version() -> str:
    """A hash of the source of the modules that decide what an evaluation finds, and of
    the learned signal's model (a new one relabels the searches it reads differently)."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in CODE_MODULES:
        digest.update(Path(find_spec(name).origin).read_bytes())
    digest.update(ARTIFACT.read_bytes())
    return digest.hexdigest()


def _shared_inputs(context: Context) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_SHARED_VERSIONS, {"today": context.today})
        terms, agencies, partitions, agreements, agreements_until = cursor.fetchone()
    return json.dumps(
        {
            "code": code_version(),
            "agencies": agencies,
            "blocked": sorted(context.blocked),
            "partitions": partitions,
            "packs": sorted(context.packs.by_state),
            "terms": terms,
            "agreements": agreements,
            "agreements_until": agreements_until,
            "home_state": settings.PORTAL_HOME_STATE,
            "time_zone": settings.TIME_ZONE,
            "any_grant": context.any_grant,
            "kept_from": context.kept_from,
        },
        sort_keys=True,
        default=str,
    )


def _max_age_days(context: Context, municipality_id: int) -> int:
    rule = context.rule(municipality_id, DECLARATION_RULE)
    return int(rule.settings.get("max_age_days", DEFAULT_MAX_AGE_DAYS)) if rule else 0


def fingerprints_compute(context: Context) -> dict[int, str]:
    """The fingerprint of each of the context's municipalities' inputs as they are now
    (see the module's docstring), in one statement for all of them. Run inside a
    statewide scope."""
    shared = _shared_inputs(context)
    with connection.cursor() as cursor:
        cursor.execute(
            _PER_MUNICIPALITY_QUERY[len(context.ids) > _MANY],
            {
                "ids": context.ids,
                "today": context.today,
                "max_ages": [_max_age_days(context, pk) for pk in context.ids],
            },
        )
        rows = cursor.fetchall()
    # Each municipality's own pack's active rules: a change to another state's rule
    # leaves its fingerprint as it was.
    pack_rules: dict[str, str] = {}
    fingerprints = {}
    for pk, inputs in rows:
        own = ",".join(map(str, context.own_agencies.get(pk, [])))
        state = context.packs.state_for(context.states[pk])
        if state not in pack_rules:
            pack_rules[state] = json.dumps(
                sorted(
                    (rule.code, rule.severity, rule.settings)
                    for rule in context.packs.rules.get(state, {}).values()
                ),
                sort_keys=True,
                default=str,
            )
        text = f"{shared}|{state}:{pack_rules[state]}|{inputs}|{own}"
        fingerprints[pk] = hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
    return fingerprints


_LAST = vocabulary.sql_template(
    "SELECT m.id, r.{run.inputs_fingerprint} FROM unnest(%(ids)s::bigint[]) AS m(id)"
    " CROSS JOIN LATERAL (SELECT {run.inputs_fingerprint} FROM {run}"
    "  WHERE {run.municipality} = m.id"
    "  ORDER BY {run.started_at} DESC, id DESC LIMIT 1) r"
)


def fingerprints_last(ids: list[int]) -> dict[int, str]:
    """Each municipality's last run's fingerprint (empty for a failed run, or a run from
    before fingerprints), each found through the index on (municipality, -started_at)
    rather than by reading every run."""
    with connection.cursor() as cursor:
        cursor.execute(_LAST, {"ids": ids})
        return dict(cursor.fetchall())


def fingerprints_unchanged(fingerprints: dict[int, str]) -> set[int]:
    """The municipalities whose inputs are those their last run evaluated."""
    last = fingerprints_last(sorted(fingerprints))
    return {pk for pk, value in fingerprints.items() if value and last.get(pk) == value}


_STATUS_CHECKED = vocabulary.sql_template(
    "UPDATE {status} SET {status.last_evaluation} = %(now)s"
    " WHERE {status.municipality} = ANY(%(ids)s)"
    " AND ({status.last_evaluation} IS NULL OR {status.last_evaluation} < %(now)s)"
)


def runs_unchanged_record(
    fingerprints: dict[int, str], *, trigger: str, started_at: datetime, duration: float
) -> list[EvaluationRun]:
    """Record a run of outcome "unchanged" for each of these municipalities, in one
    insert, and show them checked on the statewide dashboard (its "last evaluation")."""
    if not fingerprints:
        return []
    runs = EvaluationRun.objects.bulk_create(
        (
            EvaluationRun(
                municipality_id=pk,
                trigger=trigger,
                started_at=started_at,
                duration_seconds=duration,
                outcome=EvaluationRun.Outcome.UNCHANGED,
                inputs_fingerprint=value,
            )
            for pk, value in sorted(fingerprints.items())
        ),
        batch_size=1000,
    )
    statuses_lock(fingerprints)
    with connection.cursor() as cursor:
        cursor.execute(_STATUS_CHECKED, {"ids": sorted(fingerprints), "now": started_at})
    return runs
