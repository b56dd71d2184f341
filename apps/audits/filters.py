import django_filters

from apps.agencies.filters import AgencyMatchFilter, ImmigrationPartnerFilter
from apps.compliance.models import Rule, Severity
from apps.municipalities.models import Municipality

from .models import Finding
from .rollups import OPEN_STATUSES

# What the dashboards count as open findings: the steps still to take.
UNRESOLVED = "unresolved"


class FindingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        method="status_is",
        choices=[(UNRESOLVED, "Open, acknowledged or remediated"), *Finding.Status.choices],
        empty_label="Any",
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, empty_label="Any")
    rule_code = django_filters.ChoiceFilter(
        label="Rule",
        empty_label="Any",
        choices=lambda: [
            (code, code)
            for code in Rule.objects.order_by("code").values_list("code", flat=True).distinct()
        ],
    )
    agency = AgencyMatchFilter(label="Agency")
    immigration_partner = ImmigrationPartnerFilter()

    class Meta:
        model = Finding
        fields = ["status", "severity", "rule_code", "agency", "immigration_partner"]

    def status_is(self, queryset, name, value):
        if value == UNRESOLVED:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)


class MunicipalityStatusFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")
    county = django_filters.CharFilter(lookup_expr="iexact", label="County")
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[("red", "Red"), ("amber", "Amber"), ("green", "Green")],
        empty_label="Any",
    )
    uploads = django_filters.ChoiceFilter(
        label="Uploads",
        choices=[("reporting", "Reporting"), ("stale", "Stale or none")],
        empty_label="Any",
    )

    class Meta:
        model = Municipality
        fields = ["name", "county", "status", "uploads"]


class StatewideFindingFilter(FindingFilter):
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.order_by("name"), empty_label="Any"
    )
    last_seen_after = django_filters.DateFilter(
        field_name="last_seen_at", lookup_expr="date__gte", label="Last seen on or after",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta(FindingFilter.Meta):
        fields = [
            "status", "severity", "rule_code", "municipality", "agency", "immigration_partner",
            "last_seen_after",
        ]  # fmt: skip
