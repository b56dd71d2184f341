from django.db import migrations


def load(apps, schema_editor):
    from apps.compliance.rulebook import RULES

    Rule = apps.get_model("compliance", "Rule")
    for rule in RULES:
        Rule.objects.update_or_create(code=rule["code"], defaults=rule)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
