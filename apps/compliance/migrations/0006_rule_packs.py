import django.db.models.deletion
from django.db import migrations, models


def packs_load(apps, schema_editor):
    """Illinois' pack takes today's rules as they stand (their ids, so their history,
    unchanged); California's and Virginia's are loaded from the rulebook."""
    from apps.compliance.rulebook import PACKS

    RulePack = apps.get_model("compliance", "RulePack")
    Rule = apps.get_model("compliance", "Rule")
    for spec in PACKS:
        pack, _ = RulePack.objects.get_or_create(
            state=spec["state"], defaults={"name": spec["name"], "basis": spec["basis"]}
        )
        if spec["state"] == "IL":
            Rule.objects.filter(pack__isnull=True).update(pack=pack)
            continue
        # The rulebook is read as it is today: only the fields the rule has at this point.
        fields = {field.name for field in Rule._meta.get_fields()}
        for rule in spec["rules"]:
            values = {key: value for key, value in rule.items() if key in fields}
            Rule.objects.get_or_create(pack=pack, code=rule["code"], defaults=values)
    # The new rows' foreign keys are checked now, not at commit: the column is altered next.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def packs_unload(apps, schema_editor):
    """Back to one rule set: the other states' rules and every pack go, Illinois' rules
    stay (with their ids and history) without a pack, so `code` can be unique again."""
    RulePack = apps.get_model("compliance", "RulePack")
    Rule = apps.get_model("compliance", "Rule")
    Rule.objects.exclude(pack__state="IL").delete()
    Rule.objects.update(pack=None)
    RulePack.objects.all().delete()
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("compliance", "0005_blocklistentry_updated_at")]

    operations = [
        migrations.CreateModel(
            name="RulePack",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(help_text="Two-letter state code", max_length=2, unique=True),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "basis",
                    models.TextField(
                        help_text="The statute the pack rests on: citation and what it says"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"ordering": ["state"]},
        ),
        migrations.AddField(
            model_name="rule",
            name="pack",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rules",
                to="compliance.rulepack",
            ),
        ),
        migrations.AlterField(
            model_name="rule", name="code", field=models.CharField(max_length=40)
        ),
        migrations.RunPython(packs_load, packs_unload),
        migrations.AlterField(
            model_name="rule",
            name="pack",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rules",
                to="compliance.rulepack",
            ),
        ),
        migrations.AlterModelOptions(name="rule", options={"ordering": ["pack__state", "code"]}),
        migrations.AddConstraint(
            model_name="rule",
            constraint=models.UniqueConstraint(
                fields=("pack", "code"), name="rule_code_once_per_pack"
            ),
        ),
    ]
