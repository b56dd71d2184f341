"""'Who shares with ICE?' in two clicks, for auditors only."""

import pytest

from apps.agencies.models import Agency
from apps.audits import tasks as audit_tasks
from apps.municipalities.scoping import municipality_scope
from tests.audits.factories import SearchEventFactory, SharingGrantFactory

pytestmark = pytest.mark.django_db


def test_an_auditor_finds_who_shares_with_ice_in_two_clicks(
    client, auditor, municipality_a, municipality_b
):
    ice = Agency.objects.get(name="U.S. Immigration and Customs Enforcement")
    with municipality_scope(municipality_a):
        SharingGrantFactory(municipality=municipality_a, agency=ice, partner_name="ICE ERO Chicago")
        SearchEventFactory(
            municipality=municipality_a, agency=ice, reason="ICE detainer",
            reason_label="immigration",
        )  # fmt: skip
    with municipality_scope(municipality_b):
        SharingGrantFactory(municipality=municipality_b)  # shares, but not with ICE
    client.force_login(auditor)

    listing = client.get("/state/agencies/?q=ICE").content.decode()
    assert f'href="/state/agencies/{ice.pk}/"' in listing

    page = client.get(f"/state/agencies/{ice.pk}/").content.decode()
    assert "Blocklisted" in page
    assert municipality_a.name in page and "ICE ERO Chicago" in page
    assert municipality_b.name not in page
    assert "ICE detainer" in page


def test_municipal_staff_cannot_see_agency_pages(client, clerk_a):
    client.force_login(clerk_a)
    assert client.get("/state/agencies/").status_code == 403


def test_an_administrator_adds_and_removes_a_spelling_with_history(client, administrator):
    from apps.agencies.models import AgencyAlias
    from apps.agencies.resolution import AgencyResolver

    sheriff = Agency.objects.create(name="Ward County Sheriff", state="TX", level="county")
    client.force_login(administrator)
    page = f"/state/agencies/{sheriff.pk}/"

    added = client.post(
        f"/state/administration/agencies/{sheriff.pk}/aliases/",
        {"alias": "WARD CO SO (TX)", "reason": "written so in the March sharing list"},
    )
    assert added.status_code == 302
    assert AgencyResolver().resolve("Ward Co SO (TX)").agency_id == sheriff.pk
    shown = client.get(page).content.decode()
    assert "WARD CO SO (TX)" in shown and "written so in the March sharing list" in shown

    # The same spelling for another agency is refused on the page, nothing changes.
    other = Agency.objects.create(name="Ward County Attorney", state="TX", level="county")
    refused = client.post(
        f"/state/administration/agencies/{other.pk}/aliases/", {"alias": "Ward Co SO (TX)"}
    )
    assert refused.status_code == 400
    assert "already names Ward County Sheriff" in refused.content.decode()
    assert not AgencyAlias.objects.filter(agency=other).exists()

    alias = AgencyAlias.objects.get(agency=sheriff)
    removed = client.post(
        f"/state/administration/agencies/{sheriff.pk}/aliases/{alias.pk}/remove/",
        {"reason": "typo"},
    )
    assert removed.status_code == 302
    assert not AgencyAlias.objects.filter(pk=alias.pk).exists()
    history = client.get(page).content.decode()
    assert history.count(administrator.username) >= 2 and "typo" in history


def test_an_alias_of_another_agency_cannot_be_removed_through_this_one(client, administrator):
    from apps.agencies.models import AgencyAlias

    one = Agency.objects.create(name="One Town PD", state="IL")
    two = Agency.objects.create(name="Two Town PD", state="IL")
    alias = AgencyAlias.objects.create(agency=two, alias="Two PD", normalized="two pd")
    client.force_login(administrator)
    answer = client.post(f"/state/administration/agencies/{one.pk}/aliases/{alias.pk}/remove/")
    assert answer.status_code == 404
    assert AgencyAlias.objects.filter(pk=alias.pk).exists()


def test_auditors_see_spellings_but_cannot_change_them(client, auditor):
    from apps.agencies.models import AgencyAlias

    agency = Agency.objects.create(name="Three Town PD", state="IL")
    AgencyAlias.objects.create(agency=agency, alias="3 Town Police", normalized="3 town police")
    client.force_login(auditor)
    page = client.get(f"/state/agencies/{agency.pk}/").content.decode()
    assert "3 Town Police" in page and "Add spelling" not in page
    assert "<title>Three Town PD · " in page and page.count("aliases-heading") == 2
    answer = client.post(
        f"/state/administration/agencies/{agency.pk}/aliases/", {"alias": "Three PD"}
    )
    assert answer.status_code == 403
    assert agency.aliases.count() == 1


def test_a_renamed_agency_keeps_resolving_its_old_spelling(administrator):
    from apps.agencies.resolution import AgencyResolver
    from apps.agencies.services import agency_rename

    typo = Agency.objects.create(
        name="Ward Cnty Sherif", state="TX", normalized_name="ward cnty sherif"
    )
    agency_rename(agency=typo, name="Ward County Sheriff's Office", actor=administrator)
    assert AgencyResolver().resolve("Ward Cnty Sherif", state="TX").agency_id == typo.pk
    assert AgencyResolver().resolve("Ward County Sheriff's Office").agency_id == typo.pk


def test_merging_a_blocklisted_duplicate_keeps_the_block_on_the_merged_agency(administrator):
    from apps.agencies.services import agency_merge
    from apps.compliance.blocklist import blocked_agency_ids
    from apps.compliance.models import BlocklistEntry

    duplicate = Agency.objects.create(name="Border Patrol Sector Z", state="TX", level="federal")
    canonical = Agency.objects.create(name="Border Patrol Zulu", state="TX", level="federal")
    BlocklistEntry.objects.create(agency=duplicate, reason="immigration", citation="TRUST Act")

    agency_merge(source=duplicate, target=canonical, actor=administrator)

    assert BlocklistEntry.objects.filter(agency=canonical).exists()
    assert canonical.pk in blocked_agency_ids()


def test_an_administrator_edits_an_agency_and_the_municipalities_it_touches_are_queued(
    client, administrator, municipality_a, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        audit_tasks.evaluations_queue,
        "delay",
        lambda *, municipality_ids, trigger: queued.append((list(municipality_ids), trigger)),
    )
    agency = Agency.objects.create(name="Lakeview PD", state="IL", level="local")
    with municipality_scope(municipality_a):
        SharingGrantFactory(municipality=municipality_a, agency=agency)
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/state/administration/agencies/{agency.pk}/edit/",
            {"name": "Lakeview Police Department", "ori": "", "level": "county", "state": "wi",
             "change_reason": "it is the county's, in Wisconsin"},
        )  # fmt: skip
    assert answer.status_code == 302
    agency.refresh_from_db()
    assert (agency.name, agency.level, agency.state) == (
        "Lakeview Police Department",
        "county",
        "WI",
    )
    assert queued == [([municipality_a.pk], "manual")]
    page = client.get(f"/state/agencies/{agency.pk}/").content.decode()
    assert "Lakeview PD" in page  # the old name is kept as a spelling
    assert "it is the county&#x27;s, in Wisconsin" in page  # the history says why

    refused = client.post(f"/state/administration/agencies/{agency.pk}/edit/", {"name": ""})
    assert refused.status_code == 400


def test_a_name_with_nothing_to_match_on_is_refused_when_editing_or_renaming(client, administrator):
    ward = Agency.objects.create(name="Ward County Sheriff", state="TX", level="county")
    queued = Agency.objects.create(name="Ward Co SO", state="TX", is_confirmed=False)
    client.force_login(administrator)

    edited = client.post(
        f"/state/administration/agencies/{ward.pk}/edit/",
        {"name": "²", "ori": "", "level": "county", "state": "TX", "change_reason": "typo"},
    )
    renamed = client.post(
        "/state/administration/agencies/review/",
        {"action": "rename", "agency": queued.pk, "name": "!!!"},
        follow=True,
    )

    assert edited.status_code == 400
    assert "proper name, with letters or digits" in edited.content.decode()
    assert "proper name, with letters or digits" in renamed.content.decode()
    ward.refresh_from_db()
    queued.refresh_from_db()
    assert (ward.name, queued.name) == ("Ward County Sheriff", "Ward Co SO")


def test_removing_a_spelling_with_a_crafted_reason_is_refused_and_keeps_it(client, administrator):
    from apps.agencies.models import AgencyAlias

    sheriff = Agency.objects.create(name="Ward County Sheriff", state="TX", level="county")
    alias = AgencyAlias.objects.create(agency=sheriff, alias="Ward SO", normalized="TX|ward so")
    client.force_login(administrator)
    url = f"/state/administration/agencies/{sheriff.pk}/aliases/{alias.pk}/remove/"

    too_long = client.post(url, {"reason": "x" * 501})
    with_nul = client.post(url, {"reason": "typo\x00"})

    assert too_long.status_code == with_nul.status_code == 400
    assert "at most 500 characters" in too_long.content.decode()
    assert "Null characters are not allowed" in with_nul.content.decode()
    assert AgencyAlias.objects.filter(pk=alias.pk).exists()
