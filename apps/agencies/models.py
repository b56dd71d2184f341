import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models


def name_core(field: str) -> OpClass:
    """A name without the words that only say what kind of agency it is, indexed for
    pg_trgm similarity; `agency_name_core` is the SQL function of migration 0003."""
    core = models.Func(
        models.F(field), function="agency_name_core", output_field=models.TextField()
    )
    return OpClass(core, name="gin_trgm_ops")


# Words of a search box; an apostrophe stays inside a word ("Lowe's").
_WORD = re.compile(r"\w+(?:'\w+)*")
# Words this short are read as whole words: "ICE" is ICE, never "Police" or "Service".
_WHOLE_WORD_UP_TO = 4


def _word_pattern(word: str) -> str:
    """A PostgreSQL regular expression (\\m, \\M: start and end of a word) for `word`:
    a whole word when short, the start of a word otherwise ("Riverb" finds Riverbend)."""
    end = r"\M" if len(word) <= _WHOLE_WORD_UP_TO else ""
    return rf"\m{re.escape(word)}{end}"


class AgencyQuerySet(models.QuerySet):
    def matching(self, text: str) -> "AgencyQuerySet":
        """The agencies a person means by `text` in an agency filter or search box.

        Every word of `text` must appear in the agency's name, or every word in one of its
        aliases (the spellings vendors use), as a word of its own; short words (acronyms)
        match whole words only. An agency's offices come with it: "ICE" gives U.S.
        Immigration and Customs Enforcement (by its alias) and Homeland Security
        Investigations, its component. An empty `text` matches nothing, nor does one whose
        words could not fit in a name.
        """
        words = list(dict.fromkeys(word.lower() for word in _WORD.findall(text)))
        # Words that could not fit in a name match nothing, and are never sent to
        # PostgreSQL as one huge regular expression.
        if not words or len(" ".join(words)) > self.model._meta.get_field("name").max_length:
            return self.none()
        patterns = [_word_pattern(word) for word in words]
        by_name = models.Q()
        by_alias = models.Q()
        for pattern in patterns:
            by_name &= models.Q(name__iregex=pattern)
            by_alias &= models.Q(alias__iregex=pattern)
        # A union rather than an OR, so each side can use its trigram index.
        matched = (
            Agency.objects.filter(by_name)
            .order_by()
            .values("pk")
            .union(AgencyAlias.objects.filter(by_alias).order_by().values("agency_id"))
        )
        return self.filter(models.Q(pk__in=matched) | models.Q(parent__in=matched))


class Agency(models.Model):
    """An organization seen as a sharing partner or a searcher, across all municipalities."""

    class Level(models.TextChoices):
        LOCAL = "local", "Local"
        COUNTY = "county", "County"
        STATE = "state", "State"
        FEDERAL = "federal", "Federal"
        TRIBAL = "tribal", "Tribal"
        PRIVATE = "private", "Private entity"
        OTHER = "other", "Other"

    name = models.CharField(max_length=255)
    normalized_name = models.CharField(max_length=255, db_index=True)
    ori = models.CharField("ORI", max_length=9, null=True, blank=True, unique=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.OTHER)
    state = models.CharField(max_length=2, blank=True)
    tags = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="components"
    )
    is_confirmed = models.BooleanField(
        default=False, help_text="Unconfirmed agencies wait in the review queue."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        indexes = [
            models.Index(fields=["is_confirmed", "name"]),
            # pg_trgm: the search boxes' word matching (a regular expression) on the name,
            # and the review queue's look-alikes (similarity) on the name's core.
            GinIndex(name="agency_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
            GinIndex(name_core("normalized_name"), name="agency_name_core_trgm"),
        ]

    def __str__(self) -> str:
        return self.name


class AgencyAlias(models.Model):
    """A spelling of an agency's name as a vendor writes it; matched after normalising."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=255)
    normalized = models.CharField(max_length=255, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "agency aliases"
        indexes = [
            GinIndex(name="alias_alias_trgm", fields=["alias"], opclasses=["gin_trgm_ops"]),
            GinIndex(name_core("normalized"), name="alias_name_core_trgm"),
        ]

    def __str__(self) -> str:
        return self.alias


class AgencyNamePattern(models.Model):
    """A curated pattern for an agency's many office names (`ICE ERO Chicago`, `ICE LESC`).

    Matched against the normalised name after exact ORI, alias and name matching fail.
    Anchored regular expressions written by administrators, never fuzzy.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="name_patterns")
    pattern = models.CharField(max_length=255, help_text="Regular expression, normalised name")
    priority = models.PositiveSmallIntegerField(
        default=100, help_text="Lower runs first: put an office's pattern before its parent's"
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["priority", "pattern"]

    def __str__(self) -> str:
        return self.pattern


class AgreementImport(models.Model):
    """One import of ICE's list of 287(g) partner agencies: who ran it, which file, and
    what it did to the agreements."""

    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_on = models.DateField(help_text="The day agreements missing from the file end.")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(
        default=0, help_text="Rows whose agency is a confirmed agency of the directory."
    )
    queued = models.PositiveIntegerField(
        default=0, help_text="Rows whose agency waits in the agency review queue."
    )
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    ended = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_on:%Y-%m-%d})"


class ImmigrationAgreement(models.Model):
    """One row of ICE's list of 287(g) partners: an agency's agreement with ICE under one
    support model, as ICE publishes it.

    In force from its signing until `ended_on`, the date of the first import whose list
    no longer holds it (null while in force). A later list that holds it again opens a
    new agreement, so each period stays as it was. An agreement in force was in every
    import since `first_import`: the import that last saw it is the latest import while
    it is in force and the one before `ended_by` once it has ended, so nothing is written
    to an agreement that an import finds unchanged.
    """

    class SupportModel(models.TextChoices):
        JAIL_ENFORCEMENT = "jail_enforcement", "Jail enforcement"
        TASK_FORCE = "task_force", "Task force"
        WARRANT_SERVICE_OFFICER = "warrant_service_officer", "Warrant service officer"
        OTHER = "other", "Other (as ICE wrote it)"

    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="immigration_agreements",
    )
    # The row as published, trimmed.
    state = models.CharField(max_length=2)
    agency_name = models.CharField(max_length=255)
    agency_type = models.CharField(max_length=60, blank=True)
    county = models.CharField(max_length=100, blank=True)
    support_model = models.CharField(max_length=30, choices=SupportModel.choices)
    support_text = models.CharField(max_length=100, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    moa_label = models.CharField("MOA", max_length=100, blank=True)
    addendum_label = models.CharField(max_length=100, blank=True)
    # State, normalised name and support model: what a later list is compared on.
    key = models.CharField(max_length=400)
    first_import = models.ForeignKey(
        AgreementImport, on_delete=models.PROTECT, related_name="agreements_added"
    )
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        AgreementImport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements_ended",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["state", "agency_name", "support_model"]
        constraints = [
            # One agreement in force per agency and model as ICE lists them.
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(ended_on__isnull=True),
                name="immigration_agreement_one_in_force",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_by__isnull=False),
                name="immigration_agreement_ended_by_an_import",
            ),
        ]
        indexes = [
            # "Agencies with an agreement in force on day D" joins on the agency and
            # reads both dates from the index alone.
            models.Index(
                fields=["agency", "signed_on", "ended_on"],
                name="agreement_agency_in_force",
                include=["support_model"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_name} ({self.state}), {self.get_support_model_display()}"
