"""A sharing list is written set-based: the statements that touch the grants and their
history stay a handful however many partners the list names (issue 11, acceptance 6;
the timing itself is `bench/ingest_sharing.py`)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SharingChange, SharingGrant

from .test_loading import upload
from .test_sharing_networks import LARGE_XLSX, local, make

pytestmark = pytest.mark.django_db


def grant_statements(queries: CaptureQueriesContext) -> list[str]:
    # COPY goes around Django's cursor wrapper and is not captured: what is counted here
    # is every other statement on the two tables, which the old row-by-row load ran
    # thousands of times.
    return [
        query["sql"]
        for query in queries.captured_queries
        if "sharing_sharinggrant" in query["sql"] or "sharing_sharingchange" in query["sql"]
    ]


def test_a_400_partner_list_and_its_next_snapshot_touch_the_grants_in_a_few_statements(
    municipality_a, tmp_path
):
    rows = make.large_rows()
    dropped = rows[::10]
    january_path = tmp_path / "SharedNetworks January.xlsx"
    make.write_xlsx(
        january_path,
        [row for row in rows if row not in dropped],
        sheet="SharedNetworks_2026_January_30",
    )
    ended = {(row[0].strip(), "outgoing") for row in dropped if row[2].strip()} | {
        (row[0].strip(), "incoming") for row in dropped if row[1].strip()
    }

    with CaptureQueriesContext(connection) as december_queries:
        upload(municipality_a, LARGE_XLSX)
    with CaptureQueriesContext(connection) as january_queries:
        january = upload(municipality_a, january_path)

    assert len(grant_statements(december_queries)) <= 5
    assert len(grant_statements(january_queries)) <= 8
    with municipality_scope(municipality_a):
        grants = SharingGrant.objects.all()
        assert grants.count() == 653 and len(ended) > 50
        assert {(g.partner_name, g.direction) for g in grants.filter(status="revoked")} == ended
        # The grants still listed were updated from January's list, in place.
        still_listed = grants.filter(status="accepted")
        assert still_listed.count() == january.rows_loaded == 653 - len(ended)
        assert set(still_listed.values_list("last_listed_at", "source_export")) == {
            (local(2026, 1, 30), january.pk)
        }
        endings = SharingChange.objects.filter(source_export=january)
        assert endings.count() == len(ended)
        assert set(
            endings.values_list("old_status", "new_status", "last_listed_at", "occurred_at")
        ) == {("accepted", "revoked", local(2025, 12, 30), local(2026, 1, 30))}
