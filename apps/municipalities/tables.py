import django_tables2 as tables

from .models import Municipality


class MunicipalityTable(tables.Table):
    name = tables.LinkColumn("municipality:home", args=[tables.A("slug")])
    staff_count = tables.Column("Staff accounts", attrs={"td": {"class": "num"}})

    class Meta:
        model = Municipality
        fields = ("name", "county", "population", "police_department", "ori", "staff_count")
        attrs = {"class": "data-table"}
        empty_text = "No municipality yet. An administrator adds them with add_municipality."
