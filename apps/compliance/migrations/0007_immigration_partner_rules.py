from django.db import migrations

CODES = ("IMMIGRATION_PARTNER_GRANT", "IMMIGRATION_PARTNER_SEARCH")


def rules_add(apps, schema_editor):
    """Illinois' pack gains the two rules on ICE's 287(g) partners. A database migrated
    from scratch already has them (0002 loads the rulebook, 0006 gives it to Illinois):
    an existing rule is left as an administrator may have changed it."""
    from apps.compliance.rulebook import RULES

    RulePack = apps.get_model("compliance", "RulePack")
    Rule = apps.get_model("compliance", "Rule")
    pack = RulePack.objects.filter(state="IL").first()
    if pack is None:
        return
    # The rulebook is read as it is today: only the fields the rule has at this point.
    fields = {field.name for field in Rule._meta.get_fields()}
    for rule in RULES:
        if rule["code"] in CODES:
            values = {key: value for key, value in rule.items() if key in fields}
            Rule.objects.get_or_create(pack=pack, code=rule["code"], defaults=values)


def rules_remove(apps, schema_editor):
    Rule = apps.get_model("compliance", "Rule")
    Rule.objects.filter(pack__state="IL", code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0006_rule_packs")]

    operations = [migrations.RunPython(rules_add, rules_remove)]
