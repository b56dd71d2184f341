import django_filters

from .models import Municipality


class MunicipalityFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")
    county = django_filters.CharFilter(lookup_expr="iexact", label="County")

    class Meta:
        model = Municipality
        fields = ["name", "county"]
