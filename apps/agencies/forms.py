from django import forms

from .models import Agency
from .naming import parse_agency_name

NAME_WITHOUT_WORDS = "Type the agency's proper name, with letters or digits."


def has_words(name: str) -> bool:
    """Whether a name keeps something to match on once normalised ("²" or "!!!" do not)."""
    return bool(parse_agency_name(name).normalized)


class ReviewActionForm(forms.Form):
    ACTIONS = [("confirm", "Confirm"), ("merge", "Merge"), ("rename", "Rename")]

    action = forms.ChoiceField(choices=ACTIONS)
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_confirmed=False))
    level = forms.ChoiceField(choices=[("", "keep"), *Agency.Level.choices], required=False)
    target = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False)
    # Any confirmed agency, typed by its name (the page offers them in one list).
    target_name = forms.CharField(max_length=255, required=False)
    name = forms.CharField(max_length=255, required=False)

    def clean(self):
        data = super().clean()
        typed = (data.get("target_name") or "").strip()
        if data.get("action") == "merge" and not data.get("target") and typed:
            named = list(Agency.objects.filter(is_confirmed=True, name__iexact=typed)[:2])
            if len(named) == 1:
                data["target"] = named[0]
            else:
                self.add_error(
                    "target_name",
                    f"No confirmed agency is called “{typed}”."
                    if not named
                    else f"Several agencies are called “{typed}”: merge from the agency's page.",
                )
                return data
        if data.get("action") == "merge" and not data.get("target"):
            self.add_error("target", "Choose the agency to merge into.")
        if data.get("action") == "rename" and not has_words(data.get("name") or ""):
            self.add_error("name", NAME_WITHOUT_WORDS)
        return data


class AliasForm(forms.Form):
    alias = forms.CharField(
        max_length=255,
        label="Spelling",
        help_text="As a vendor's file writes the agency's name, e.g. “ICE ERO Chicago”.",
    )
    reason = forms.CharField(max_length=500, required=False, label="Why (kept in the history)")


class AliasRemoveForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, label="Why (kept in the history)")


class AgencyForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_confirmed=True, level__in=["federal", "state"]),
        required=False,
        help_text="The federal or state agency this office belongs to: a block on the "
        "parent blocks its offices too.",
    )
    change_reason = forms.CharField(
        label="Why this change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history with your name and the time.",
    )

    class Meta:
        model = Agency
        fields = ["name", "ori", "level", "state", "parent"]
        help_texts = {"state": "Two letters; empty for federal agencies."}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if not has_words(name):
            raise forms.ValidationError(NAME_WITHOUT_WORDS)
        return name
