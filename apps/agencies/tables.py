import django_tables2 as tables

from .models import Agency, ImmigrationAgreement

_SUPPORT_MODELS = dict(ImmigrationAgreement.SupportModel.choices)


class AgencyTable(tables.Table):
    name = tables.LinkColumn("state:agency_detail", args=[tables.A("pk")])
    level = tables.Column()
    state = tables.Column()
    sharing_municipalities = tables.Column(
        "Municipalities sharing", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    search_count = tables.Column(
        "Searches run", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    immigration_models = tables.Column("287(g)", orderable=False, empty_values=())

    class Meta:
        model = Agency
        fields = (
            "name", "level", "state", "ori", "immigration_models", "sharing_municipalities",
            "search_count",
        )  # fmt: skip
        attrs = {"class": "data-table"}
        empty_text = "No agency matches. Clear the filter to see them all."

    def value_name(self, value: str) -> str:
        return value

    def render_immigration_models(self, value: list[str] | None) -> str:
        """The support models of the agency's 287(g) agreements in force, or a dash."""
        return self.value_immigration_models(value) or "—"

    def value_immigration_models(self, value: list[str] | None) -> str:
        return ", ".join(_SUPPORT_MODELS.get(model, model) for model in value or [])
