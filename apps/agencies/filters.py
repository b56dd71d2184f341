import django_filters
from django_filters.constants import EMPTY_VALUES

from apps.compliance.blocklist import blocked_agency_ids

from .models import Agency


class AgencyMatchFilter(django_filters.CharFilter):
    """A text box for an agency on a list of rows pointing at agencies (`field_name`,
    `agency` by default): words of the agency's name or of one of its aliases, acronyms
    as whole words ("ICE" is never "Police"), offices with their agency."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__in": Agency.objects.matching(value).values("pk")})


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, alias or acronym")
    level = django_filters.ChoiceFilter(choices=Agency.Level.choices, empty_label="Any")
    blocked = django_filters.BooleanFilter(method="only_blocked", label="On the blocklist")

    class Meta:
        model = Agency
        fields = ["q", "level", "state", "blocked"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=Agency.objects.matching(value).values("pk"))

    def only_blocked(self, queryset, name, value):
        ids = blocked_agency_ids()
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)
