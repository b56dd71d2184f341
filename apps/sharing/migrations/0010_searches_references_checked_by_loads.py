# The searches' foreign keys stop being database constraints: checked row by row at
# commit, they cost a load more than the rest of it. Loads check each distinct reference
# once (apps.vendors.loading._search_references_lock). Dropped on the partitioned
# parent, each constraint goes from every partition with it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_trigram"),
        ("municipalities", "0001_initial"),
        ("sharing", "0009_ungranted_search_day"),
        ("vendors", "0005_vendorexport_rows_ignored"),
    ]

    operations = [
        migrations.AlterField(
            model_name="searchevent",
            name="agency",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="searches",
                to="agencies.agency",
            ),
        ),
        migrations.AlterField(
            model_name="searchevent",
            name="municipality",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="municipalities.municipality",
            ),
        ),
        migrations.AlterField(
            model_name="searchevent",
            name="source_export",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vendors.vendorexport",
            ),
        ),
        migrations.AlterField(
            model_name="searchevent",
            name="vendor",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vendors.vendor",
            ),
        ),
    ]
