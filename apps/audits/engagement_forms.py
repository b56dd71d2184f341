from django import forms

from apps.accounts.models import User

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


class EngagementFindingsForm(forms.Form):
    """The findings an engagement covers, chosen among its candidates only."""

    finding = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": NOT_A_CANDIDATE,
            "invalid_pk_value": NOT_A_CANDIDATE,
            "invalid_list": NOT_A_CANDIDATE,
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = candidates
