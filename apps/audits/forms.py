from django import forms

from .services import TRANSITIONS

ACTION_LABELS = {
    "acknowledge": "Acknowledge",
    "remediate": "Mark remediated",
    "verify": "Verify remediation",
    "reject_remediation": "Reject remediation",
    "dismiss": "Dismiss",
    "reopen": "Reopen",
}
ALLOWED_ATTACHMENTS = (".pdf", ".png", ".jpg", ".jpeg", ".csv", ".xlsx", ".txt")


class FindingActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, ACTION_LABELS[a]) for a in TRANSITIONS])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attachment = forms.FileField(
        required=False, help_text="Optional evidence: PDF, image, CSV, XLSX or text, 10 MB at most."
    )

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, ACTION_LABELS[a]) for a in actions]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload is None:
            return None
        if not upload.name.lower().endswith(ALLOWED_ATTACHMENTS):
            raise forms.ValidationError("Attach a PDF, image, CSV, XLSX or text file.")
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The attachment is larger than 10 MB.")
        return upload
