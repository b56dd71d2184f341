"""Resolving vendor agency names to the directory, and the administrator's review.

The seeded federal immigration components come from the 0002 data migration; the
rules (exact ORI, alias, name, curated pattern; never fuzzy) from `resolution.py` and
DOMAIN.md ("Ward County TX SO" must not become "Howard County Sheriff's Office").
"""

from pathlib import Path

import pytest

from apps.agencies.models import Agency, AgencyAlias
from apps.agencies.naming import parse_agency_name
from apps.agencies.resolution import AgencyResolver, agency_resolve
from apps.agencies.selectors import review_queue
from apps.agencies.services import agency_confirm, agency_merge, agency_rename, alias_add
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import SearchEvent, SharingGrant
from apps.vendors.loading import export_load
from apps.vendors.models import Vendor
from apps.vendors.services import export_receive

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent.parent / "ingest" / "samples"
ICE = "U.S. Immigration and Customs Enforcement"
HSI = "Homeland Security Investigations"
REVIEW_URL = "/state/administration/agencies/review/"


def directory_agency(name: str, *, state: str = "", ori=None, level="other", confirmed=True):
    """An agency an administrator put in the directory (no alias of its own)."""
    return Agency.objects.create(
        name=name,
        normalized_name=parse_agency_name(name).normalized,
        state=state,
        ori=ori,
        level=level,
        is_confirmed=confirmed,
    )


def resolve(name: str, ori: str = "") -> int:
    """A fresh resolver each time, as each load creates its own."""
    return AgencyResolver().resolve(name, ori=ori).agency_id


@pytest.fixture
def ice():
    return Agency.objects.get(name=ICE)


@pytest.fixture
def howard():
    return directory_agency(
        "Howard County Sheriff's Office", state="MD", level="county", confirmed=True
    )


# --- one agency, many spellings ----------------------------------------------------------


def test_ice_office_names_and_an_administrators_alias_resolve_to_one_agency(ice, administrator):
    alias = alias_add(agency=ice, alias="Immigration Enforcement Unit 7", user=administrator)
    assert alias.created_by == administrator
    agencies_before = Agency.objects.count()

    ids = {
        resolve("ICE ERO Chicago"),
        resolve("ICE ERO Chicago [Federal]"),
        resolve("U.S. Immigration & Customs Enforcement"),
        resolve("Immigration Enforcement Unit 7"),
        agency_resolve("immigration enforcement unit 7").pk,
    }

    assert ids == {ice.pk}
    assert Agency.objects.count() == agencies_before
    assert ice.ori == "VTICE0900" and ice.is_confirmed


def test_an_alias_already_naming_another_agency_is_refused(ice, howard, administrator):
    with pytest.raises(ValueError, match="ICE ERO"):
        alias_add(agency=howard, alias="ICE ERO", user=administrator)
    assert resolve("ICE ERO") == ice.pk


def test_federal_component_offices_resolve_to_their_seeded_agencies():
    assert Agency.objects.get(pk=resolve("DHS-HSI (Newark NJ)")).name == HSI
    assert Agency.objects.get(pk=resolve("HSI Chicago [Federal]")).name == HSI
    assert Agency.objects.get(pk=resolve("CBP-NTC")).name == "U.S. Customs and Border Protection"
    assert (
        Agency.objects.get(pk=resolve("San Diego Sector Border Patrol (CA)")).name
        == "U.S. Border Patrol"
    )
    # "ICE" inside "police" or "service" is not ICE.
    assert Agency.objects.get(pk=resolve("Pleasant Valley IL Police Department")).name != ICE
    assert Agency.objects.get(pk=resolve("U.S. Marshals Service - NDIL [Federal]")).name != ICE


# --- nothing fuzzy -----------------------------------------------------------------------


def test_ward_county_is_not_merged_into_howard_county(howard):
    howard_aliases = set(howard.aliases.values_list("normalized", flat=True))

    resolution = AgencyResolver().resolve("Ward County TX SO")

    assert resolution.method == "created"
    assert resolution.agency_id != howard.pk
    ward = Agency.objects.get(pk=resolution.agency_id)
    assert ward.is_confirmed is False
    assert ward.state == "TX"
    assert ward.normalized_name == "ward county sheriffs office"
    assert ward.level == Agency.Level.COUNTY
    # Nothing was merged: Howard keeps exactly its own spellings, both still exist.
    howard.refresh_from_db()
    assert set(howard.aliases.values_list("normalized", flat=True)) == howard_aliases
    assert AgencyAlias.objects.get(normalized="TX|ward county sheriffs office").agency == ward
    assert resolve("Ward County TX SO") == ward.pk
    assert resolve("Howard County MD SO") == howard.pk

    queue = review_queue()
    items = [item for item in queue if item.agency.pk == ward.pk]
    assert len(items) == 1
    # Howard may be shown as a look-alike, for a person to judge; nothing more.
    assert howard in items[0].candidates
    assert all(candidate.is_confirmed for candidate in items[0].candidates)
    assert howard.pk not in {item.agency.pk for item in queue}
    assert Agency.objects.filter(pk=ward.pk).exists()
    assert Agency.objects.filter(pk=howard.pk).exists()


def test_a_confirmed_agency_leaves_the_review_queue():
    ward = agency_resolve("Ward County TX SO")
    assert ward.pk in {item.agency.pk for item in review_queue()}

    agency_confirm(agency=ward, level=Agency.Level.COUNTY)

    assert Agency.objects.get(pk=ward.pk).is_confirmed is True
    assert ward.pk not in {item.agency.pk for item in review_queue()}


# --- ORI, tags, batches -------------------------------------------------------------------


def test_an_ori_match_wins_over_names_and_aliases():
    fusion = directory_agency("Prairie Region IL Fusion Center", state="IL", ori="IL0990200")
    ward = agency_resolve("Ward County TX SO")

    resolution = AgencyResolver().resolve("Ward County TX SO", ori=" il0990200 ")
    assert (resolution.agency_id, resolution.method) == (fusion.pk, "ori")
    assert AgencyResolver().resolve_many([("Ward County TX SO", "IL0990200")]) == {
        ("Ward County TX SO", "IL0990200"): fusion.pk
    }
    # Without the ORI the alias still gives Ward County.
    assert resolve("Ward County TX SO") == ward.pk
    # The seeded ICE ORI identifies ICE whatever the office is called.
    assert Agency.objects.get(pk=resolve("ICE LESC (Williston VT)", "VTICE0900")).name == ICE


def test_account_tags_end_up_on_the_agency():
    old_town = agency_resolve("Old Town IL PD")
    assert old_town.tags == []

    assert resolve("Old Town IL PD [Inactive]") == old_town.pk
    assert resolve("Old Town IL PD [turned off]") == old_town.pk
    assert resolve("Old Town IL PD - DNU") == old_town.pk
    old_town.refresh_from_db()
    assert {"inactive", "turned_off", "dnu"} <= set(old_town.tags)

    kettle = agency_resolve("Kettle County IL SO - Duplicate - do not use")
    assert "duplicate" in kettle.tags
    assert kettle.name == "Kettle County IL SO"
    federal = agency_resolve("U.S. Marshals Service - NDIL [Federal]")
    assert "federal" in federal.tags
    assert federal.level == Agency.Level.FEDERAL

    # The batch path used by loads tags agencies too.
    ids = AgencyResolver().resolve_many(
        [("Harlow IL PD - DNU", ""), ("Elm Crossing IL PD [turned off]", "")]
    )
    assert "dnu" in Agency.objects.get(pk=ids[("Harlow IL PD - DNU", "")]).tags
    assert "turned_off" in Agency.objects.get(pk=ids[("Elm Crossing IL PD [turned off]", "")]).tags


def test_resolve_many_gives_the_same_ids_as_resolve_for_a_batch():
    fusion = directory_agency("Prairie Region IL Fusion Center", state="IL", ori="IL0990200")
    known = agency_resolve("Phoenix AZ PD")
    batch = [
        ("ICE ERO Chicago [Federal]", ""),
        ("U.S. Immigration & Customs Enforcement", ""),
        ("DHS-HSI (Newark NJ)", ""),
        ("ICE LESC (Williston VT)", "VTICE0900"),
        ("Fusion Center", "IL0990200"),
        ("Phoenix AZ PD", ""),
        ("Ward County TX SO", ""),
        ("Brazos Ridge County TX SO", ""),
        ("Lowe's Home Centers", ""),
    ]

    by_batch = AgencyResolver().resolve_many(batch)
    agencies_after_batch = Agency.objects.count()
    by_one = {key: AgencyResolver().resolve(key[0], ori=key[1]).agency_id for key in batch}

    assert by_one == by_batch
    assert Agency.objects.count() == agencies_after_batch  # resolve created nothing more
    assert by_batch[("ICE ERO Chicago [Federal]", "")] == Agency.objects.get(name=ICE).pk
    assert (
        by_batch[("U.S. Immigration & Customs Enforcement", "")] == Agency.objects.get(name=ICE).pk
    )
    assert by_batch[("DHS-HSI (Newark NJ)", "")] == Agency.objects.get(name=HSI).pk
    assert by_batch[("Fusion Center", "IL0990200")] == fusion.pk
    assert by_batch[("Phoenix AZ PD", "")] == known.pk
    ward = Agency.objects.get(pk=by_batch[("Ward County TX SO", "")])
    assert (ward.state, ward.is_confirmed) == ("TX", False)


def test_resolve_many_gives_one_agency_to_spellings_of_one_name_in_a_batch():
    """A file names "Old Town IL PD" and "Old Town IL PD [Inactive]": `resolve` gives
    both one agency (the second finds the first's alias); a batch must too."""
    batch = [
        ("Old Town IL PD [Inactive]", ""),
        ("Old Town IL PD", ""),
        ("Ward County TX SO", ""),
        ("Ward County TX Sheriff", ""),
    ]

    by_batch = AgencyResolver().resolve_many(batch)

    assert by_batch[batch[0]] == by_batch[batch[1]]
    assert by_batch[batch[2]] == by_batch[batch[3]]
    assert {key: AgencyResolver().resolve(key[0]).agency_id for key in batch} == by_batch
    assert Agency.objects.filter(normalized_name="old town police department").count() == 1


# --- administrator's changes --------------------------------------------------------------


def load_sample(municipality, name: str, vendor_slug: str):
    path = SAMPLES / name
    with municipality_scope(municipality):
        received = export_receive(
            municipality=municipality,
            vendor=Vendor.objects.get(slug=vendor_slug),
            kind="",
            original_name=name,
            chunks=[path.read_bytes()],
            uploaded_by=None,
            queue=False,
        )
        export = export_load(export_id=received.export.pk)
    assert export.status == "loaded", export.message
    return export


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_merge_moves_aliases_grants_and_searches_across_municipalities(
    municipality_a, municipality_b, media_root
):
    load_sample(municipality_a, "flock_network_audit_13col.csv", "flock")
    load_sample(municipality_b, "motorola_sharing_report.csv", "motorola")
    source = Agency.objects.get(pk=resolve("Ward County TX SO"))
    target = directory_agency("Ward County Sheriff's Office", state="TX", level="county")
    with statewide_scope():
        searches = SearchEvent.objects.filter(agency=source).count()
        grants = SharingGrant.objects.filter(agency=source).count()
    assert searches == 5  # README: 5 Ward County rows in the 13-column file
    assert grants == 2  # Motorola: detections (line 3) and hot list (line 37)
    source_aliases = set(source.aliases.values_list("normalized", flat=True))
    assert "TX|ward county sheriffs office" in source_aliases

    merged = agency_merge(source=source, target=target)

    assert merged.pk == target.pk
    assert not Agency.objects.filter(pk=source.pk).exists()
    assert source_aliases <= set(target.aliases.values_list("normalized", flat=True))
    with statewide_scope():
        assert SearchEvent.objects.filter(agency=target).count() == 5
        assert SearchEvent.objects.filter(agency=target, municipality=municipality_a).count() == 5
        assert SharingGrant.objects.filter(agency=target, municipality=municipality_b).count() == 2
        assert not SearchEvent.objects.filter(agency_id=source.pk).exists()
        assert not SharingGrant.objects.filter(agency_id=source.pk).exists()
    assert resolve("Ward County TX SO") == target.pk


def test_merging_an_agency_into_itself_is_refused():
    ward = agency_resolve("Ward County TX SO")
    with pytest.raises(ValueError):
        agency_merge(source=ward, target=ward)
    assert Agency.objects.filter(pk=ward.pk).exists()


def test_rename_keeps_the_old_spelling_resolvable():
    ward = agency_resolve("Ward County TX SO")

    agency_rename(agency=ward, name="Ward County Sheriff's Office")

    ward.refresh_from_db()
    assert ward.name == "Ward County Sheriff's Office"
    assert ward.state == "TX"
    assert resolve("Ward County TX SO") == ward.pk
    assert resolve("Ward County Sheriff's Office") == ward.pk
    assert Agency.objects.filter(normalized_name="ward county sheriffs office").count() == 1


def test_administrator_merges_from_the_review_page(client, administrator, howard):
    ward = agency_resolve("Ward County TX SO")
    target = directory_agency("Ward County Sheriff's Office", state="TX", level="county")
    client.force_login(administrator)

    page = client.get(REVIEW_URL)
    assert page.status_code == 200
    item = next(item for item in page.context["items"] if item.agency.pk == ward.pk)
    assert howard in item.candidates
    assert "Ward County TX SO" in page.content.decode()

    response = client.post(REVIEW_URL, {"action": "merge", "agency": ward.pk, "target": target.pk})

    assert response.status_code == 302
    assert response["Location"] == REVIEW_URL
    assert not Agency.objects.filter(pk=ward.pk).exists()
    assert Agency.objects.filter(pk=howard.pk).exists()
    assert AgencyAlias.objects.get(normalized="TX|ward county sheriffs office").agency == target
    assert resolve("Ward County TX SO") == target.pk


def test_an_auditor_cannot_use_the_review_page(client, auditor):
    ward = agency_resolve("Ward County TX SO")
    target = directory_agency("Ward County Sheriff's Office", state="TX", level="county")
    client.force_login(auditor)

    assert client.get(REVIEW_URL).status_code == 403
    response = client.post(REVIEW_URL, {"action": "merge", "agency": ward.pk, "target": target.pk})

    assert response.status_code == 403
    assert Agency.objects.filter(pk=ward.pk).exists()
    assert resolve("Ward County TX SO") == ward.pk


def test_administrator_merges_into_any_confirmed_agency_typed_by_name(client, administrator):
    from django.utils.html import escape

    ward = agency_resolve("Ward County TX SO")
    agency_resolve("Kent County TX SO")  # a second row in the queue
    target = directory_agency("Ward County Sheriff's Office", state="TX", level="county")
    client.force_login(administrator)

    page = client.get(REVIEW_URL).content.decode()
    # The confirmed agencies are offered once for the page, not once per row.
    assert page.count('<datalist id="confirmed-agencies">') == 1
    assert page.count(f'<option value="{escape(target.name)}"') == 1

    unknown = client.post(
        REVIEW_URL, {"action": "merge", "agency": ward.pk, "target_name": "Nowhere PD"}
    )
    assert unknown.status_code == 302 and Agency.objects.filter(pk=ward.pk).exists()

    response = client.post(
        REVIEW_URL,
        {"action": "merge", "agency": ward.pk, "target_name": "ward county sheriff's office"},
    )
    assert response.status_code == 302
    assert not Agency.objects.filter(pk=ward.pk).exists()
    assert resolve("Ward County TX SO") == target.pk


@pytest.mark.parametrize("ori", ["", "TX9990000"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_loads_meeting_the_same_new_agency_make_one_not_twins(ori):
    """Load A creates "Ward County TX SO" and is still running; load B, which names the
    same agency, waits for A to commit and then uses A's agency. (Without the wait: twin
    agencies, or with an ORI a unique-key error that rejected B's whole file.)"""
    import threading

    from django.db import connection, transaction

    from apps.agencies.resolution import AgencyResolver

    a_resolved, release_a = threading.Event(), threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def load(name: str, first: bool) -> None:
        try:
            with transaction.atomic():
                ids[name] = AgencyResolver().resolve("Ward County TX SO", ori=ori).agency_id
                if first:
                    a_resolved.set()
                    release_a.wait(10)  # the rest of A's long load
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    a = threading.Thread(target=load, args=("a", True))
    a.start()
    assert a_resolved.wait(10)
    b = threading.Thread(target=load, args=("b", False))
    b.start()
    b.join(1.5)
    assert b.is_alive(), "B must wait for A's agency, not make its own"
    release_a.set()
    a.join(10)
    b.join(10)

    assert not errors, errors
    assert ids["a"] == ids["b"]
    agency = Agency.objects.get(pk=ids["a"])
    assert (
        Agency.objects.filter(normalized_name=agency.normalized_name, state=agency.state).count()
        == 1
    )


def test_a_file_naming_ten_thousand_new_agencies_creates_them_all():
    """Past about 8,000 new agencies one INSERT would pass PostgreSQL's 65,535 bound
    parameters (server-side binding is on): the resolver writes in batches."""
    names = [(f"Testville {n} WI PD", "") for n in range(10_000)]

    ids = AgencyResolver().resolve_many(names)

    assert len(set(ids.values())) == 10_000
    assert Agency.objects.filter(name__startswith="Testville ").count() == 10_000
