"""The rollup of searches without a grant (apps/sharing/ungranted.py): after each change
that reaches it through the portal's own write paths (loads of searches and of grants, a
grant accepted later, a revocation, an agency merge, an agency's change of state) it
equals a recomputation from scratch, and the rule that reads it finds the same hits, with
the same evidence, as the query over every search it replaced (kept below as the oracle).
"""

import csv
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from apps.agencies.models import Agency
from apps.agencies.services import agency_merge, agency_update
from apps.audits import evaluation
from apps.audits.models import Finding
from apps.compliance import vocabulary
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import UngrantedSearchDay
from apps.sharing.ungranted import ungranted_rebuild
from tests.ingest.test_loading import upload

pytestmark = pytest.mark.django_db

# The rule's query before the rollup: every network search of the batch read against the
# grants' windows and pools.
_OLD_HITS = """WITH own AS (
    SELECT * FROM unnest(%(own_municipalities)s::bigint[], %(own_agencies)s::bigint[])
        AS o(municipality_id, agency_id)
), windows AS (
    SELECT {grant.municipality} AS municipality_id, {grant.agency} AS agency_id,
           {grant.mode} AS mode,
           CASE WHEN {grant.status} = %(accepted)s
                THEN coalesce({grant.decided_at}, {grant.requested_at}, '-infinity')
                ELSE coalesce({grant.requested_at}, '-infinity') END AS from_at,
           CASE WHEN {grant.status} = %(accepted)s THEN 'infinity'
                ELSE {grant.status_changed_at} END AS until_at
    FROM {grant}
    WHERE {grant.municipality} = ANY(%(ids)s) AND {grant.direction} = %(outgoing)s
      AND {grant.data_type} = %(detections)s AND {grant.status} IN (%(accepted)s, %(revoked)s)
), pools AS (
    SELECT * FROM windows WHERE mode = ANY(%(broad_modes)s)
), hits AS (
    SELECT 'SEARCH_WITHOUT_GRANT' AS rule,
           s.{search.municipality} AS municipality_id, s.{search.agency} AS agency_id,
           s.{search.source_export} AS source_export_id,
           s.{search.source_line} AS source_line, s.{search.searched_at} AS searched_at
    FROM {search} s
    JOIN {agency} searcher ON searcher.id = s.{search.agency}
    WHERE s.{search.municipality} = ANY(%(ids)s) AND s.{search.origin} = %(network)s
      AND NOT EXISTS (
          SELECT 1 FROM own o
          WHERE o.municipality_id = s.{search.municipality} AND o.agency_id = s.{search.agency})
      AND NOT EXISTS (
          SELECT 1 FROM windows w
          WHERE w.municipality_id = s.{search.municipality} AND w.agency_id = s.{search.agency}
            AND s.{search.searched_at} >= w.from_at AND s.{search.searched_at} < w.until_at)
      AND NOT EXISTS (
          SELECT 1 FROM pools p
          WHERE p.municipality_id = s.{search.municipality}
            AND (p.mode = %(national)s OR searcher.{agency.state} = ANY(%(home_states)s))
            AND s.{search.searched_at} >= p.from_at AND s.{search.searched_at} < p.until_at)
)"""
# The rest of it, from the hits on, is what the other search rules still run.
OLD_QUERY = vocabulary.sql_template(_OLD_HITS + ", " + evaluation._PER_FILE + evaluation._BY_AGENCY)

SEARCHES_HEADER = [
    "search_id", "searched_at", "searching_agency", "searching_ori", "searcher", "reason",
    "case_number", "networks_searched", "devices_searched", "search_type", "plate",
]  # fmt: skip
GRANTS_HEADER = [
    "partner_agency", "partner_ori", "partner_state", "partner_level", "mode", "status",
    "requested_at", "decided_at", "decided_by", "declaration_on_file", "declaration_date",
    "vendor_reference",
]  # fmt: skip
WARD, HARRIS, CEDAR, KETTLE = (
    "Ward County TX SO", "Harris County TX SO", "Cedar Falls IL PD", "Kettle County IL SO"
)  # fmt: skip
OWN = "Alder Park IL PD"  # municipality_a's police department
POOL = "Illinois Statewide Pool"
MARCH = datetime(2025, 3, 1, 4, 0, tzinfo=UTC)  # 10 PM local on the last of February
JUNE = datetime(2025, 6, 10, 15, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def searches_file(path, rows: list[tuple[str, datetime, str]]):
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(SEARCHES_HEADER)
        for search_id, when, agency in rows:
            writer.writerow(
                [search_id, iso(when), agency, "", "", "stolen vehicle", "", "3", "", "lookup", ""]
            )
    return path


def grants_file(path, rows: list[tuple]):
    """`rows`: (partner, state, level, mode, status, requested, decided)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(GRANTS_HEADER)
        for partner, state, level, mode, status, requested, decided in rows:
            writer.writerow(
                [partner, "", state, level, mode, status, iso(requested), iso(decided),
                 "det.jsmith", "true", "2024-01-01", ""]
            )  # fmt: skip
    return path


def first_searches() -> list[tuple[str, datetime, str]]:
    """Ward searches 150 times over three days around local midnight (more lines than
    the evidence keeps, on each day), and again in June; the others a few times."""
    rows = [(f"ward-{n:03d}", MARCH + timedelta(minutes=29 * n), WARD) for n in range(150)]
    rows += [(f"ward-june-{n}", JUNE + timedelta(hours=n), WARD) for n in range(6)]
    for name, key in ((HARRIS, "harris"), (CEDAR, "cedar"), (KETTLE, "kettle"), (OWN, "own")):
        rows += [(f"{key}-{n}", MARCH + timedelta(days=30 * n, hours=n), name) for n in range(5)]
    # File order is not time order: the lines the evidence keeps are the file's first.
    return rows[::2] + rows[1::2]


def rollup() -> list[tuple]:
    with statewide_scope():
        return list(
            UngrantedSearchDay.objects.order_by(
                "municipality_id", "agency_id", "day", "source_export_id"
            ).values_list(
                "municipality_id", "agency_id", "day", "source_export_id", "searches",
                "first_searched_at", "last_searched_at", "source_lines",
            )
        )  # fmt: skip


def rule_rows(ids: list[int], query: str) -> list[dict]:
    with statewide_scope():
        from apps.municipalities.models import Municipality

        own = evaluation._own_agencies(list(Municipality.objects.filter(pk__in=ids)))
    pairs = [(pk, agency) for pk, agencies in own.items() for agency in agencies]
    params = {
        **vocabulary.sql_params(blocked=[]),
        "ids": ids,
        "own_municipalities": [pk for pk, _ in pairs],
        "own_agencies": [agency for _, agency in pairs],
        "lines": evaluation.EVIDENCE_LINES,
        # The rule's statement also holds the other search rules: only this one is on,
        # for every municipality of the batch.
        **{
            f"{prefix}_{code.lower()}": value
            for code in evaluation._SEARCH_RULES["searches"]
            for prefix, value in (
                ("on", code == "SEARCH_WITHOUT_GRANT"),
                ("all", code == "SEARCH_WITHOUT_GRANT"),
                ("in", ids if code == "SEARCH_WITHOUT_GRANT" else []),
            )
        },
        "any_grant": True,
        "by_days": True,
        "tz": "UTC",
    }
    return evaluation._rows(query, params)


def assert_consistent(ids: list[int]) -> list[dict]:
    """The rollup equals its recomputation, and the rule's rows the oracle's (returned)."""
    kept = rollup()
    ungranted_rebuild()
    assert rollup() == kept
    expected = rule_rows(ids, OLD_QUERY)
    assert rule_rows(ids, evaluation._SEARCH_QUERIES["searches"]) == expected
    return expected


def hits_of(rows: list[dict], municipality, agency_name: str) -> int:
    return sum(
        r["n"]
        for r in rows
        if r["municipality_id"] == municipality.pk and r["agency_name"] == agency_name
    )


def test_the_rollup_follows_every_write_path_and_the_rule_finds_what_the_old_query_found(
    municipality_a, municipality_b, tmp_path, administrator
):
    ids = [municipality_a.pk, municipality_b.pk]
    before = MARCH - timedelta(days=90)
    # Each list is a whole snapshot (a grant it leaves out has ended).
    shared = [
        (CEDAR, "IL", "local", "one_to_one", "accepted", before, before),
        # Let in from its request until its revocation in April.
        (KETTLE, "IL", "county", "one_to_one", "revoked", before, MARCH + timedelta(40)),
        (POOL, "IL", "other", "statewide", "accepted", before, MARCH + timedelta(95)),
    ]
    upload(municipality_a, grants_file(tmp_path / "grants-1.csv", shared), vendor_slug="other")
    searches = first_searches()
    for municipality in (municipality_a, municipality_b):
        upload(municipality, searches_file(tmp_path / "searches-1.csv", searches),
               vendor_slug="other")  # fmt: skip
    rows = assert_consistent(ids)
    # Municipality B shares nothing, so every search but its own police's is a hit.
    assert hits_of(rows, municipality_b, WARD) == 156
    assert hits_of(rows, municipality_a, WARD) == 156
    assert hits_of(rows, municipality_a, OWN) == 0
    assert hits_of(rows, municipality_a, CEDAR) == 0
    assert hits_of(rows, municipality_a, KETTLE) == 2  # between the revocation and the pool
    assert hits_of(rows, municipality_a, HARRIS) == 5
    ward_files = next(r for r in rows if r["agency_name"] == WARD)["files"]
    assert [len(f["lines"]) for f in ward_files] == [evaluation.EVIDENCE_LINES]

    # A second, overlapping file: only its new searches are added, under its own name.
    again = searches[::3] + [
        (f"ward-late-{n}", MARCH + timedelta(minutes=29 * n + 7), WARD) for n in range(40)
    ]
    upload(municipality_a, searches_file(tmp_path / "searches-2.csv", again), vendor_slug="other")
    rows = assert_consistent(ids)
    assert hits_of(rows, municipality_a, WARD) == 196

    def ward_shared(status: str, decided: datetime, name: str) -> None:
        ward = (WARD, "TX", "county", "one_to_one", status, before, decided)
        listed = grants_file(tmp_path / name, [*shared, ward])
        upload(municipality_a, listed, vendor_slug="other")

    # Ward given access in the middle of its March searches: fewer hits.
    ward_shared("accepted", MARCH + timedelta(1), "grants-2.csv")
    rows = assert_consistent(ids)
    granted = hits_of(rows, municipality_a, WARD)
    assert 0 < granted < 196

    # Revoked two days in: let in from its request to then (the June searches are hits
    # again, the first day's no longer are).
    ward_shared("revoked", MARCH + timedelta(2), "grants-3.csv")
    rows = assert_consistent(ids)
    revoked = hits_of(rows, municipality_a, WARD)
    assert 0 < revoked < 196
    assert revoked != granted

    # Harris merged into Ward: its searches move under Ward, covered by Ward's grant.
    with statewide_scope():
        ward, harris = Agency.objects.get(name=WARD), Agency.objects.get(name=HARRIS)
    agency_merge(source=harris, target=ward, actor=administrator, reason="Same office")
    rows = assert_consistent(ids)
    assert hits_of(rows, municipality_a, HARRIS) == 0
    assert revoked < hits_of(rows, municipality_a, WARD) <= revoked + 5
    assert hits_of(rows, municipality_b, WARD) == 161

    # Ward moves to Illinois: the statewide pool (from June 4 on) covers its June searches.
    merged = hits_of(rows, municipality_a, WARD)
    agency_update(agency=ward, changes={"state": "IL"}, actor=administrator, reason="Moved")
    rows = assert_consistent(ids)
    assert hits_of(rows, municipality_a, WARD) == merged - 7  # six in June, Harris's in July
    assert hits_of(rows, municipality_b, WARD) == 161  # no pool there

    # The evaluation stores what the oracle found.
    expected = {r["agency_id"]: r for r in rows if r["municipality_id"] == municipality_a.pk}
    with municipality_scope(municipality_a):
        evaluation.municipality_evaluate(municipality=municipality_a, trigger="manual")
        stored = {
            f.agency_id: f
            for f in Finding.objects.filter(rule_code="SEARCH_WITHOUT_GRANT", status="open")
        }
    assert set(stored) == set(expected)
    for agency_id, finding in stored.items():
        assert finding.evidence == {
            "count": expected[agency_id]["n"],
            "files": expected[agency_id]["files"],
        }
        assert finding.first_seen_at == expected[agency_id]["first_at"]


def test_a_rebuild_restores_a_damaged_rollup(municipality_a, tmp_path):
    upload(
        municipality_a,
        searches_file(tmp_path / "searches.csv", first_searches()),
        vendor_slug="other",
    )
    kept = rollup()
    assert kept
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sharing_ungrantedsearchday WHERE day < '2025-03-02'")

    assert ungranted_rebuild(municipality_ids=[municipality_a.pk]) == len(kept)

    assert rollup() == kept
