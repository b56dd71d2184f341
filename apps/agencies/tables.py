import django_tables2 as tables

from .models import Agency


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

    class Meta:
        model = Agency
        fields = ("name", "level", "state", "ori", "sharing_municipalities", "search_count")
        attrs = {"class": "data-table"}
        empty_text = "No agency matches. Clear the filter to see them all."

    def value_name(self, value: str) -> str:
        return value
