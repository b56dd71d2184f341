from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .models import Vendor, VendorExport


class ExportUploadForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=Vendor.objects.order_by("name"), empty_label=None)
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[("", "Detect from the file"), *VendorExport.Kind.choices],
        required=False,
        help_text="A network audit lists searches of your data by anyone; an organization "
        "audit lists searches by your own staff. They look alike: say which if it is an "
        "organization audit.",
    )
    file = forms.FileField(
        help_text="CSV or XLSX export as the vendor produced it, a Motorola LEARN Agency "
        "Data Sharing Report as PDF (printed, or scanned and made searchable), or a portal "
        "template.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.pdf"}),
        error_messages={"empty": "The file is empty: there is nothing to load."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PORTAL_UPLOAD_MAX_BYTES
        if upload.size == 0:
            raise forms.ValidationError("The file is empty: there is nothing to load.")
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(limit)}. Split it by month and upload each part."
            )
        return upload


class OriginalDownloadForm(forms.Form):
    """Why somebody downloads an original: it holds plates and officers' names in clear."""

    reason = forms.CharField(
        label="Why do you need the original file?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example the audit engagement or the request it answers. The reason "
        "is kept in the activity log with your download.",
        error_messages={
            "required": "Say why you need the original file: a download without a reason "
            "is refused."
        },
    )
