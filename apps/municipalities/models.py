from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django_scopes import ScopedManager

ori_validator = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{7}$", "An ORI is 9 letters or digits, the first two the state code."
)


class Municipality(models.Model):
    """The tenant: a municipality and the police department that shares its ALPR data."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    county = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, default="IL")
    population = models.PositiveIntegerField(null=True, blank=True)
    police_department = models.CharField(max_length=200, blank=True)
    ori = models.CharField(
        "ORI", max_length=9, blank=True, validators=[ori_validator], help_text="NCIC ORI"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "municipalities"
        constraints = [
            models.UniqueConstraint(
                fields=["ori"], condition=~models.Q(ori=""), name="municipality_ori_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.state}"


class Membership(models.Model):
    """Gives a municipal staff account access to one municipality."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["municipality__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.municipality}"


class TenantModel(models.Model):
    """Base for every row a municipality owns.

    The default manager refuses to query unless a municipality scope is active (see
    `apps.municipalities.scoping`), so a forgotten filter raises instead of leaking
    another municipality's rows.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(municipality="municipality")

    class Meta:
        abstract = True
