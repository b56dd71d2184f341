import django_filters

from apps.compliance.models import Rule, Severity

from .models import Finding


class FindingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Finding.Status.choices, empty_label="Any")
    severity = django_filters.ChoiceFilter(choices=Severity.choices, empty_label="Any")
    rule_code = django_filters.ChoiceFilter(
        label="Rule",
        empty_label="Any",
        choices=lambda: [(code, code) for code in Rule.objects.values_list("code", flat=True)],
    )

    class Meta:
        model = Finding
        fields = ["status", "severity", "rule_code"]
