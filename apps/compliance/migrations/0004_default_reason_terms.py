from django.db import migrations


def load(apps, schema_editor):
    from apps.compliance.default_terms import DEFAULT_TERMS

    ReasonTerm = apps.get_model("compliance", "ReasonTerm")
    for term in DEFAULT_TERMS:
        ReasonTerm.objects.get_or_create(
            label=term.label,
            phrase=term.phrase,
            match=term.match,
            defaults={"unless_near": list(term.unless_near), "note": term.note},
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_default_blocklist")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
