from django.db import migrations


def load(apps, schema_editor):
    from apps.compliance.rulebook import RULES

    Rule = apps.get_model("compliance", "Rule")
    # The rulebook is read as it is today: only the fields the rule had at this point.
    fields = {field.name for field in Rule._meta.get_fields()}
    for rule in RULES:
        values = {key: value for key, value in rule.items() if key in fields}
        Rule.objects.update_or_create(code=rule["code"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
