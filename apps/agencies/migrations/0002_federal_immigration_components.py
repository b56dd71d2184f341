"""The federal immigration components the state treats as off limits (DOMAIN: ICE, ERO,
HSI, CBP, Border Patrol, USCIS, DHS), with the spellings vendors use for their offices.

Patterns run on normalised names (see apps.agencies.naming); lower priority first, so
an office (HSI, Border Patrol) wins over its parent (ICE, CBP, DHS).
"""

from django.db import migrations

COMPONENTS = [
    # key, name, parent key, ORI, aliases, (priority, pattern)...
    (
        "ice",
        "U.S. Immigration and Customs Enforcement",
        None,
        "VTICE0900",
        ["ICE", "Immigration and Customs Enforcement", "ICE ERO", "ERO",
         "Enforcement and Removal Operations", "ICE LESC", "Law Enforcement Support Center"],
        [(20, r"^(us )?(dhs )?ice\b"), (20, r"^(us )?(dhs )?(ice )?ero\b"),
         (20, r"^(us )?immigration and customs enforcement\b"),
         (20, r"^enforcement and removal operations\b")],
    ),
    (
        "hsi",
        "Homeland Security Investigations",
        "ice",
        None,
        ["HSI", "DHS HSI", "ICE HSI"],
        [(10, r"^(us )?(dhs |ice )?hsi\b"), (10, r"^homeland security investigations\b")],
    ),
    (
        "cbp",
        "U.S. Customs and Border Protection",
        None,
        None,
        ["CBP", "Customs and Border Protection"],
        [(20, r"^(us )?(dhs )?cbp\b"), (20, r"^(us )?customs and border protection\b")],
    ),
    (
        "usbp",
        "U.S. Border Patrol",
        "cbp",
        None,
        ["USBP", "Border Patrol"],
        [(10, r"^(us )?(cbp )?(usbp|border patrol)\b"), (10, r"\bsector border patrol\b")],
    ),
    (
        "uscis",
        "U.S. Citizenship and Immigration Services",
        None,
        None,
        ["USCIS", "Citizenship and Immigration Services"],
        [(20, r"^(us )?(dhs )?uscis\b"), (20, r"^(us )?citizenship and immigration services\b")],
    ),
    (
        "dhs",
        "U.S. Department of Homeland Security",
        None,
        None,
        ["DHS", "Department of Homeland Security", "Homeland Security"],
        [(90, r"^(us )?dhs$"), (90, r"^(us )?department of homeland security$")],
    ),
]


def load(apps, schema_editor):
    from apps.agencies.naming import parse_agency_name

    Agency = apps.get_model("agencies", "Agency")
    AgencyAlias = apps.get_model("agencies", "AgencyAlias")
    AgencyNamePattern = apps.get_model("agencies", "AgencyNamePattern")
    created = {}
    for key, name, parent, ori, aliases, patterns in COMPONENTS:
        parsed = parse_agency_name(name)
        agency = Agency.objects.create(
            name=name,
            normalized_name=parsed.normalized,
            state="",
            ori=ori,
            level="federal",
            tags=["federal", "immigration"],
            parent=created.get(parent),
            is_confirmed=True,
        )
        created[key] = agency
        for alias in [name, *aliases]:
            AgencyAlias.objects.get_or_create(
                normalized=parse_agency_name(alias).match_key,
                defaults={"agency": agency, "alias": alias},
            )
        for priority, pattern in patterns:
            AgencyNamePattern.objects.create(
                agency=agency, pattern=pattern, priority=priority, note="Federal directory"
            )


def unload(apps, schema_editor):
    apps.get_model("agencies", "Agency").objects.filter(tags__contains=["immigration"]).delete()


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
