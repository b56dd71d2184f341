import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import Finding


class FindingTable(tables.Table):
    severity = tables.Column(order_by=("severity_rank",))
    rule_code = tables.Column("Rule")
    subject_label = tables.Column("About")
    summary = tables.Column(orderable=False)
    status = tables.Column(order_by=("status_rank",))
    period = tables.Column(
        "Period", accessor="period_start", order_by=("period_start",), exclude_from_export=True
    )
    last_seen_at = tables.DateTimeColumn(format="M j, Y", verbose_name="Last seen")
    # The period in downloads, as two times a spreadsheet can sort.
    period_start = tables.DateTimeColumn(verbose_name="Period start", visible=False)
    period_end = tables.DateTimeColumn(verbose_name="Period end", visible=False)

    class Meta:
        model = Finding
        fields = ("severity", "rule_code", "subject_label", "summary", "status", "period",
                  "last_seen_at", "period_start", "period_end")  # fmt: skip
        attrs = {"class": "data-table"}
        empty_text = "No finding matches. Findings appear after your uploads are evaluated."

    def __init__(self, *args, municipality_slug: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_slug = municipality_slug

    def render_severity(self, record: Finding):
        return format_html(
            '<span class="severity severity-{}">{}</span>',
            record.severity,
            record.get_severity_display(),
        )

    def render_subject_label(self, record: Finding, value: str):
        url = reverse(
            "municipality:finding_detail",
            kwargs={"municipality_slug": self.municipality_slug, "finding_id": record.pk},
        )
        return format_html('<a href="{}">{}</a>', url, value)

    def value_severity(self, record: Finding) -> str:
        return record.get_severity_display()

    def value_subject_label(self, value: str) -> str:
        return value

    def render_status(self, record: Finding):
        if record.status == Finding.Status.CLOSED and record.sharing_ended:
            return f"Closed: sharing ended {timezone.localtime(record.period_end):%b %-d, %Y}"
        return record.get_status_display()

    def render_period(self, record: Finding):
        return record.period_label or "—"

    def value_period_start(self, value):
        return value

    def value_period_end(self, value):
        return value


class MunicipalityStatusTable(tables.Table):
    name = tables.LinkColumn("municipality:home", args=[tables.A("slug")])
    status = tables.Column("Status", order_by=("status_rank", "name"))
    county = tables.Column()
    open_critical = tables.Column(
        "Critical", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    open_high = tables.Column("High", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    open_medium = tables.Column("Medium", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    open_low = tables.Column("Low", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    open_review = tables.Column(
        "For review", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    last_upload = tables.DateTimeColumn(format="M j, Y", verbose_name="Last upload")
    last_evaluation = tables.DateTimeColumn(format="M j, Y H:i", verbose_name="Last evaluation")

    class Meta:
        attrs = {"class": "data-table"}
        order_by = ("status", "name")
        empty_text = "No municipality matches. Clear the filter to see them all."
        # Rows written straight from the records (same cells; see the template).
        template_name = "audits/municipality_status_table.html"

    def render_status(self, value: str):
        return format_html('<span class="rag rag-{}" aria-hidden="true"></span>{}', value,
                           value.capitalize())  # fmt: skip

    def value_status(self, value: str) -> str:
        return value.capitalize()

    def value_name(self, value: str) -> str:
        return value


class StatewideFindingTable(FindingTable):
    selection = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {"aria-label": "Select all shown", "hidden": True},
            "td__input": {"aria-label": lambda record: f"Select {record.subject_label}"},
        },
        exclude_from_export=True,
    )
    municipality = tables.Column(accessor="municipality__name", verbose_name="Municipality")

    class Meta(FindingTable.Meta):
        fields = ("selection", "severity", "municipality", "rule_code", "subject_label",
                  "summary", "status", "period", "last_seen_at", "period_start",
                  "period_end")  # fmt: skip
        sequence = fields
        exclude = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, municipality_slug="", **kwargs)

    def render_subject_label(self, record, value: str):
        url = reverse(
            "municipality:finding_detail",
            kwargs={"municipality_slug": record.municipality.slug, "finding_id": record.pk},
        )
        return format_html('<a href="{}">{}</a>', url, value)
