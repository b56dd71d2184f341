import django_filters
from django_filters.constants import EMPTY_VALUES

from apps.compliance.blocklist import blocked_agency_ids

from .models import Agency
from .selectors import immigration_partner_ids


class AgencyMatchFilter(django_filters.CharFilter):
    """A text box for an agency on a list of rows pointing at agencies (`field_name`,
    `agency` by default): words of the agency's name or of one of its aliases, acronyms
    as whole words ("ICE" is never "Police"), offices with their agency."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__in": Agency.objects.matching(value).values("pk")})


class ImmigrationPartnerFilter(django_filters.BooleanFilter):
    """Yes / no / either: rows whose agency (`field_name`, `agency` by default) has a
    287(g) agreement with ICE in force today."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "287(g) agreement with ICE")
        kwargs.setdefault("field_name", "agency")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        lookup = {f"{self.field_name}__in": immigration_partner_ids()}
        return qs.filter(**lookup) if value else qs.exclude(**lookup)


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, alias or acronym")
    level = django_filters.ChoiceFilter(choices=Agency.Level.choices, empty_label="Any")
    blocked = django_filters.BooleanFilter(method="only_blocked", label="On the blocklist")
    immigration_partner = ImmigrationPartnerFilter(field_name="pk")

    class Meta:
        model = Agency
        fields = ["q", "level", "state", "blocked", "immigration_partner"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=Agency.objects.matching(value).values("pk"))

    def only_blocked(self, queryset, name, value):
        ids = blocked_agency_ids()
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)
