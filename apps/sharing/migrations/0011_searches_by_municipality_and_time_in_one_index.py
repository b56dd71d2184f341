# The searches' unique constraint leads with (municipality, searched_at), so it also
# serves what the (municipality, searched_at) index served, and that index goes: one
# index fewer to write for every search loaded. On the partitioned parent, each
# statement reaches every partition.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0010_searches_references_checked_by_loads"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="searchevent",
            name="search_once_per_vendor_id",
        ),
        migrations.RemoveIndex(
            model_name="searchevent",
            name="sharing_sea_municip_f78aa5_idx",
        ),
        migrations.AddConstraint(
            model_name="searchevent",
            constraint=models.UniqueConstraint(
                fields=("municipality", "searched_at", "vendor", "vendor_search_id"),
                name="search_once_per_vendor_id",
            ),
        ),
    ]
