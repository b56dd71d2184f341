from django import forms

from apps.agencies.models import Agency
from apps.compliance.vocabulary import out_of_state_q

from .models import Declaration, SharingGrant

ALLOWED_DOCUMENTS = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


class DeclarationForm(forms.ModelForm):
    class Meta:
        model = Declaration
        fields = ["agency", "received_on", "expires_on", "document", "note"]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"expires_on": "Leave empty if the declaration does not expire."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The out-of-state agencies this municipality shares with (in its scope), as
        # the out-of-state rule reads them: federal and tribal agencies are apart.
        partner_ids = SharingGrant.objects.filter(direction=SharingGrant.Direction.OUTGOING).values(
            "agency_id"
        )
        self.fields["agency"].queryset = (
            Agency.objects.filter(pk__in=partner_ids).filter(out_of_state_q("")).order_by("name")
        )

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and not document.name.lower().endswith(ALLOWED_DOCUMENTS):
            raise forms.ValidationError("Upload the declaration as a PDF or an image.")
        if document and document.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The document is larger than 10 MB.")
        return document

    def clean(self):
        data = super().clean()
        received, expires = data.get("received_on"), data.get("expires_on")
        if received and expires and expires < received:
            self.add_error("expires_on", "The declaration cannot expire before it was received.")
        return data
