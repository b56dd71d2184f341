"""Agency matching for filters and search boxes, and the review queue's look-alikes
(pg_trgm similarity instead of a difflib scan over every agency)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.agencies.models import Agency, AgencyAlias
from apps.agencies.naming import parse_agency_name
from apps.agencies.resolution import agency_resolve
from apps.agencies.selectors import agency_lookalikes, review_queue
from apps.agencies.services import alias_add

pytestmark = pytest.mark.django_db
CBP = "U.S. Customs and Border Protection"


def names(text: str) -> set[str]:
    return set(Agency.objects.matching(text).values_list("name", flat=True))


@pytest.fixture
def local_agencies(db):
    for name, state in [
        ("Riverbend IL PD", "IL"),
        ("Ward County TX SO", "TX"),
        ("U.S. Marshals Service - NDIL", ""),
        ("Lowe's Home Centers", "NC"),
    ]:
        Agency.objects.create(name=name, normalized_name=name.lower(), state=state)


def test_an_acronym_matches_whole_words_and_brings_the_agencys_offices(local_agencies):
    found = names("ICE")
    # By its alias "ICE", and Homeland Security Investigations as its component.
    assert "U.S. Immigration and Customs Enforcement" in found
    assert "Homeland Security Investigations" in found
    assert not {"Riverbend IL PD", "U.S. Marshals Service - NDIL"} & found
    assert names("ice") == found


def test_longer_words_match_the_start_of_a_word_in_the_name_or_one_alias(local_agencies):
    assert names("riverb") == {"Riverbend IL PD"}
    assert names("ward county") == {"Ward County TX SO"}
    assert names("Lowe's") == {"Lowe's Home Centers"}
    # The words must all be in the name, or all in one alias.
    assert names("ward riverbend") == set()
    agency = Agency.objects.get(name="Ward County TX SO")
    AgencyAlias.objects.create(agency=agency, alias="WCSO Texas", normalized="wcso texas")
    assert names("wcso") == {"Ward County TX SO"}


def test_nothing_to_match_matches_nothing(local_agencies):
    assert names("") == set()
    assert names("  -- ") == set()
    assert names("(.*)") == set()


def test_words_that_cannot_fit_in_a_name_match_nothing_instead_of_failing(local_agencies):
    assert names("9" * 100_000) == set()
    assert names(" ".join(f"w{n}" for n in range(20_000))) == set()
    # Repeating a word is not more words.
    assert names("riverbend " * 1_000) == {"Riverbend IL PD"}


def test_the_agency_directory_search_finds_ice_and_its_offices_and_no_police(
    client, auditor, local_agencies
):
    client.force_login(auditor)

    response = client.get("/state/agencies/?q=ICE")

    listed = {row.record.name for row in response.context["table"].paginated_rows}
    assert listed == {"U.S. Immigration and Customs Enforcement",
                      "Homeland Security Investigations"}  # fmt: skip


# --- look-alikes in the review queue ---------------------------------------------------


def confirmed(name: str) -> Agency:
    """An agency of the directory, named as vendors write it ("Riverbend IL PD")."""
    parsed = parse_agency_name(name)
    return Agency.objects.create(
        name=name, normalized_name=parsed.normalized, state=parsed.state, is_confirmed=True
    )


def lookalikes(raw_name: str) -> list[str]:
    """The look-alikes the review queue shows beside a name an upload brought in."""
    agency = agency_resolve(raw_name)
    assert agency.is_confirmed is False
    items = {item.agency.pk: item for item in review_queue(limit=500)}
    return [candidate.name for candidate in items[agency.pk].candidates]


@pytest.mark.parametrize(
    "spelling",
    ["Riverbend Potice Department (IL)", "Riverbend Village PD", "Rivrbend IL PD", "Riverbend"],
)
def test_a_riverbend_spelling_is_offered_riverbend_and_never_phoenix(spelling):
    confirmed("Riverbend IL PD")
    confirmed("Phoenix AZ PD")
    confirmed("Springfield IL PD")

    offered = lookalikes(spelling)

    # Every town's "police department" looks alike; only the town's name counts.
    assert offered == ["Riverbend IL PD"], spelling


def test_look_alikes_of_the_same_state_come_first():
    confirmed("Lansing IL PD")
    confirmed("Lansing MI PD")
    confirmed("Ward County TX SO")

    assert lookalikes("Lansng MI PD") == ["Lansing MI PD", "Lansing IL PD"]
    assert lookalikes("Lansng IL PD") == ["Lansing IL PD", "Lansing MI PD"]
    # Names without a state are compared with every state's alike.
    assert set(lookalikes("Lansing Police Department (Ml)")) == {"Lansing IL PD", "Lansing MI PD"}


def test_an_alias_an_administrator_taught_brings_its_agency_as_a_look_alike(administrator):
    cbp = Agency.objects.get(name=CBP)
    assert CBP not in lookalikes("CEP NTC")

    alias_add(agency=cbp, alias="CBP-NTC", user=administrator, reason="LEARN reports")

    assert lookalikes("CEP NTC") == [CBP]


def test_only_confirmed_agencies_are_offered_and_at_most_three():
    for town in ("Oakville", "Oakvale", "Oakvill", "Oakvile"):
        confirmed(f"{town} IL PD")
    agency_resolve("Oakvilla IL PD")  # unconfirmed: never a look-alike of another

    offered = lookalikes("Oakvil IL Police Dept")

    assert len(offered) == 3
    assert "Oakvilla IL PD" not in offered


def test_the_review_queue_finds_every_look_alike_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    for n in range(40):
        confirmed(f"Townsville{n} IL PD")
        agency_resolve(f"Townsvile{n} IL Police Dept")

    # The unconfirmed agencies, their spellings, and one query for all look-alikes.
    with django_assert_max_num_queries(3):
        queue = review_queue(limit=40)

    assert len(queue) == 40
    assert all(item.candidates for item in queue)


def test_the_review_page_queries_do_not_grow_with_its_rows(client, administrator):
    def page_queries(pending: int) -> int:
        for n in range(Agency.objects.filter(is_confirmed=False).count(), pending):
            confirmed(f"Townsville{n} IL PD")
            agency_resolve(f"Townsvile{n} IL Police Dept")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/state/administration/agencies/review/").content.decode()
        assert page.count('<tr id="agency-') == pending
        assert page.count("(look-alike)</option>") >= pending
        return len(queries)

    client.force_login(administrator)
    client.get("/state/administration/agencies/review/")  # what a first request caches

    assert page_queries(5) == page_queries(40)


# --- trigram indexes ---------------------------------------------------------------------


def test_the_trigram_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s",
                       ["%_trgm"])  # fmt: skip
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {
        "agency_name_trgm", "agency_name_core_trgm", "alias_alias_trgm", "alias_name_core_trgm"
    }  # fmt: skip
    assert all("gin_trgm_ops" in definition for definition in indexes.values())


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def directory_of_thousands(db):
    """A directory of 4,000 agencies, most of them some town's police department."""
    towns = [f"{'abcdefghij'[n % 10]}{'klmnopqrst'[n // 10 % 10]}ville{n}" for n in range(4000)]
    Agency.objects.bulk_create(
        Agency(name=f"{town} IL PD", normalized_name=f"{town} police department", state="IL",
               is_confirmed=n % 10 != 0)
        for n, town in enumerate(towns)
    )  # fmt: skip
    AgencyAlias.objects.bulk_create(
        AgencyAlias(agency=agency, alias=agency.name, normalized=f"IL|{agency.normalized_name}")
        for agency in Agency.objects.filter(state="IL")
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE agencies_agency")
        cursor.execute("ANALYZE agencies_agencyalias")


def test_look_alikes_are_found_through_the_trigram_indexes(directory_of_thousands):
    pending = list(Agency.objects.filter(is_confirmed=False).values_list("pk", flat=True)[:50])
    with CaptureQueriesContext(connection) as queries:
        agency_lookalikes(agency_ids=pending)

    plan = explain(queries.captured_queries[-1]["sql"])

    assert "agency_name_core_trgm" in plan and "alias_name_core_trgm" in plan, plan


def test_the_search_boxes_word_matching_can_use_the_trigram_indexes(directory_of_thousands):
    with CaptureQueriesContext(connection) as queries:
        list(Agency.objects.matching("riverbend"))
    with connection.cursor() as cursor:
        # A few thousand rows are read faster in full; on a larger directory the planner
        # takes the indexes, which this shows it can.
        # GIN indexes are read by bitmap scans; with plain scans off, the planner shows
        # whether the trigram indexes can serve (PostgreSQL 15 and 18 alike).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = explain(queries.captured_queries[-1]["sql"])

    assert "agency_name_trgm" in plan and "alias_alias_trgm" in plan, plan
