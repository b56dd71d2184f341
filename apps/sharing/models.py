import uuid
from pathlib import PurePath

from django.contrib.postgres.fields import ArrayField
from django.db import models

from apps.agencies.models import Agency
from apps.municipalities.models import Municipality, TenantModel
from apps.vendors.models import Vendor, VendorExport


class SharingGrant(TenantModel):
    """A municipality's ALPR data shared with (or received from) an agency through a vendor.

    One row per (vendor, partner as the vendor names it, direction, data type): later
    uploads update it, and each change of status is kept in `SharingChange`. Two
    offices of one agency ("ICE ERO Chicago", "ICE LESC") stay two grants of that agency.
    """

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", "Shared out"
        INCOMING = "incoming", "Received"

    class DataType(models.TextChoices):
        DETECTIONS = "detections", "Detections"
        HOT_LIST = "hot_list", "Hot list"

    class Mode(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one"
        STATEWIDE = "statewide", "Statewide"
        NATIONAL = "national", "National"
        SIMILAR_LAWS = "similar_laws", "Agencies with similar laws"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DENIED = "denied", "Denied"
        REVOKED = "revoked", "Revoked"

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="grants")
    partner_name = models.CharField(max_length=255, help_text="As the vendor wrote it")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    data_type = models.CharField(max_length=10, choices=DataType.choices)
    mode = models.CharField(max_length=15, choices=Mode.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    requested_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    status_changed_at = models.DateTimeField()
    declaration_on_file = models.BooleanField(default=False)
    declaration_date = models.DateField(null=True, blank=True)
    vendor_reference = models.CharField(max_length=100, blank=True)
    source_export = models.ForeignKey(VendorExport, on_delete=models.PROTECT, related_name="+")
    source_line = models.PositiveIntegerField()
    networks = models.JSONField(
        default=list,
        blank=True,
        help_text="The networks (camera groups) the grant covers as the vendor names them: "
        "the municipality's own for an outgoing grant, the partner's for an incoming one",
    )
    last_listed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Date of the latest sharing list (snapshot) that listed this grant",
    )

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "vendor", "partner_name", "direction", "data_type"],
                name="grant_one_per_partner",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["agency", "status"]),
            # The statewide grants list, a page at a time in each of its orders (keyset
            # pagination over 400,000 grants and more: apps.sharing.keyset).
            models.Index(fields=["partner_name", "id"], name="grant_list_by_partner"),
            models.Index(fields=["status_changed_at", "id"], name="grant_list_by_change"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.partner_name} ({self.get_status_display()})"


class SharingChange(TenantModel):
    """One change of a grant's status, with who made it and the file line that shows it."""

    grant = models.ForeignKey(SharingGrant, on_delete=models.CASCADE, related_name="changes")
    occurred_at = models.DateTimeField()
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10)
    actor = models.CharField(max_length=150, blank=True)
    vendor_event_id = models.CharField(
        max_length=100, blank=True, help_text="The vendor's id of the event, when it has one"
    )
    # A sharing list is a snapshot: a grant gone from one ended at some time after the
    # previous list that still showed it. `occurred_at` is then the first list without it.
    last_listed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For a grant ended by its absence from a sharing list: the date of the "
        "last list that still showed it",
    )
    source_export = models.ForeignKey(VendorExport, on_delete=models.PROTECT, related_name="+")
    source_line = models.PositiveIntegerField()

    class Meta:
        ordering = ["occurred_at"]
        indexes = [models.Index(fields=["municipality", "occurred_at"])]


class SearchEvent(TenantModel):
    """A search of the municipality's ALPR data, as the vendor's audit log records it.

    The primary key is (searched_at, id) and every unique constraint includes
    `searched_at`, so the table can be turned into monthly range partitions on
    `searched_at` without changing a constraint. Rows are written by `COPY` (see
    `apps.vendors.loading`), never one by one.
    """

    class Origin(models.TextChoices):
        NETWORK = "network", "Search of our data"
        ORGANIZATION = "organization", "Search by our staff"

    pk = models.CompositePrimaryKey("searched_at", "id")
    # No foreign key of this table is a database constraint: checked row by row, they
    # cost a load of a million searches more than the rest of it together. The loader
    # checks each distinct reference once and locks it for its transaction
    # (`apps.vendors.loading._search_references_lock`), where:
    # - municipality, vendor, source_export: the export being loaded and its two keys;
    # - agency: the agencies the load has just resolved the file's names to.
    # Deleting a referenced row still goes through Django's PROTECT check.
    # No own index either where a composite index below starts with the column: every
    # index slows the load of tens of millions of rows a month.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # A plain column fed by its own sequence: an AutoField must be the whole key.
    id = models.BigIntegerField(
        db_default=models.Func(models.Value("sharing_searchevent_id_seq"), function="nextval")
    )
    searched_at = models.DateTimeField()
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    vendor_search_id = models.CharField(max_length=100)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.NETWORK)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="searches",
        db_index=False,
        db_constraint=False,
    )
    agency_name = models.CharField(max_length=255, help_text="As the vendor wrote it")
    searcher = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    reason_category = models.CharField(max_length=100, blank=True)
    reason_redacted = models.BooleanField(default=False)
    reason_label = models.CharField(
        max_length=20, default="none", help_text="What the reason classifier read in the reason"
    )
    case_number = models.CharField(max_length=100, blank=True)
    networks_searched = models.IntegerField(null=True, blank=True)
    devices_searched = models.IntegerField(null=True, blank=True)
    search_type = models.CharField(max_length=30, blank=True)
    is_mobile = models.BooleanField(default=False)
    time_frame_start = models.DateTimeField(null=True, blank=True)
    time_frame_end = models.DateTimeField(null=True, blank=True)
    filters = models.TextField(blank=True)
    text_prompt = models.TextField(blank=True)
    plate_hash = models.CharField(max_length=64, blank=True)
    source_export = models.ForeignKey(
        VendorExport,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source_line = models.PositiveIntegerField()

    class Meta:
        ordering = ["-searched_at"]
        # Each index below with what reads through it.
        constraints = [
            # A load's `ON CONFLICT DO NOTHING`: overlapping monthly files load each
            # search once (apps.vendors.loading). Its columns in this order, it is also
            # the index of a municipality's searches by time: the searches list, newest
            # first (apps.sharing.views), and the days a load recounts into SearchDay
            # (apps.sharing.rollups). One index fewer to write for every search loaded.
            models.UniqueConstraint(
                fields=["municipality", "searched_at", "vendor", "vendor_search_id"],
                name="search_once_per_vendor_id",
            ),
        ]
        indexes = [
            # An agency's page and its searches (apps.agencies.selectors), an agency
            # merge (apps.agencies.services), the municipalities a blocklist change
            # re-evaluates (apps.compliance.services).
            models.Index(fields=["agency", "searched_at"]),
            # An export's rows in file order (its page lists them by line), and the
            # PROTECT check before an export is deleted.
            models.Index(fields=["source_export", "source_line"]),
            # The few searches the rules look at, found without reading the rest.
            models.Index(
                fields=["municipality", "reason_label"],
                condition=~models.Q(reason_label="none"),
                name="search_flagged_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_name} at {self.searched_at:%Y-%m-%d %H:%M}"


def _declaration_path(instance: "Declaration", filename: str) -> str:
    # Never a path from the uploaded name: a random one, the extension kept for display.
    suffix = PurePath(filename).suffix.lower()[:8]
    safe = suffix if suffix in {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"} else ""
    return f"declarations/{uuid.uuid4().hex}{safe}"


class Declaration(TenantModel):
    """The written declaration an out-of-state agency gave before receiving data (2-130(c))."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="declarations")
    received_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    document = models.FileField(upload_to=_declaration_path, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "-received_on"]

    def __str__(self) -> str:
        return f"{self.agency} declaration of {self.received_on}"


class SearchDay(TenantModel):
    """How many searches an agency ran in a municipality's data on one day, by reason
    label: what the dashboards count instead of the searches themselves.

    A rollup of `SearchEvent`, kept by `apps.sharing.rollups` in the same transaction as
    every change to the searches (a load, a reclassification, an agency merge). The day
    is the portal's local date (settings.TIME_ZONE).
    """

    day = models.DateField()
    # Indexed below, leading a composite index.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_index=False)
    reason_label = models.CharField(max_length=20)
    searches = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "day", "agency", "reason_label"],
                name="search_day_once",
            ),
        ]
        # The statewide figures read a few labels over recent days.
        # (covering: the sums are read from the index alone).
        indexes = [
            models.Index(
                fields=["reason_label", "day"], include=["searches"], name="search_day_label"
            ),
            # The days a blocklisted agency searched a municipality, where the rules find
            # its searches (apps.audits.evaluation); an agency's rows for a merge.
            models.Index(fields=["agency", "municipality", "day"], name="search_day_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.searches} searches on {self.day}"


class UngrantedSearchDay(TenantModel):
    """The searches of a municipality's data that no grant let in, per searching agency,
    local day and file: what the "search without a grant" rule reads instead of the
    searches themselves.

    A search counts here when it is a network search that no detections grant of the
    municipality to its agency covered at its time (an accepted grant from its decision
    on, a revoked one from its request until its revocation), nor a broad-mode grant (a
    national one covers every searcher, a statewide or similar-laws one the searchers of
    the home state). The municipality's own police are not left out here: the rule leaves
    them out when it reads, from the directory as it is then.

    Kept by `apps.sharing.ungranted` in the same transaction as every change to its
    inputs: a load of searches or grants, a reload, an agency merge or state change, the
    retention of old months.
    """

    day = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    source_export = models.ForeignKey(VendorExport, on_delete=models.CASCADE, related_name="+")
    searches = models.PositiveIntegerField()
    first_searched_at = models.DateTimeField()
    last_searched_at = models.DateTimeField()
    source_lines = ArrayField(
        models.PositiveIntegerField(),
        help_text="The file's first lines of these searches, in order (at most the rule's "
        "evidence lines)",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "agency", "day", "source_export"],
                name="ungranted_search_day_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.searches} searches without a grant on {self.day}"


class SearchRetention(models.Model):
    """One run of the retention command: the searches before `kept_from` are gone.

    Statewide (the searches table's months are dropped for everyone at once). The
    evaluation reads the latest: a finding about searches before it keeps the evidence
    it recorded, since the searches it cites can no longer be counted again.
    """

    kept_from = models.DateTimeField(help_text="The searches before this time were dropped")
    partitions = ArrayField(models.CharField(max_length=63))
    searches = models.PositiveBigIntegerField(help_text="How many searches were dropped")
    ran_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-kept_from"]

    def __str__(self) -> str:
        return f"Searches before {self.kept_from:%Y-%m-%d} dropped"
