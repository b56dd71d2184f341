from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in. What they may see follows from `role` and memberships."""

    class Role(models.TextChoices):
        MUNICIPAL = "municipal", "Municipal staff"
        AUDITOR = "auditor", "State auditor"
        ADMINISTRATOR = "administrator", "State administrator"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MUNICIPAL)

    class Meta:
        ordering = ["username"]

    @property
    def is_state_staff(self) -> bool:
        """Auditors and administrators work across municipalities."""
        return self.role in (self.Role.AUDITOR, self.Role.ADMINISTRATOR)

    @property
    def is_state_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR
