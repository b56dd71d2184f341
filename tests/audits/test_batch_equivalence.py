"""Acceptance 3 of issue 13: on randomised states of a few municipalities, one batched
evaluation opens, closes and reopens exactly the findings that a brute-force oracle
computes for each municipality on its own.

The oracle is plain Python over the ORM's rows, written from the rulebook's definitions
(apps/compliance/rulebook.py, docs of 2-130, Cal. Civ. Code 1798.90.55(b), Va. Code
2.2-5517), not from the rules' SQL:
- a municipality is judged by its state's pack (IL, CA, VA), or Illinois' when its state
  has none (WI here); "out of state" is outside the municipality's own state; only the
  pack's active rules apply;
- a grant rule looks at the municipality's outgoing grants that are accepted (the
  condition holds) or revoked (it held, and has ended: the finding is recorded closed);
- a search rule looks at the municipality's searches, one subject per searching agency;
- a finding is open while its condition holds, closed once it no longer does (or when
  the sharing it is about has ended), and reopens when the condition comes back.
Each example evaluates, then makes one or two random changes (a revocation, a grant
accepted again, a new search, an agency put on or taken off the blocklist, a pack's rule
turned off), evaluating the whole batch after each.
"""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.agencies.models import Agency
from apps.audits.evaluation import municipalities_evaluate
from apps.audits.models import EvaluationRun, Finding
from apps.compliance.models import BlocklistEntry, Rule
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import SearchEvent, SharingGrant
from tests.municipalities.factories import MunicipalityFactory
from tests.vendors.factories import VendorExportFactory

from .factories import AgencyFactory, SearchEventFactory, SharingGrantFactory, ungranted_keep

pytestmark = pytest.mark.django_db

DECIDED = datetime(2024, 4, 16, 19, 2, tzinfo=UTC)
REVOKED = datetime(2024, 9, 1, 12, 0, tzinfo=UTC)
ACCEPTED_AGAIN = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
# Before any grant, while grants are active, after a revocation, after a new acceptance.
SEARCH_TIMES = [
    datetime(2024, 3, 1, 10, 0, tzinfo=UTC),
    datetime(2024, 6, 1, 10, 0, tzinfo=UTC),
    datetime(2024, 12, 1, 10, 0, tzinfo=UTC),
    datetime(2025, 2, 1, 10, 0, tzinfo=UTC),
]
# The shared agencies: (name, state, level). Index OWN stands for each municipality's
# own police department.
AGENCIES = [
    ("Springfield{n} IL PD", "IL", Agency.Level.LOCAL),
    ("Madison{n} WI PD", "WI", Agency.Level.LOCAL),  # out of state
    ("Federal Bureau {n}", "DC", Agency.Level.FEDERAL),
    ("Plate Data {n} LLC", "IL", Agency.Level.PRIVATE),
    ("Joliet{n} IL PD", "IL", Agency.Level.LOCAL),
    ("Unknown Agency {n}", "", Agency.Level.OTHER),  # state unknown
    ("Fresno{n} CA PD", "CA", Agency.Level.LOCAL),
    ("Roanoke{n} VA PD", "VA", Agency.Level.LOCAL),
]
OWN = len(AGENCIES)
MODES = list(SharingGrant.Mode.values)
LABELS = ["none", "immigration", "health_care", "vague", "sensitive_data"]

HOME = {"", settings.PORTAL_HOME_STATE}
# The states the rulebook has a pack for; a municipality elsewhere is judged by Illinois'.
PACKS = {"IL", "CA", "VA"}
STATES = ["IL", "CA", "VA", "WI"]
# Rules a change may turn off, in one pack.
RULES_TURNED_OFF = [
    ("IL", "OUT_OF_STATE_NO_DECLARATION"),
    ("IL", "PRIVATE_ENTITY_GRANT"),
    ("CA", "PRIVATE_ENTITY_GRANT"),
    ("VA", "FEDERAL_GRANT"),
]
BROAD = {SharingGrant.Mode.STATEWIDE, SharingGrant.Mode.NATIONAL, SharingGrant.Mode.SIMILAR_LAWS}
SEARCH_LABEL_RULES = {
    "immigration": "IMMIGRATION_SEARCH",
    "health_care": "HEALTH_CARE_SEARCH",
    "vague": "VAGUE_REASON",
    "sensitive_data": "SENSITIVE_DATA_IN_REASON",
}

agency_index = st.integers(0, len(AGENCIES) - 1)
grant_plan = st.tuples(agency_index, st.sampled_from(MODES), st.booleans())  # revoked?
search_plan = st.tuples(
    st.integers(0, OWN), st.integers(0, len(SEARCH_TIMES) - 1), st.sampled_from(LABELS)
)
municipality_plan = st.tuples(
    st.lists(grant_plan, max_size=4, unique_by=lambda grant: grant[0]),
    st.lists(search_plan, max_size=5),
    st.sampled_from(STATES),
)
change_plan = st.one_of(
    st.tuples(st.just("revoke"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("accept again"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("search"), st.integers(0, 2), search_plan),
    st.tuples(st.just("block"), agency_index),
    st.tuples(st.just("unblock"), agency_index),
    st.tuples(st.just("turn off"), st.sampled_from(RULES_TURNED_OFF)),
)
world_plan = st.fixed_dictionaries(
    {
        "municipalities": st.lists(municipality_plan, min_size=1, max_size=3),
        "blocked": st.sets(agency_index),
        "changes": st.lists(change_plan, min_size=1, max_size=2),
    }
)


class Rollback(Exception):
    """Undoes one example's rows, so that every example starts from the same database."""


class World:
    """One example's rows, made with the factories."""

    def __init__(self, plan: dict, serial: int):
        self.agencies = [
            AgencyFactory(name=name.format(n=serial), state=state, level=level)
            for name, state, level in AGENCIES
        ]
        self.entries: dict[int, BlocklistEntry] = {}
        for index in plan["blocked"]:
            self.block(index)
        self.municipalities = []
        self.own: dict[int, int] = {}
        self.exports = {}
        self.grants: dict[int, list[SharingGrant]] = {}
        for grants, searches, state in plan["municipalities"]:
            municipality = MunicipalityFactory(state=state)
            self.municipalities.append(municipality)
            own = AgencyFactory(name=municipality.police_department, state=state)
            self.own[municipality.pk] = own.pk
            self.exports[municipality.pk] = VendorExportFactory(municipality=municipality)
            self.grants[municipality.pk] = [
                SharingGrantFactory(
                    municipality=municipality,
                    agency=self.agencies[index],
                    mode=mode,
                    status=SharingGrant.Status.REVOKED if revoked else SharingGrant.Status.ACCEPTED,
                    status_changed_at=REVOKED if revoked else DECIDED,
                    source_export=self.exports[municipality.pk],
                )
                for index, mode, revoked in grants
            ]
            for search in searches:
                self.search(municipality, search)

    def agency(self, municipality, index: int) -> Agency:
        if index == OWN:
            return Agency.objects.get(pk=self.own[municipality.pk])
        return self.agencies[index]

    def search(self, municipality, plan) -> None:
        index, when, label = plan
        SearchEventFactory(
            municipality=municipality,
            agency=self.agency(municipality, index),
            searched_at=SEARCH_TIMES[when],
            reason_label=label,
            source_export=self.exports[municipality.pk],
        )

    def block(self, index: int) -> None:
        entry = self.entries.get(index)
        if entry is None:
            self.entries[index] = BlocklistEntry.objects.create(
                agency=self.agencies[index], reason="Test", citation="2-130(b)(2)"
            )
        elif not entry.is_active:
            entry.is_active = True
            entry.save()

    def unblock(self, index: int) -> None:
        entry = self.entries.get(index)
        if entry is not None and entry.is_active:
            entry.is_active = False
            entry.save()

    def change(self, plan) -> None:
        kind, *rest = plan
        if kind in ("revoke", "accept again"):
            which, grant_index = rest
            municipality = self.municipalities[which % len(self.municipalities)]
            grants = self.grants[municipality.pk]
            if not grants:
                return
            grant = grants[grant_index % len(grants)]
            if kind == "revoke":
                grant.status, grant.status_changed_at = SharingGrant.Status.REVOKED, REVOKED
            else:
                grant.status = SharingGrant.Status.ACCEPTED
                grant.status_changed_at = ACCEPTED_AGAIN
            grant.save()
            ungranted_keep(municipality.pk)
        elif kind == "search":
            which, search = rest
            self.search(self.municipalities[which % len(self.municipalities)], search)
        elif kind == "block":
            self.block(rest[0])
        elif kind == "turn off":
            state, code = rest[0]
            Rule.objects.filter(pack__state=state, code=code).update(is_active=False)
        else:
            self.unblock(rest[0])

    @property
    def ids(self) -> list[int]:
        return [m.pk for m in self.municipalities]


# --- the oracle ------------------------------------------------------------------------


def _blocked(world: World) -> set[int]:
    """The agencies an active blocklist entry names (the example's entries name agencies,
    none of which has a parent)."""
    return {
        entry.agency_id
        for entry in BlocklistEntry.objects.filter(pk__in=[e.pk for e in world.entries.values()])
        if entry.is_active
    }


def _window(grant: SharingGrant) -> tuple[datetime, datetime]:
    """When a detections grant let its partner in: an accepted one from its decision on,
    a revoked one from its request until its revocation."""
    start = datetime.min.replace(tzinfo=UTC)
    if grant.status == SharingGrant.Status.ACCEPTED:
        return grant.decided_at or grant.requested_at or start, datetime.max.replace(tzinfo=UTC)
    return grant.requested_at or start, grant.status_changed_at


def _covered(search: SearchEvent, grants: list[SharingGrant]) -> bool:
    for grant in grants:
        if grant.data_type != SharingGrant.DataType.DETECTIONS:
            continue
        start, end = _window(grant)
        if not start <= search.searched_at < end:
            continue
        if grant.agency_id == search.agency_id:
            return True
        if grant.mode in BROAD and (
            grant.mode == SharingGrant.Mode.NATIONAL or search.agency.state in HOME
        ):
            return True  # a pool the searcher is in
    return False


def oracle(world: World) -> dict[tuple, bool]:
    """Every (municipality, rule, subject) whose condition holds or held, computed one
    municipality at a time: True when it has ended (a revoked grant)."""
    blocked = _blocked(world)
    any_grant = SharingGrant.objects.exists()
    active = set(Rule.objects.filter(is_active=True).values_list("pack__state", "code"))
    hits: dict[tuple, bool] = {}
    for municipality in world.municipalities:
        pk = municipality.pk
        pack = municipality.state if municipality.state in PACKS else "IL"
        grants = [
            g
            for g in SharingGrant.objects.filter(municipality=municipality).select_related("agency")
            if g.direction == SharingGrant.Direction.OUTGOING
            and g.status in (SharingGrant.Status.ACCEPTED, SharingGrant.Status.REVOKED)
        ]
        for grant in grants:
            agency, ended = grant.agency, grant.status == SharingGrant.Status.REVOKED
            federal = agency.level == Agency.Level.FEDERAL
            private = agency.level == Agency.Level.PRIVATE
            out_of_state = agency.state not in ("", municipality.state) and agency.level not in (
                Agency.Level.FEDERAL,
                Agency.Level.TRIBAL,
            )
            rules = []
            if pack == "IL":
                if agency.pk in blocked:
                    rules.append("BLOCKED_AGENCY_GRANT")
                elif federal:
                    rules.append("FEDERAL_GRANT_REVIEW")
                if grant.mode in BROAD:
                    rules.append("BROAD_SHARING_MODE")
                if private:
                    rules.append("PRIVATE_ENTITY_GRANT")
                if out_of_state and not grant.declaration_on_file:
                    rules.append("OUT_OF_STATE_NO_DECLARATION")
            else:
                # California and Virginia: no federal, no out-of-state partner, whatever
                # declaration or blocklist; California also no private one.
                if federal:
                    rules.append("FEDERAL_GRANT")
                if out_of_state:
                    rules.append("OUT_OF_STATE_GRANT")
                if private and pack == "CA":
                    rules.append("PRIVATE_ENTITY_GRANT")
            for rule in rules:
                if (pack, rule) in active:
                    hits[(pk, rule, f"grant:{grant.pk}")] = ended
        if pack != "IL":
            continue  # the search rules are Illinois' (2-130(b)) only
        searches = SearchEvent.objects.filter(municipality=municipality).select_related("agency")
        for search in searches:
            subject = f"agency:{search.agency_id}"
            rules = set()
            if search.reason_label in SEARCH_LABEL_RULES:
                rules.add(SEARCH_LABEL_RULES[search.reason_label])
            if search.agency_id in blocked:
                rules.add("IMMIGRATION_SEARCH")
            if (
                any_grant
                and search.origin == SearchEvent.Origin.NETWORK
                and search.agency_id != world.own[pk]
                and not _covered(search, grants)
            ):
                rules.add("SEARCH_WITHOUT_GRANT")
            for rule in rules:
                if (pack, rule) in active:
                    hits[(pk, rule, subject)] = False
    return hits


def expected_after(before: dict[tuple, str], hits: dict[tuple, bool]):
    """The findings' statuses after an evaluation, and what it opened, closed and reopened
    per municipality."""
    after = dict(before)
    counts: dict[int, dict[str, int]] = {}
    for key in set(before) | set(hits):
        tally = counts.setdefault(key[0], {"opened": 0, "closed": 0, "reopened": 0})
        holds = key in hits and not hits[key]
        after[key] = "open" if holds else "closed"
        if key not in before:
            tally["opened" if holds else "closed"] += 1
        elif before[key] == "open" and not holds:
            tally["closed"] += 1
        elif before[key] == "closed" and holds:
            tally["reopened"] += 1
    return after, counts


def stored(world: World) -> dict[tuple, str]:
    return {
        (f.municipality_id, f.rule_code, f.subject_key): f.status
        for f in Finding.objects.filter(municipality_id__in=world.ids)
    }


def run_counts(world: World) -> dict[int, dict[str, int]]:
    latest = {}
    for run in EvaluationRun.objects.filter(municipality_id__in=world.ids).order_by("id"):
        latest[run.municipality_id] = {k: run.counts[k] for k in ("opened", "closed", "reopened")}
    return latest


def evaluate_and_compare(world: World, before: dict[tuple, str]) -> dict[tuple, str]:
    expected, counts = expected_after(before, oracle(world))
    runs = municipalities_evaluate(world.ids, trigger="manual")
    assert sorted(runs) == sorted(world.ids)
    assert stored(world) == expected
    zero = {"opened": 0, "closed": 0, "reopened": 0}
    assert run_counts(world) == {pk: counts.get(pk, zero) for pk in world.ids}
    return expected


serial = iter(range(10**6))


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=world_plan)
def test_a_batched_evaluation_finds_what_the_oracle_finds_per_municipality(db, plan):
    try:
        with statewide_scope(), transaction.atomic():
            world = World(plan, next(serial))
            findings = evaluate_and_compare(world, {})
            for change in plan["changes"]:
                world.change(change)
                findings = evaluate_and_compare(world, findings)
            # Running the batch again on the same data changes nothing.
            municipalities_evaluate(world.ids, trigger="manual")
            assert stored(world) == findings
            assert all(
                counts == {"opened": 0, "closed": 0, "reopened": 0}
                for counts in run_counts(world).values()
            )
            raise Rollback
    except Rollback:
        pass


def test_the_examples_reach_every_transition(db):
    """The strategy above is not idle: one fixed example opens, closes and reopens."""
    plan = {
        "municipalities": [
            ([(0, SharingGrant.Mode.ONE_TO_ONE, False)], [(4, 1, "vague")], "IL"),
            ([(2, SharingGrant.Mode.NATIONAL, True)], [(1, 0, "none"), (4, 2, "none")], "IL"),
        ],
        "blocked": {4},
        "changes": [("unblock", 4), ("block", 4)],
    }
    with statewide_scope():
        world = World(plan, next(serial))
        findings = evaluate_and_compare(world, {})
        assert "open" in findings.values() and "closed" in findings.values()
        world.change(plan["changes"][0])
        after_unblock = evaluate_and_compare(world, findings)
        world.change(plan["changes"][1])
        evaluate_and_compare(world, after_unblock)
        _, counts = expected_after(after_unblock, oracle(world))
        assert sum(c["reopened"] for c in counts.values()) >= 1


def test_the_oracle_judges_each_municipality_by_its_own_pack(db):
    """One batch of four states: the same grants give each pack's findings, and turning a
    rule off in one pack leaves the others' findings as they are."""
    grants = [(index, SharingGrant.Mode.ONE_TO_ONE, False) for index in (1, 2, 3, 6, 7)]
    plan = {
        "municipalities": [(grants, [], state) for state in STATES],
        "blocked": set(),
        "changes": [("turn off", ("CA", "PRIVATE_ENTITY_GRANT"))],
    }
    with statewide_scope():
        world = World(plan, next(serial))
        findings = evaluate_and_compare(world, {})
        rules = {}
        for pk, rule, _ in findings:
            rules.setdefault(pk, set()).add(rule)
        il, ca, va, wi = world.ids
        assert rules[ca] == {"FEDERAL_GRANT", "OUT_OF_STATE_GRANT", "PRIVATE_ENTITY_GRANT"}
        assert rules[va] == {"FEDERAL_GRANT", "OUT_OF_STATE_GRANT"}
        assert rules[il] == rules[wi] == {
            "FEDERAL_GRANT_REVIEW", "PRIVATE_ENTITY_GRANT", "OUT_OF_STATE_NO_DECLARATION"
        }  # fmt: skip
        # Of the partners in WI, IL (the private one), CA and VA, out of state are the
        # three outside the municipality's own state: Wisconsin's, for Illinois' pack
        # judging a Wisconsin municipality, is in state.
        for municipality in world.municipalities:
            outside = {
                f"grant:{grant.pk}"
                for grant in world.grants[municipality.pk]
                if grant.agency.state in {"WI", "IL", "CA", "VA"} - {municipality.state}
            }
            assert len(outside) == 3
            assert outside == {
                key[2]
                for key in findings
                if key[0] == municipality.pk and key[1].startswith("OUT_OF_STATE")
            }
        world.change(plan["changes"][0])
        after = evaluate_and_compare(world, findings)
        closed = {key for key in after if after[key] != findings[key]}
        assert closed == {key for key in findings if key[:2] == (ca, "PRIVATE_ENTITY_GRANT")}
