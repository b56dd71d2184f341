"""The default blocklist: the federal immigration components (ICE, ERO, HSI, CBP, Border
Patrol, USCIS, DHS) seeded in the agency directory, plus name patterns for their
offices that no agency row may exist for yet."""

from django.db import migrations

CITATION = "625 ILCS 5/2-130(b)(2); 5 ILCS 805/15 (Illinois TRUST Act)"
REASON = (
    "Federal immigration component. The Secretary of State treats its access to Illinois "
    "ALPR data as a violation of 2-130(b)(2) read with the TRUST Act."
)
NAME_PATTERNS = [
    (r"^(us )?(dhs )?(ice|ero|hsi|cbp|usbp|uscis)\b", "Offices of the immigration components"),
    (r"\bborder patrol\b", "Border Patrol sectors and stations"),
    (r"\bimmigration and customs enforcement\b", "ICE under its full name"),
]


def load(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    BlocklistEntry = apps.get_model("compliance", "BlocklistEntry")
    for agency in Agency.objects.filter(tags__contains=["immigration"]):
        BlocklistEntry.objects.get_or_create(
            agency=agency, defaults={"reason": REASON, "citation": CITATION}
        )
    for pattern, note in NAME_PATTERNS:
        BlocklistEntry.objects.get_or_create(
            name_pattern=pattern, defaults={"reason": f"{REASON} ({note})", "citation": CITATION}
        )
    BlocklistEntry.objects.get_or_create(
        ori_pattern=r"^VTICE", defaults={"reason": f"{REASON} (ICE ORIs)", "citation": CITATION}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_rulebook"),
        ("agencies", "0002_federal_immigration_components"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
