import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.agencies.models import Agency

from .classifier import ReasonClassifier, Term, near_entry


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    # Read by the learned signal alone, which no term confirms: a person decides.
    REVIEW = "review", "For review"


SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "review": 4}


class RulePack(models.Model):
    """The law of one state as the evaluation applies it: the statute and its rules.

    A municipality is judged by the pack of its own state, or, where its state has no
    pack, by the pack of the portal's home state (`PORTAL_HOME_STATE`; see
    `apps.compliance.packs`).
    """

    state = models.CharField(max_length=2, unique=True, help_text="Two-letter state code")
    name = models.CharField(max_length=200)
    basis = models.TextField(help_text="The statute the pack rests on: citation and what it says")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["state"]

    def __str__(self) -> str:
        return f"{self.state}: {self.name}"


class Rule(models.Model):
    """One check the evaluation applies, with the law it rests on, in one state's pack.

    The code names the condition the evaluation tests (apps.audits.evaluation); two packs
    may hold the same code with their own severity, thresholds and citation. `settings`
    holds the thresholds an administrator tunes (for BULK_ACCEPTANCE, how many
    acceptances by one person in how many minutes).
    """

    pack = models.ForeignKey(RulePack, on_delete=models.PROTECT, related_name="rules")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    explanation = models.TextField(help_text="Plain-language: what is wrong and why")
    citation = models.CharField(max_length=255, help_text="The subsection the finding rests on")
    settings = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pack__state", "code"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "code"], name="rule_code_once_per_pack"),
        ]

    def __str__(self) -> str:
        return self.code


class BlocklistEntry(models.Model):
    """An agency, or a name / ORI pattern, whose access to ALPR data is prohibited."""

    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="blocklist_entries"
    )
    name_pattern = models.CharField(
        max_length=255, blank=True, help_text="Regular expression on the normalised agency name"
    )
    ori_pattern = models.CharField(
        max_length=50, blank=True, help_text="Regular expression on the ORI, e.g. ^VTICE"
    )
    reason = models.TextField()
    citation = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_active", "agency__name", "name_pattern"]
        verbose_name_plural = "blocklist entries"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(agency=None, name_pattern="", ori_pattern=""),
                name="blocklist_entry_names_something",
            ),
        ]

    def __str__(self) -> str:
        if self.agency_id:
            return str(self.agency)
        return self.name_pattern or self.ori_pattern

    def clean(self) -> None:
        for field in ("name_pattern", "ori_pattern"):
            try:
                re.compile(getattr(self, field))
            except re.error as error:
                raise ValidationError(
                    {field: f"Not a valid regular expression: {error}."}
                ) from error


class ReasonTerm(models.Model):
    """A word or pattern the reason classifier looks for (see apps.compliance.classifier)."""

    class Label(models.TextChoices):
        IMMIGRATION = "immigration", "Immigration"
        HEALTH_CARE = "health_care", "Health care"
        SENSITIVE_DATA = "sensitive_data", "Sensitive data"
        VAGUE = "vague", "Vague"

    class Match(models.TextChoices):
        WORD = "word", "Whole word or phrase"
        PREFIX = "prefix", "Word starting with"
        FUZZY = "fuzzy", "Word, allowing a typo"
        REGEX = "regex", "Regular expression"

    class Category(models.TextChoices):
        """What kind of evidence a term is, so administrators keep each list current."""

        AGENCY = "agency", "Agency names and acronyms"
        STATUS_LAW = "status_law", "Immigration status and law vocabulary"
        OPERATION = "operation", "Named operations and facilities"
        HANDOFF = "handoff", "Hand-off phrases"
        DROPDOWN = "dropdown", "Vendor dropdown categories"
        HEALTH_CARE = "health_care", "Health-care vocabulary"
        HEALTH_LAW = "health_law", "Other states' health-care laws"
        CLINIC = "clinic", "Clinic and network names"
        PERSONAL_DATA = "personal_data", "Personal data"
        GENERIC = "generic", "Generic words"
        OTHER = "other", "Other"

    label = models.CharField(max_length=20, choices=Label.choices)
    phrase = models.CharField(max_length=255)
    match = models.CharField(max_length=10, choices=Match.choices, default=Match.WORD)
    unless_near = models.JSONField(
        default=list, blank=True, help_text="Words that cancel a hit within two words of it"
    )
    note = models.CharField(max_length=255, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    source = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where the term comes from: a statute, a public record, a news report (URL "
        "or citation)",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["label", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["label", "phrase", "match"], name="reason_term_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_label_display()}: {self.phrase}"

    def clean(self) -> None:
        # A term the classifier cannot build would stop classification for everyone.
        try:
            ReasonClassifier([Term(self.label, self.phrase, self.match)])
        except (ValueError, TypeError) as error:
            raise ValidationError({"phrase": str(error)}) from error
        # Each cancel entry read as the classifier reads it, whatever path saves the term.
        problems = []
        for entry in self.unless_near or ():
            try:
                near_entry(str(entry))
            except ValueError as error:
                problems.append(str(error))
        if problems:
            raise ValidationError({"unless_near": problems})


class LearnedReading(models.Model):
    """What the learned signal (`apps.compliance.learned`) read in one distinct reason,
    under one version of the model: the cache that has each distinct reason read once
    however many searches and uploads repeat it.

    Neither the reason nor any part of it is kept here: only its SHA-256, the label and
    the score. What drove a reading is worked out again from the search's own reason when
    a finding's page shows it. Rows older than the searches' retention period are deleted
    with the searches (`searches_retention`); a reason seen again is simply read again.
    """

    model_version = models.CharField(max_length=80)
    digest = models.BinaryField(max_length=32, help_text="SHA-256 of the reason's text")
    label = models.CharField(max_length=20)
    score = models.FloatField()
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "digest"], name="learned_reading_once"
            ),
        ]
        indexes = [models.Index(fields=["read_at"], name="learned_reading_read_at")]

    def __str__(self) -> str:
        return f"{self.label} ({self.score:.2f})"
