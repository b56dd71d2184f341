import json

from django import forms

from apps.agencies.models import Agency

from .classifier import near_entry
from .models import BlocklistEntry, ReasonTerm, Rule, RulePack

MAX_THRESHOLD = 100_000


class ChangeReasonMixin(forms.Form):
    change_reason = forms.CharField(
        label="Why this change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history with your name and the time.",
    )


class BlocklistEntryForm(ChangeReasonMixin, forms.ModelForm):
    # Unconfirmed agencies too: blocking one must not wait for the review queue.
    agency = forms.ModelChoiceField(queryset=Agency.objects.order_by("name"), required=False)

    class Meta:
        model = BlocklistEntry
        fields = ["agency", "name_pattern", "ori_pattern", "reason", "citation"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name_pattern": "Regular expression on the normalised name, e.g. \\bborder patrol\\b",
        }


class ReasonTermForm(ChangeReasonMixin, forms.ModelForm):
    unless_near = forms.CharField(
        required=False,
        help_text="Comma-separated words that cancel a hit within two words of it; end one "
        'with ~N (N from 1 to 8) to reach N words, e.g. "hate crime ~6".',
    )

    class Meta:
        model = ReasonTerm
        fields = [
            "label",
            "category",
            "phrase",
            "match",
            "unless_near",
            "note",
            "source",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["unless_near"] = ", ".join(self.instance.unless_near)

    def clean_unless_near(self) -> list[str]:
        entries = [w.strip() for w in self.cleaned_data["unless_near"].split(",") if w.strip()]
        # Read as the classifier reads them, so an entry it would read otherwise than it
        # looks is refused here, under this field, rather than saved.
        errors = []
        for entry in entries:
            try:
                near_entry(entry)
            except ValueError as error:
                errors.append(forms.ValidationError(str(error)))
        if errors:
            raise forms.ValidationError(errors)
        return entries


class RuleForm(ChangeReasonMixin, forms.ModelForm):
    settings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text='Thresholds as JSON, e.g. {"min_grants": 25, "window_minutes": 10}.',
    )

    class Meta:
        model = Rule
        fields = ["title", "severity", "explanation", "citation", "settings", "is_active"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["settings"] = json.dumps(self.instance.settings)

    def clean_settings(self) -> dict:
        text = self.cleaned_data["settings"].strip() or "{}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Not valid JSON: {error.msg}.") from None
        except ValueError:  # a number of thousands of digits, which Python refuses to read
            raise forms.ValidationError("A threshold is far too large.") from None
        if not isinstance(value, dict):
            raise forms.ValidationError('Give an object: {"name": value, ...}.')
        # The evaluation reads each threshold the rule has as a whole number of at least 1.
        expected = set(self.instance.settings)
        if set(value) != expected:
            names = ", ".join(sorted(expected)) or "none"
            raise forms.ValidationError(f"This rule's thresholds are: {names}.")
        for name, number in value.items():
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise forms.ValidationError(f"{name} must be a whole number of at least 1.")
            # Far above any real threshold, and far below where an age in days or a
            # window would overflow the dates the evaluation computes from it.
            if number > MAX_THRESHOLD:
                raise forms.ValidationError(f"{name} must be at most {MAX_THRESHOLD:,}.")
        return value


class RulePackForm(ChangeReasonMixin, forms.ModelForm):
    class Meta:
        model = RulePack
        fields = ["name", "basis"]
        widgets = {"basis": forms.Textarea(attrs={"rows": 5})}


class RetireForm(forms.Form):
    """The blocklist entry page's second button: retire the entry rather than save it."""

    retire = forms.BooleanField(required=False)
