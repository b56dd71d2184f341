from django import forms

from apps.accounts.models import User

from .models import Engagement


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
