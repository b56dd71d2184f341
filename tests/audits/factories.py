"""Factories for the rows evaluation reads: agencies, grants, sharing changes, searches.

Tenant-owned rows (grants, changes, searches) default to a source export of the same
municipality, so every finding's evidence can name a file and a line. A grant or a search
made here recomputes its municipality's rollup of searches without a grant, as a load
does (once at the end inside `ungranted_deferred`), and a search counts itself into the
day rollup; a test that changes one afterwards calls `ungranted_keep` or
`rollups_rebuild` itself.
"""

from contextlib import contextmanager
from datetime import UTC, datetime

import factory
from django.conf import settings
from django.db import connection

from apps.agencies.models import Agency
from apps.agencies.naming import parse_agency_name
from apps.compliance import vocabulary
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


# The municipalities whose rollup of searches without a grant waits for the end of
# `ungranted_deferred`, or None outside it.
_deferred: set[int] | None = None


@contextmanager
def ungranted_deferred():
    """Make many grants and searches, and recompute their municipalities' rollup of
    searches without a grant once at the end, instead of once per row."""
    global _deferred  # one test's rows at a time
    _deferred = set()
    try:
        yield
    finally:
        municipalities, _deferred = _deferred, None
    if municipalities:
        ungranted_keep(*municipalities)


# A search made here counts itself into its day's row of the day rollup, where the rules
# find a blocklisted agency's searches (a load recounts the days it touched).
_SEARCH_DAY_ADD = vocabulary.sql_template(
    "INSERT INTO {search_day} ({search_day.municipality}, {search_day.day},"
    " {search_day.agency}, {search_day.reason_label}, {search_day.searches})"
    " VALUES (%(municipality)s, (%(at)s::timestamptz AT TIME ZONE %(tz)s)::date, %(agency)s,"
    " %(label)s, 1)"
    " ON CONFLICT ({search_day.municipality}, {search_day.day}, {search_day.agency},"
    " {search_day.reason_label}) DO UPDATE SET {search_day.searches} = {search_day}."
    "{search_day.searches} + 1"
)


class _KeepsUngranted:
    """A row made here recomputes what it changes of the rollup of searches without a
    grant: a search or a one-to-one grant, the searches of its agency (as a merge
    does); a broad-mode grant, its municipality's (as a grant load does). A search also
    counts itself into the day rollup."""

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if not create:
            return
        if isinstance(instance, SearchEvent):
            with connection.cursor() as cursor:
                cursor.execute(
                    _SEARCH_DAY_ADD,
                    {
                        "municipality": instance.municipality_id,
                        "at": instance.searched_at,
                        "tz": settings.TIME_ZONE,
                        "agency": instance.agency_id,
                        "label": instance.reason_label,
                    },
                )
        if _deferred is not None:
            _deferred.add(instance.municipality_id)
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
