"""pg_trgm, and trigram indexes on agency names and spellings.

The search boxes match words with regular expressions (`~*`) on `Agency.name` and
`AgencyAlias.alias`. The review queue proposes look-alikes by similarity (`%`) of a
name's core: the normalised name without the state of an alias's key ("IL|...") and
without the words that only say what kind of agency it is, which every town's police
department shares. pg_trgm's GIN indexes serve both
(https://www.postgresql.org/docs/current/pgtrgm.html#PGTRGM-INDEX).

To change those words, replace the function in a new migration and rebuild the two
`*_name_core_trgm` indexes.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

KIND_WORDS = (
    "police department sheriffs office county city village town township state district "
    "attorney highway patrol us of the and"
).split()

# PL/pgSQL, with a high COST: PostgreSQL would inline a plain SQL function and price its
# regular expressions as cheap, then scan every agency instead of using the index.
NAME_CORE = rf"""
CREATE FUNCTION agency_name_core(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000
AS $$ BEGIN
    RETURN btrim(regexp_replace(regexp_replace(name, '^[^|]*\|', ''),
                                '\m({"|".join(KIND_WORDS)})\M', '', 'g'));
END $$
"""


def name_core(field: str) -> OpClass:
    core = models.Func(
        models.F(field), function="agency_name_core", output_field=models.TextField()
    )
    return OpClass(core, name="gin_trgm_ops")


class Migration(migrations.Migration):
    dependencies = [("agencies", "0002_federal_immigration_components")]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(NAME_CORE, "DROP FUNCTION agency_name_core(text)"),
        migrations.AddIndex(
            model_name="agency",
            index=GinIndex(name="agency_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
        ),
        migrations.AddIndex(
            model_name="agency",
            index=GinIndex(name_core("normalized_name"), name="agency_name_core_trgm"),
        ),
        migrations.AddIndex(
            model_name="agencyalias",
            index=GinIndex(name="alias_alias_trgm", fields=["alias"], opclasses=["gin_trgm_ops"]),
        ),
        migrations.AddIndex(
            model_name="agencyalias",
            index=GinIndex(name_core("normalized"), name="alias_name_core_trgm"),
        ),
    ]
