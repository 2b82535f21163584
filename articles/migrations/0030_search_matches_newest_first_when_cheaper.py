# PostgreSQL: the newest documents' matches read first only when finding them costs less.
#
# articles_search_matches (migration 0029) finds where the newest documents that should
# hold three times the `wanted` matches begin by reading the sort_key index down to
# there: 3 x wanted x 200 / (matches among the newest 200) entries. For a word in 1
# document of 50, at 100,000 documents, that was 75,150 entries (8.6 ms) to spare
# reading its 2,000 matches (1.9 ms): 10.5 ms against 1.9 before 0029. An entry costs
# about an eighth of a match (synthetic documents of 120 words, ms: 1 in 50 10.5 / 1.9
# newest first / every match, 1 in 20 5.6 / 4.1, 1 in 10 5.3 / 9.0), so the bound is
# now taken only when its entries and the matches after it cost less than every match.

import importlib

from django.db import migrations

FUNCTION = """
CREATE FUNCTION articles_search_matches(
    query text, condition text, walk_from float8, wanted integer
)
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
    span bigint;
    newest bigint := -9223372036854775808;
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
            -- The newest documents expected to hold three times the wanted matches
            -- (read from the sort_key index, before index scans are priced out).
            IF wanted > 0 AND sampled > 0 THEN
                span := ceil(3.0 * wanted * 200 / sampled);
                -- Only when those entries and the matches after them cost less than
                -- every match: an entry costs about an eighth of a match.
                IF span < documents
                   AND span / 8.0 + 3.0 * wanted < sampled * documents / 200.0 THEN
                    SELECT d.sort_key INTO newest FROM articles_searchdocument d
                    ORDER BY d.sort_key DESC OFFSET span LIMIT 1;
                    newest := coalesce(newest, -9223372036854775808);
                END IF;
            END IF;
            PERFORM set_config('enable_seqscan', 'off', true);
            PERFORM set_config('enable_indexscan', 'off', true);
        END IF;
    END IF;
    -- $1 in `query`: the oldest sort_key read first (search/postgresql.py).
    RETURN QUERY EXECUTE query USING newest;
END
$$
"""
DROP = "DROP FUNCTION IF EXISTS articles_search_matches(text, text, float8, integer)"


def previous():
    module = importlib.import_module("articles.migrations.0029_search_matches_newest_first")
    return module.FUNCTION


def replace(schema_editor, function):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(function)


def forward(apps, schema_editor):
    replace(schema_editor, FUNCTION)


def backward(apps, schema_editor):
    replace(schema_editor, previous())


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0029_search_matches_newest_first"),
    ]

    operations = [migrations.RunPython(forward, backward)]
