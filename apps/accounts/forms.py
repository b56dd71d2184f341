from django import forms
from django.contrib.auth.password_validation import validate_password

from apps.municipalities.models import Municipality

from .models import User


class AccountForm(forms.ModelForm):
    municipalities = forms.ModelMultipleChoiceField(
        queryset=Municipality.objects.order_by("name"),
        required=False,
        help_text="For municipal staff: the municipalities this account works for.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="For a new account: a first password, to be changed at first sign-in.",
    )
    change_reason = forms.CharField(
        label="Why this change", help_text="Kept in the history with your name and the time."
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["municipalities"] = list(
                self.instance.memberships.values_list("municipality_id", flat=True)
            )
            del self.fields["password"]

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            if not data.get("password"):
                self.add_error("password", "Give the new account a first password.")
            else:
                try:
                    validate_password(data["password"], User(username=data.get("username")))
                except forms.ValidationError as error:
                    self.add_error("password", error)
        municipal = data.get("role") == User.Role.MUNICIPAL and data.get("is_active", True)
        if municipal and not data.get("municipalities"):
            self.add_error("municipalities", "Municipal staff work for a municipality.")
        return data
