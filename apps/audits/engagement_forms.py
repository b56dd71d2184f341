import django_filters
from django import forms

from apps.accounts.models import User
from apps.agencies.models import Agency
from apps.compliance.models import Rule, Severity
from apps.municipalities.models import Municipality

from .models import Engagement, Finding

NOT_A_CANDIDATE = "Some chosen findings are not of this engagement's subject and period."


class EngagementForm(forms.ModelForm):
    auditors = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(role__in=["auditor", "administrator"], is_active=True),
        required=False,
        help_text="Leave empty to take it on yourself.",
    )

    class Meta:
        model = Engagement
        fields = ["title", "municipality", "vendor", "period_start", "period_end", "auditors"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"vendor": "For an audit of one vendor across municipalities."}

    def clean(self):
        data = super().clean()
        if not data.get("municipality") and not data.get("vendor"):
            raise forms.ValidationError("Choose the municipality or the vendor audited.")
        return data


class ConclusionForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = ["conclusion"]
        widgets = {"conclusion": forms.Textarea(attrs={"rows": 5})}


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(required=False, help_text="PDF, image or spreadsheet, 10 MB.")

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The attachment is larger than 10 MB.")
        return upload


class EngagementStepForm(forms.Form):
    """Which of the engagement page's forms was sent."""

    STEPS = {
        "advance": "Move to the next step",
        "findings": "Findings covered",
        "findings_add": "Add the matching findings",
        "findings_remove": "Remove the matching findings",
        "conclusion": "Conclusion",
        "note": "Note",
    }
    action = forms.ChoiceField(
        choices=list(STEPS.items()),
        error_messages={
            "required": "Use one of the page's buttons.",
            "invalid_choice": "Use one of the page's buttons.",
        },
    )


def _candidates_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": NOT_A_CANDIDATE,
            "invalid_pk_value": NOT_A_CANDIDATE,
            "invalid_list": NOT_A_CANDIDATE,
        },
    )


class EngagementFindingsForm(forms.Form):
    """The ticked findings among those the page listed (`shown`), all candidates only.

    Only the listed findings change: a covered finding the page did not list (outside the
    filter, past the first rows) stays covered.
    """

    finding = _candidates_field()
    shown = _candidates_field()

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = candidates
        self.fields["shown"].queryset = candidates

    def covered_after(self, covered: list[Finding]) -> list[Finding]:
        """What the engagement covers once the ticks are applied to `covered`."""
        shown = {finding.pk for finding in self.cleaned_data["shown"]}
        kept = [finding for finding in covered if finding.pk not in shown]
        return kept + [f for f in self.cleaned_data["finding"] if f not in kept]


class EngagementCandidateFilter(django_filters.FilterSet):
    """Narrows an engagement's candidate findings, on the page and for "add all"."""

    PREFIX = "candidates"

    rule_code = django_filters.ChoiceFilter(
        label="Rule",
        empty_label="Any",
        choices=lambda: [
            (code, code)
            for code in Rule.objects.order_by("code").values_list("code", flat=True).distinct()
        ],
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, empty_label="Any")
    status = django_filters.ChoiceFilter(choices=Finding.Status.choices, empty_label="Any")
    agency = django_filters.CharFilter(label="Agency", method="filter_agency", max_length=200)
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.none(), empty_label="Any"
    )
    covered = django_filters.ChoiceFilter(
        label="Covered",
        choices=[("yes", "Covered"), ("no", "Not covered yet")],
        empty_label="Either",
        method="filter_covered",
    )

    class Meta:
        model = Finding
        fields = ["rule_code", "severity", "status", "agency", "municipality", "covered"]

    def __init__(self, data=None, *, engagement: Engagement, candidates, **kwargs):
        super().__init__(data, queryset=candidates, prefix=self.PREFIX, **kwargs)
        self.engagement = engagement
        if engagement.municipality_id:
            del self.filters["municipality"]
        else:
            # A vendor's engagement: the municipalities among its candidates.
            self.filters["municipality"].queryset = Municipality.objects.filter(
                pk__in=candidates.values("municipality")
            ).order_by("name")

    def filter_agency(self, queryset, name, value):
        # The same matching as every agency filter: aliases, acronyms as whole words.
        return queryset.filter(agency__in=Agency.objects.matching(value))

    def filter_covered(self, queryset, name, value):
        covered = self.engagement.findings.values("pk")
        return (
            queryset.filter(pk__in=covered) if value == "yes" else queryset.exclude(pk__in=covered)
        )

    @property
    def is_narrowed(self) -> bool:
        return self.is_bound and any(
            value not in (None, "") for value in self.form.cleaned_data.values()
        )


class EngagementAdvanceForm(forms.Form):
    """The next step. Issuing the report and closing cannot be undone, so each asks for a
    tick in a box that says what it does (a page that works without JavaScript)."""

    CONFIRMATIONS = {
        Engagement.Status.ISSUED: (
            "I confirm: issue the report now. It is dated today, and its findings and "
            "conclusion can no longer change."
        ),
        Engagement.Status.CLOSED: "I confirm: close the engagement. It cannot be reopened.",
    }

    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, next_step: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_confirmation = next_step in self.CONFIRMATIONS
        if self.needs_confirmation:
            field = self.fields["confirm"]
            field.required = True
            field.label = self.CONFIRMATIONS[next_step]
            field.error_messages["required"] = (
                "Nothing was changed: tick the box to confirm this step first."
            )
        else:
            del self.fields["confirm"]
