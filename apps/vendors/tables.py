import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from .models import VendorExport


class ExportTable(tables.Table):
    original_name = tables.Column("File")
    status = tables.Column()
    rows_loaded = tables.Column("Loaded", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    rows_rejected = tables.Column(
        "Rejected", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    rows_duplicate = tables.Column(
        "Duplicates", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    period = tables.Column("Period covered", empty_values=(), order_by=("period_start",))
    uploaded_by = tables.Column("Uploaded by", empty_values=(), order_by=("uploaded_by__username",))
    received_at = tables.DateTimeColumn(format="M j, Y H:i", verbose_name="Uploaded")

    class Meta:
        model = VendorExport
        fields = (
            "original_name",
            "vendor",
            "kind",
            "status",
            "rows_loaded",
            "rows_rejected",
            "rows_duplicate",
            "period",
            "uploaded_by",
            "received_at",
        )
        attrs = {"class": "data-table"}
        empty_text = "No export uploaded yet. Use the form above to upload your first file."

    def __init__(self, *args, municipality_slug: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_slug = municipality_slug

    def render_original_name(self, record: VendorExport, value: str) -> str:
        url = reverse(
            "municipality:export_detail",
            kwargs={"municipality_slug": self.municipality_slug, "export_id": record.pk},
        )
        return format_html('<a href="{}">{}</a>', url, value)

    def value_original_name(self, value: str) -> str:
        return value

    def value_status(self, record: VendorExport) -> str:
        return record.status_label

    def render_status(self, record: VendorExport) -> str:
        return format_html(
            '<span class="status status-{}">{}</span>', record.status_tone, record.status_label
        )

    def render_period(self, record: VendorExport) -> str:
        if not record.period_start:
            return "—"
        start, end = record.period_start, record.period_end
        return f"{start:%b %-d, %Y} \N{EN DASH} {end:%b %-d, %Y}"

    def render_uploaded_by(self, record: VendorExport) -> str:
        return record.uploader_label
