import django_tables2 as tables

from .models import User


class UserTable(tables.Table):
    username = tables.LinkColumn("state:administration:account_edit", args=[tables.A("pk")])
    municipalities = tables.Column(
        "Municipalities", accessor="memberships", orderable=False, empty_values=()
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "is_active", "last_login")
        attrs = {"class": "data-table"}

    def value_username(self, value: str) -> str:
        return value

    def render_municipalities(self, record: User) -> str:
        names = [m.municipality.name for m in record.memberships.all()]
        return ", ".join(names) or "—"
