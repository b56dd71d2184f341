from django.db import migrations

VENDORS = [
    ("flock", "Flock Safety"),
    ("motorola", "Motorola Solutions (Vigilant)"),
    ("other", "Other vendor (portal template)"),
]


def add_vendors(apps, schema_editor):
    Vendor = apps.get_model("vendors", "Vendor")
    for slug, name in VENDORS:
        Vendor.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("vendors", "0001_initial")]

    operations = [migrations.RunPython(add_vendors, migrations.RunPython.noop)]
