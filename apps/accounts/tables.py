import django_tables2 as tables

from .models import User


class UserTable(tables.Table):
    municipalities = tables.Column(
        "Municipalities", accessor="memberships", orderable=False, empty_values=()
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "is_active", "last_login")
        attrs = {"class": "data-table"}

    def render_municipalities(self, record: User) -> str:
        names = [m.municipality.name for m in record.memberships.all()]
        return ", ".join(names) or "—"
