# The grants list statewide, a page at a time in each of its orders (keyset pagination,
# apps/sharing/keyset.py). The searches list needs no new index: the primary key
# (searched_at, id) and (municipality, searched_at) serve its pages.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0006_grant_networks_and_last_listed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="sharinggrant",
            index=models.Index(fields=["partner_name", "id"], name="grant_list_by_partner"),
        ),
        migrations.AddIndex(
            model_name="sharinggrant",
            index=models.Index(fields=["status_changed_at", "id"], name="grant_list_by_change"),
        ),
    ]
