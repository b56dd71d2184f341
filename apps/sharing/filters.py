import html
from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.agencies.models import Agency
from apps.compliance import classifier, learned, vocabulary
from apps.compliance.blocklist import blocked_agency_ids
from apps.municipalities.models import Municipality

from .models import SearchEvent, SharingGrant
from .selectors import grants_accepted_by, grants_active_during, grants_in_export

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
# Flagged: what the dashboards count as searches with an immigration or health-care purpose.
FLAGGED = "flagged"
REASON_LABELS = [
    (FLAGGED, "Immigration or health care"),
    (classifier.IMMIGRATION, "Immigration"),
    (classifier.HEALTH_CARE, "Health care"),
    (learned.IMMIGRATION_REVIEW, "Immigration? For review (learned signal)"),
    (learned.HEALTH_CARE_REVIEW, "Health care? For review (learned signal)"),
    (classifier.SENSITIVE_DATA, "Personal data in the reason"),
    (classifier.VAGUE, "Vague or empty"),
    (classifier.NONE, "Nothing flagged"),
]


class IdFilter(django_filters.NumberFilter):
    """An exact id: a whole number, never a decimal."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, **kwargs)


class QuickSelect(forms.Select):
    """A select written out in one pass: the statewide lists offer every municipality
    (1,300 and more), which Django's template per option took most of a page's time to
    draw, on every page."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{html.escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{html.escape(str(text))}</option>"
            for key, text in self.choices
        )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        options = SafeString(options)  # every value and label escaped above
        return format_html('<select name="{}"{}>{}</select>', name, final_attrs, options)


def municipality_choices() -> list[tuple[str, str]]:
    # Values, not model instances: 1,300 of them on every statewide page.
    rows = Municipality.objects.order_by("name").values_list("slug", "name", "state")
    return [(slug, f"{name}, {state}") for slug, name, state in rows]


def local_day_start(day: date) -> datetime:
    """Midnight starting `day` in the portal's time zone (the zone every page shows)."""
    return timezone.make_aware(datetime.combine(day, time()))


def blocked_or_not(queryset: QuerySet, name: str, value: str) -> QuerySet:
    blocked = vocabulary.blocked_q(blocked=blocked_agency_ids())
    if value == "yes":
        return queryset.filter(blocked)
    return queryset.exclude(blocked) if value == "no" else queryset


class AgencyFilterMixin(django_filters.FilterSet):
    def agencies_named(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Rows of the agencies a person means by `value` (aliases, acronyms as whole
        words, offices with their agency: "ICE" finds ICE ERO Chicago, never a Police
        department)."""
        # The ids first, once per request: PostgreSQL cannot tell how many agencies a
        # regular expression matches, and given the list it picks the index of the few
        # (or the order of the many).
        if getattr(self, "_agency_ids", (None,))[0] != value:
            self._agency_ids = (
                value,
                list(Agency.objects.matching(value).values_list("pk", flat=True)),
            )
        return queryset.filter(agency_id__in=self._agency_ids[1])


class GrantFilter(AgencyFilterMixin):
    agency = django_filters.CharFilter(
        method="agencies_named", label="Agency", help_text="Name, acronym or spelling"
    )
    agency_id = IdFilter(field_name="agency_id", label="Agency number")
    level = django_filters.ChoiceFilter(
        field_name="agency__level", choices=Agency.Level.choices, empty_label="Any"
    )
    state = django_filters.CharFilter(
        field_name="agency__state", lookup_expr="iexact", label="Agency's state",
        max_length=2, widget=forms.TextInput(attrs={"size": 3, "autocomplete": "off"}),
    )  # fmt: skip
    status = django_filters.ChoiceFilter(choices=SharingGrant.Status.choices, empty_label="Any")
    mode = django_filters.ChoiceFilter(choices=SharingGrant.Mode.choices, empty_label="Any")
    direction = django_filters.ChoiceFilter(
        choices=SharingGrant.Direction.choices, empty_label="Either"
    )
    blocked = django_filters.ChoiceFilter(
        method=blocked_or_not, label="Blocklisted agency",
        choices=[("yes", "Blocklisted"), ("no", "Not blocklisted")], empty_label="Any",
    )  # fmt: skip
    out_of_state = django_filters.ChoiceFilter(
        method="outside_the_state", label="Agency out of state",
        choices=[("yes", "Out of state (not federal or tribal)"),
                 ("no", "In state, federal or tribal")],
        empty_label="Any",
    )  # fmt: skip
    accepted_by = django_filters.CharFilter(method="by_acceptor", label="Accepted by")
    active_from = django_filters.DateFilter(
        method="active_since", label="Active on or after", widget=DATE_INPUT
    )
    active_to = django_filters.DateFilter(
        method="active_until", label="Active on or before", widget=DATE_INPUT
    )
    export = IdFilter(method="in_export", label="Upload number")

    class Meta:
        model = SharingGrant
        fields: list[str] = []

    def outside_the_state(self, queryset, name, value):
        """Out-of-state agencies as the rule and the dashboards read 2-130(c) (see
        `apps.compliance.vocabulary`): federal and tribal ones are apart."""
        outside = vocabulary.out_of_state_q()
        return queryset.filter(outside if value == "yes" else ~outside)

    def by_acceptor(self, queryset, name, value):
        return grants_accepted_by(queryset, person=value)

    def active_since(self, queryset, name, value):
        return grants_active_during(queryset, start=local_day_start(value), end=None)

    def active_until(self, queryset, name, value):
        end = local_day_start(value + timedelta(days=1))
        return grants_active_during(queryset, start=None, end=end)

    def in_export(self, queryset, name, value):
        return grants_in_export(queryset, export_id=value)


class MunicipalityFilterMixin(django_filters.FilterSet):
    municipality = django_filters.ChoiceFilter(
        field_name="municipality__slug", choices=municipality_choices, empty_label="Any",
        label="Municipality", widget=QuickSelect,
    )  # fmt: skip


class StatewideGrantFilter(MunicipalityFilterMixin, GrantFilter):
    pass


class SearchFilter(AgencyFilterMixin):
    """The searches' filters. Text inside the reasons and case numbers, and the origin,
    have no index: `indexed_qs` leaves them out, for `apply_scanned` to apply to a
    bounded run of rows (see `apps.sharing.keyset.keyset_page`)."""

    SCANNED = ("reason", "case_number", "origin")

    agency = django_filters.CharFilter(
        method="agencies_named", label="Searching agency", help_text="Name, acronym or spelling"
    )
    agency_id = IdFilter(field_name="agency_id", label="Agency number")
    reason_label = django_filters.ChoiceFilter(
        method="labelled", label="Reason read as", choices=REASON_LABELS, empty_label="Any"
    )
    reason = django_filters.CharFilter(
        field_name="reason", lookup_expr="icontains", label="Reason contains"
    )
    case_number = django_filters.CharFilter(
        field_name="case_number", lookup_expr="icontains", label="Case number contains"
    )
    searched_from = django_filters.DateFilter(
        method="searched_since", label="Searched on or after", widget=DATE_INPUT
    )
    searched_to = django_filters.DateFilter(
        method="searched_until", label="Searched on or before", widget=DATE_INPUT
    )
    origin = django_filters.ChoiceFilter(
        choices=SearchEvent.Origin.choices, label="Who searched", empty_label="Anyone"
    )
    export = IdFilter(field_name="source_export_id", label="Upload number")

    class Meta:
        model = SearchEvent
        fields: list[str] = []

    def labelled(self, queryset, name, value):
        if value == FLAGGED:
            return queryset.filter(reason_label__in=vocabulary.FLAGGED_LABELS)
        return queryset.filter(reason_label=value)

    def searched_since(self, queryset, name, value):
        return queryset.filter(searched_at__gte=local_day_start(value))

    def searched_until(self, queryset, name, value):
        return queryset.filter(searched_at__lt=local_day_start(value + timedelta(days=1)))

    def _apply(self, queryset: QuerySet, names) -> QuerySet:
        for name in names:
            value = self.form.cleaned_data.get(name)
            if value not in (None, ""):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def indexed_qs(self) -> QuerySet:
        """The queryset with every filter an index serves."""
        return self._apply(self.queryset, [n for n in self.filters if n not in self.SCANNED])

    def scanned_filters_set(self) -> bool:
        return any(self.form.cleaned_data.get(name) not in (None, "") for name in self.SCANNED)

    def apply_scanned(self, queryset: QuerySet) -> QuerySet:
        return self._apply(queryset, self.SCANNED)


class StatewideSearchFilter(MunicipalityFilterMixin, SearchFilter):
    pass
