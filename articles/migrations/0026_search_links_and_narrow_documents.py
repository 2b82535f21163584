# PostgreSQL: search documents narrow enough for the index to find them fast, the links
# of quoted phrases, and a way to ask for matches through the index alone. SQLite: a
# column left empty.
#
# A phrase's words side by side: the index knew only which documents hold its words,
# and each of those was read to check their positions ("venture capital" at 100,000
# articles: 89,000 documents hold both words, 7,000 the phrase). `link_vector` holds
# each document's links (search/text.py), so the index finds the 7,000.
#
# The planner answered "the newest matches" by walking the documents newest first and
# testing each one's whole vector (several kilobytes, read out of line): at 100,000
# articles, 香港 (15,000 matches) took 30-45 ms, "bank -fintech" 125 ms, against 6 and
# 20 ms through the full-text index (all matches, then the newest), while for a word in
# most documents the walk is the faster (10 ms against 86 for "regulation"). Its cost
# model does not count reading the vectors, so `articles_search_matches` makes the
# choice from the planner's own estimate of how many documents match
# (articles/search/postgresql.py).
#
# With every text and the vector in the row, each document took a 450-byte row and a
# bitmap scan of 15,000 matches read 5,200 pages (116 ms); moved out of line
# (toast_tuple_target), the rows take 15 MB in all instead of 43 and the same scan 14 ms.

from django.db import migrations, models

POSTGRESQL = [
    "ALTER TABLE articles_searchdocument SET (toast_tuple_target = 128)",
    # The links of quoted phrases (search/text.py `links`), lexemes as they are; the
    # next migrate writes them (search.index_format()).
    "ALTER TABLE articles_searchdocument ADD COLUMN link_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(coalesce(links, ''), E'\\n'))) STORED",
    "CREATE INDEX articles_searchdocument_links ON articles_searchdocument "
    "USING gin (link_vector) WITH (fastupdate = off)",
    # Rewrite the rows that exist now (new ones are written narrow).
    "VACUUM FULL articles_searchdocument",
    # The fraction of documents `condition` matches, as the planner estimates it (from the
    # statistics ANALYZE keeps of the most common words) and, when that is under
    # `walk_from`, as found in the 200 newest; then `query`, run with sequential and
    # index scans priced out when both are under it.
    # The SET clauses put every setting back when the function returns.
    """
    CREATE FUNCTION articles_search_matches(query text, condition text, walk_from float8)
    RETURNS TABLE (sort_key bigint, article_id bigint, score real)
    LANGUAGE plpgsql
    SET enable_seqscan = on
    SET enable_indexscan = on
    SET max_parallel_workers_per_gather = 0
    AS $$
    DECLARE
        plan json;
        documents float8;
        sampled integer;
    BEGIN
        SELECT reltuples INTO documents FROM pg_class
        WHERE oid = 'articles_searchdocument'::regclass;
        EXECUTE 'EXPLAIN (FORMAT JSON) SELECT 1 FROM articles_searchdocument WHERE ' || condition
        INTO plan;
        IF documents <= 0 OR (plan->0->'Plan'->>'Plan Rows')::float8 < walk_from * documents
        THEN
            -- The estimate multiplies each word's share, as if words came independently:
            -- it put 人工智能 (pairs that come together) in 2 documents of 100, against
            -- 28 found. The newest documents say how many match before it is trusted.
            EXECUTE 'SELECT count(*) FROM (SELECT vector, link_vector FROM '
                    'articles_searchdocument ORDER BY sort_key DESC LIMIT 200) '
                    'articles_searchdocument WHERE ' || condition INTO sampled;
            IF sampled < walk_from * 200 THEN
                PERFORM set_config('enable_seqscan', 'off', true);
                PERFORM set_config('enable_indexscan', 'off', true);
            END IF;
        END IF;
        RETURN QUERY EXECUTE query;
    END
    $$
    """,
]
POSTGRESQL_UNDO = [
    "DROP FUNCTION IF EXISTS articles_search_matches(text, text, float8)",
    "ALTER TABLE articles_searchdocument DROP COLUMN IF EXISTS link_vector",
    "ALTER TABLE articles_searchdocument RESET (toast_tuple_target)",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    # VACUUM cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("articles", "0025_translation_links_locked"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="links",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(run(POSTGRESQL), run(POSTGRESQL_UNDO)),
    ]
