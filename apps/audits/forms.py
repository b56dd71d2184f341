from django import forms

from apps.accounts.models import User

from .models import Finding
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


BULK_STEPS = {"acknowledge": "Acknowledge", "dismiss": "Dismiss"}
CHOOSE_A_STEP = "Choose what to do with the selected findings."
NOT_IN_THE_QUEUE = "Some selected findings are not in the queue any more: select them again."


class FindingBulkForm(forms.Form):
    """A step on the findings an auditor selected in the statewide queue.

    `findings` and `assignees` are what this user may act on and assign to; an id
    outside them (or no id at all) is an error, never a number parsed by hand.
    """

    action = forms.ChoiceField(
        choices=[*BULK_STEPS.items(), ("assign", "Assign to…")],
        error_messages={"required": CHOOSE_A_STEP, "invalid_choice": CHOOSE_A_STEP},
    )
    selection = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": NOT_IN_THE_QUEUE,
            "invalid_pk_value": NOT_IN_THE_QUEUE,
            "invalid_list": NOT_IN_THE_QUEUE,
        },
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choose the auditor from the list."},
    )
    note = forms.CharField(required=False)

    def __init__(self, *args, findings, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selection"].queryset = findings
        self.fields["assignee"].queryset = assignees
