import django_filters
from django.db.models import Q

from apps.compliance.blocklist import blocked_agency_ids

from .models import Agency


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or alias")
    level = django_filters.ChoiceFilter(choices=Agency.Level.choices, empty_label="Any")
    blocked = django_filters.BooleanFilter(method="only_blocked", label="On the blocklist")

    class Meta:
        model = Agency
        fields = ["q", "level", "state", "blocked"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(aliases__alias__icontains=value)
        ).distinct()

    def only_blocked(self, queryset, name, value):
        ids = blocked_agency_ids()
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)
