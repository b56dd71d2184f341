"""Agency names as vendors write them, reduced to a comparable form."""

import pytest

from apps.agencies.naming import guess_level, parse_agency_name


@pytest.mark.parametrize(
    ("raw", "state", "normalized"),
    [
        ("Ward County TX SO", "TX", "ward county sheriffs office"),
        ("Harris County TX SO", "TX", "harris county sheriffs office"),
        ("Phoenix AZ PD", "AZ", "phoenix police department"),
        ("Maple Grove IL PD", "IL", "maple grove police department"),
        ("St. Louis County MO PD", "MO", "st louis county police department"),
        ("Ward County TX Sheriff", "TX", "ward county sheriffs office"),
        ("Kettle River Tribal Police (WI)", "WI", "kettle river tribal police"),
    ],
)
def test_a_state_code_before_the_agency_kind_or_at_the_end_is_taken_as_the_state(
    raw, state, normalized
):
    parsed = parse_agency_name(raw)
    assert parsed.state == state
    assert parsed.normalized == normalized
    assert parsed.match_key == f"{state}|{normalized}"


def test_a_state_code_before_a_spelled_out_agency_kind_is_taken_as_the_state():
    """`naming.py`: "A state code stands last, or just before the kind of agency"."""
    parsed = parse_agency_name("Pleasant Valley IL Police Department")
    assert parsed.state == "IL"
    assert parsed.normalized == "pleasant valley police department"


def test_the_abbreviated_and_spelled_out_names_of_one_agency_share_a_match_key():
    assert (
        parse_agency_name("Pleasant Valley IL PD").match_key
        == parse_agency_name("Pleasant Valley IL Police Department").match_key
    )


def test_ward_and_howard_county_are_different_agencies():
    ward = parse_agency_name("Ward County TX SO")
    howard = parse_agency_name("Howard County Sheriff's Office")
    assert howard.state == ""
    assert howard.normalized == "howard county sheriffs office"
    assert howard.normalized != ward.normalized
    assert howard.match_key != ward.match_key


def test_the_same_name_without_a_state_does_not_match_the_one_with_a_state():
    with_state = parse_agency_name("Ward County TX SO")
    without = parse_agency_name("Ward County Sheriff's Office")
    assert without.normalized == with_state.normalized
    assert without.state == ""
    assert without.match_key != with_state.match_key


@pytest.mark.parametrize(
    ("raw", "display", "normalized", "state", "tags"),
    [
        ("ICE ERO Chicago [Federal]", "ICE ERO Chicago", "ice ero chicago", "", ("federal",)),
        ("HSI Chicago [Federal]", "HSI Chicago", "hsi chicago", "", ("federal",)),
        ("Old Town IL PD [Inactive]", "Old Town IL PD", "old town police department", "IL",
         ("inactive",)),
        ("Old Town IL PD [INACTIVE]", "Old Town IL PD", "old town police department", "IL",
         ("inactive",)),
        ("Elm Crossing IL PD [turned off]", "Elm Crossing IL PD",
         "elm crossing police department", "IL", ("turned_off",)),
        ("Harlow IL PD - DNU", "Harlow IL PD", "harlow police department", "IL", ("dnu",)),
        ("Kettle County IL SO - Duplicate - do not use", "Kettle County IL SO",
         "kettle county sheriffs office", "IL", ("duplicate",)),
        ("U.S. Marshals Service - NDIL [Federal]", "U.S. Marshals Service - NDIL",
         "us marshals service ndil", "", ("federal",)),
        ("  Maple Grove IL PD  ", "Maple Grove IL PD", "maple grove police department", "IL",
         ()),
    ],
)  # fmt: skip
def test_account_tags_are_taken_off_the_name(raw, display, normalized, state, tags):
    parsed = parse_agency_name(raw)
    assert parsed.display == display
    assert parsed.normalized == normalized
    assert parsed.state == state
    assert parsed.tags == tags


def test_a_tagged_name_matches_the_same_agency_without_its_tag():
    assert (
        parse_agency_name("Kettle County IL SO - Duplicate - do not use").match_key
        == parse_agency_name("Kettle County IL SO").match_key
    )
    assert (
        parse_agency_name("Old Town IL PD [Inactive]").match_key
        == parse_agency_name("Old Town IL PD").match_key
    )


def test_ampersand_is_read_as_and():
    assert parse_agency_name("Fox & Hound Village PD").normalized == (
        "fox and hound village police department"
    )
    assert (
        parse_agency_name("Fox & Hound Village PD").match_key
        == parse_agency_name("Fox and Hound Village PD").match_key
    )


@pytest.mark.parametrize(
    "raw",
    ["U.S. Marshals Service", "U. S. Marshals Service", "US Marshals Service",
     "United States Marshals Service"],
)  # fmt: skip
def test_us_abbreviations_normalise_alike(raw):
    assert parse_agency_name(raw).normalized == "us marshals service"


def test_punctuation_and_apostrophes_are_dropped():
    assert parse_agency_name("Lowe's Home Centers").normalized == "lowes home centers"
    assert parse_agency_name("Lowe\u2019s Home Centers").normalized == "lowes home centers"
    assert parse_agency_name("DHS-HSI (Newark NJ)").normalized == "dhs hsi newark"


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("ICE ERO Chicago [Federal]", "federal"),
        ("U.S. Customs and Border Protection", "federal"),
        ("United States Marshals Service", "federal"),
        ("Kettle River Tribal Police (WI)", "tribal"),
        ("Illinois State Police", "state"),
        ("Missouri State Highway Patrol", "state"),
        ("Prairie State University Police", "state"),
        ("Ward County TX SO", "county"),
        ("Howard County Sheriff's Office", "county"),
        ("St. Louis County MO PD", "county"),
        ("Phoenix AZ PD", "local"),
        ("Pleasant Valley IL Police Department", "local"),
        ("Fox & Hound Village PD", "local"),
        ("Lowe's Home Centers", "private"),
        ("The Home Depot", "private"),
        ("Simon Property Group", "private"),
        ("Prairie View Apartments HOA", "private"),
        ("Northfield Commons Mall Security", "private"),
        ("Prairie Region IL Fusion Center", "other"),
        ("Sauk Trail Metro IL Drug Task Force", "other"),
    ],
)
def test_guess_level_reads_the_kind_of_agency_from_its_name(raw, level):
    assert guess_level(parse_agency_name(raw)) == level


def test_the_federal_tag_wins_over_the_words_of_the_name():
    assert guess_level(parse_agency_name("Cook County IL SO [Federal]")) == "federal"
