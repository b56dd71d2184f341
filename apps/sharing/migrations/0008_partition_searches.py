# The searches table becomes a partitioned table, RANGE on searched_at, one partition per
# calendar month (UTC bounds) and a DEFAULT partition for the rest (apps/sharing/
# partitions.py keeps the months). Nothing references the table by foreign key, and its
# primary key and unique constraint already include searched_at, so the model and Django's
# state stay as they are.
#
# Both directions rebuild the table the same way: a new table LIKE the old one, its rows
# copied, the old one dropped, the new one renamed, then the old one's primary key, unique
# constraints, foreign keys and indexes replayed on it from the catalog under their own
# names. Declared on a partitioned table, each of them reaches every partition, including
# those created later. The id sequence is detached from the old table first, so dropping
# it keeps the numbering. The months created are those the existing rows need, plus the
# current one and three ahead (the daily beat job creates the rest).

from django.db import migrations

REBUILD = """
DO $rebuild$
DECLARE
    definitions text[];
    statement text;
    month timestamp;
BEGIN
    LOCK TABLE sharing_searchevent IN ACCESS EXCLUSIVE MODE;
    -- Table constraints first (the primary key before the foreign keys), then the
    -- indexes that no constraint owns. "ON ONLY" is how a partitioned table's index
    -- reads back; replayed on the parent, the plain form reaches every partition.
    SELECT array_agg(definition ORDER BY step, name) INTO definitions FROM (
        SELECT 1 AS step, conname AS name, format(
            'ALTER TABLE sharing_searchevent ADD CONSTRAINT %%I %%s',
            conname, pg_get_constraintdef(oid)) AS definition
        FROM pg_constraint
        WHERE conrelid = 'sharing_searchevent'::regclass AND contype IN ('p', 'u', 'f')
        UNION ALL
        SELECT 2, c.relname, replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ')
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'sharing_searchevent'::regclass AND NOT EXISTS (
            SELECT 1 FROM pg_constraint k
            WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid)
    ) replayed;
    ALTER SEQUENCE sharing_searchevent_id_seq OWNED BY NONE;
    CREATE TABLE sharing_searchevent_rebuilt (
        LIKE sharing_searchevent INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE
    ) %(partition_by)s;
    IF %(partitioned)s THEN
        CREATE TABLE sharing_searchevent_default
            PARTITION OF sharing_searchevent_rebuilt DEFAULT;
        FOR month IN
            SELECT date_trunc('month', searched_at AT TIME ZONE 'UTC') FROM sharing_searchevent
            UNION
            SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => n)
            FROM generate_series(0, 3) n
        LOOP
            EXECUTE format(
                'CREATE TABLE %%I PARTITION OF sharing_searchevent_rebuilt'
                ' FOR VALUES FROM (%%L) TO (%%L)',
                'sharing_searchevent_' || to_char(month, '"y"YYYY"m"MM'),
                month::text || '+00', (month + interval '1 month')::text || '+00');
        END LOOP;
    END IF;
    INSERT INTO sharing_searchevent_rebuilt SELECT * FROM sharing_searchevent;
    DROP TABLE sharing_searchevent;
    ALTER TABLE sharing_searchevent_rebuilt RENAME TO sharing_searchevent;
    ALTER SEQUENCE sharing_searchevent_id_seq OWNED BY sharing_searchevent.id;
    FOREACH statement IN ARRAY coalesce(definitions, '{}') LOOP
        EXECUTE statement;
    END LOOP;
END
$rebuild$;
ANALYZE sharing_searchevent;
"""

PARTITION = REBUILD % {"partition_by": "PARTITION BY RANGE (searched_at)", "partitioned": "true"}
UNPARTITION = REBUILD % {"partition_by": "", "partitioned": "false"}


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0007_list_indexes"),
    ]

    operations = [
        migrations.RunSQL(PARTITION, reverse_sql=UNPARTITION, elidable=False),
    ]
