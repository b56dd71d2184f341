"""The activity log for auditors: read-only, filterable, exportable."""

import django_filters
import django_tables2 as tables
from django.utils.html import format_html
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from apps.core.activity import ACTION_AREAS, action_label
from apps.core.models import ActivityEntry
from apps.core.spreadsheets import TableExportMixin
from apps.municipalities.models import Municipality

from .permissions import StateStaffRequiredMixin

AREA_PREFIX = "area:"


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's choices: per area, the whole area first, then each action."""
    return [
        (area_label, [
            (AREA_PREFIX + area, f"Anything in {area_label.lower()}"),
            *sorted(labels.items(), key=lambda item: item[1]),
        ])
        for area, (area_label, labels) in ACTION_AREAS.items()
    ]  # fmt: skip


class ActivityFilter(django_filters.FilterSet):
    actor_label = django_filters.CharFilter(label="Who (username)", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(
        label="What", choices=action_choices, empty_label="Anything", method="filter_action"
    )
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.order_by("name"), empty_label="Any"
    )
    on_or_after = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label="On or after",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    on_or_before = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label="On or before",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = ActivityEntry
        fields = ["actor_label", "action", "municipality", "on_or_after", "on_or_before"]

    def filter_action(self, queryset, name, value):
        if value.startswith(AREA_PREFIX):
            _, labels = ACTION_AREAS[value.removeprefix(AREA_PREFIX)]
            return queryset.filter(action__in=list(labels))
        return queryset.filter(action=value)


class ActivityTable(tables.Table):
    region_label = "Activity log entries"  # names the table's scrolling region
    seq = tables.Column("#", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    at = tables.DateTimeColumn(format="M j, Y H:i:s T", verbose_name="When")
    actor_label = tables.Column("Who")
    ip = tables.Column("From", default="—")
    action = tables.Column("What")
    # Downloads also carry the code, which stays the same when a label is reworded.
    action_code = tables.Column(accessor="action", verbose_name="Action code", visible=False)
    subject_label = tables.Column("About", default="—")
    municipality = tables.Column(
        accessor="municipality__name", verbose_name="Municipality", default="—"
    )
    detail = tables.Column("Details", orderable=False)

    class Meta:
        attrs = {"class": "data-table"}
        order_by = ("-seq",)
        empty_text = "Nothing recorded matches. Clear the filter to see everything."

    def render_action(self, value: str) -> str:
        return action_label(value)

    def render_detail(self, value: dict):
        return format_html("<span class='small'>{}</span>", describe(value)[:400])

    def value_detail(self, value: dict) -> str:
        return describe(value)


def _shown(value) -> str:
    return "—" if value in (None, "", []) else str(value)


def describe(detail: dict) -> str:
    """An entry's details as a reader wants them: `field: old → new` for changes."""
    parts = []
    for key, item in detail.items():
        if key == "changes" and isinstance(item, dict):
            parts.extend(
                f"{field}: {_shown(old)} → {_shown(new)}" for field, (old, new) in item.items()
            )
        elif item not in ("", None, {}, []):
            parts.append(f"{key}: {item}")
    return "; ".join(parts)


class ActivityListView(StateStaffRequiredMixin, TableExportMixin, SingleTableMixin, FilterView):
    """Who did what, when and from where, across the portal. Nobody can change it here:
    the page only reads, and the table refuses UPDATE and DELETE."""

    template_name = "core/activity_list.html"
    table_class = ActivityTable
    filterset_class = ActivityFilter
    table_pagination = {"per_page": 50}
    export_name = "activity-log"

    def get_queryset(self):
        return ActivityEntry.objects.select_related("municipality")
