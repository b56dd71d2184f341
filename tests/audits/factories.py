"""Factories for the rows evaluation reads: agencies, grants, sharing changes, searches.

Tenant-owned rows (grants, changes, searches) default to a source export of the same
municipality, so every finding's evidence can name a file and a line. A grant or a search
made here recomputes its municipality's rollup of searches without a grant, as a load
does; a test that changes one afterwards calls `ungranted_keep` itself.
"""

from datetime import UTC, datetime

import factory
from django.db import connection

from apps.agencies.models import Agency
from apps.agencies.naming import parse_agency_name
from apps.compliance.vocabulary import BROAD_MODES
from apps.sharing.models import SearchEvent, SharingChange, SharingGrant
from apps.sharing.ungranted import ungranted_agencies_refresh, ungranted_refresh
from tests.vendors.factories import VendorExportFactory, flock

DECIDED = datetime(2024, 4, 16, 19, 2, tzinfo=UTC)
SEARCHED = datetime(2025, 6, 3, 14, 30, tzinfo=UTC)


def ungranted_keep(*municipality_ids: int) -> None:
    """Recompute the municipalities' rollup of searches without a grant, through the
    function a grant load calls, after a test changed their grants or searches."""
    with connection.cursor() as cursor:
        ungranted_refresh(cursor, municipality_ids=list(municipality_ids))


class _KeepsUngranted:
    """A row made here recomputes what it changes of the rollup of searches without a
    grant: a search or a one-to-one grant, the searches of its agency (as a merge
    does); a broad-mode grant, its municipality's (as a grant load does)."""

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if not create:
            return
        if getattr(instance, "mode", None) in BROAD_MODES:
            ungranted_keep(instance.municipality_id)
            return
        with connection.cursor() as cursor:
            ungranted_agencies_refresh(cursor, agency_ids=[instance.agency_id], pools_only=False)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Springfield{n} IL PD")
    normalized_name = factory.LazyAttribute(lambda a: parse_agency_name(a.name).normalized)
    state = factory.LazyAttribute(lambda a: parse_agency_name(a.name).state or "IL")
    level = Agency.Level.LOCAL
    is_confirmed = True


def _same_municipality_export(**extra):
    return factory.SubFactory(
        VendorExportFactory, municipality=factory.SelfAttribute("..municipality"), **extra
    )


class SharingGrantFactory(_KeepsUngranted, factory.django.DjangoModelFactory):
    class Meta:
        model = SharingGrant

    municipality = factory.SubFactory("tests.municipalities.factories.MunicipalityFactory")
    vendor = factory.LazyFunction(flock)
    agency = factory.SubFactory(AgencyFactory)
    partner_name = factory.LazyAttribute(lambda g: g.agency.name)
    direction = SharingGrant.Direction.OUTGOING
    data_type = SharingGrant.DataType.DETECTIONS
    mode = SharingGrant.Mode.ONE_TO_ONE
    status = SharingGrant.Status.ACCEPTED
    requested_at = DECIDED
    decided_at = DECIDED
    decided_by = "det.jsmith@alderparkpd.example"
    status_changed_at = DECIDED
    source_export = _same_municipality_export(
        kind="sharing_list", original_name=factory.Sequence(lambda n: f"shared_networks_{n}.csv")
    )
    source_line = factory.Sequence(lambda n: n + 2)


class SharingChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharingChange

    municipality = factory.SubFactory("tests.municipalities.factories.MunicipalityFactory")
    grant = factory.SubFactory(
        SharingGrantFactory, municipality=factory.SelfAttribute("..municipality")
    )
    occurred_at = DECIDED
    old_status = SharingGrant.Status.PENDING
    new_status = SharingGrant.Status.ACCEPTED
    actor = "det.jsmith@alderparkpd.example"
    source_export = _same_municipality_export(
        kind="event_log", original_name=factory.Sequence(lambda n: f"share_events_{n}.csv")
    )
    source_line = factory.Sequence(lambda n: n + 2)


class SearchEventFactory(_KeepsUngranted, factory.django.DjangoModelFactory):
    class Meta:
        model = SearchEvent

    municipality = factory.SubFactory("tests.municipalities.factories.MunicipalityFactory")
    searched_at = SEARCHED
    vendor = factory.LazyFunction(flock)
    vendor_search_id = factory.Faker("uuid4")
    origin = SearchEvent.Origin.NETWORK
    agency = factory.SubFactory(AgencyFactory)
    agency_name = factory.LazyAttribute(lambda s: s.agency.name)
    reason = "Stolen vehicle"
    reason_category = ""
    reason_label = "none"
    case_number = factory.Sequence(lambda n: f"25-{n:05d}")
    networks_searched = 1
    search_type = "search"
    source_export = _same_municipality_export()
    source_line = factory.Sequence(lambda n: n + 2)


def rollups_rebuild() -> None:
    """Recount the dashboards' rollups from the rows a test made with the factories
    above, which (unlike loads, evaluations and finding transitions) do not keep them."""
    from apps.audits.rollups import statuses_rebuild
    from apps.sharing.rollups import search_days_rebuild

    statuses_rebuild()
    search_days_rebuild()
