import django_filters
from django.db.models import Q

from .models import User


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, username or e-mail")
    role = django_filters.ChoiceFilter(choices=User.Role.choices)

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )
