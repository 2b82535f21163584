# PostgreSQL: a search with thousands of matches reads only the newest documents' rows.
#
# When few enough documents match, articles_search_matches (migration 0026) asked the
# full-text index for all of them and then took the newest: 香港 at 100,000 articles
# read 15,300 rows (2,331 pages) for the 501 newest, 10-15 ms. The newest 200 documents
# it already counts tell what share match, so it now asks first for the matches among
# the newest documents that should hold three times the `wanted` (a range of sort_key,
# which the planner ANDs with the index's answer: 1,530 rows, 234 pages, 1.7 ms). The
# query itself (search/postgresql.py) reads older documents only when those are too
# few, so the answer is the same either way.
#
# Where those newest documents begin is found by reading the sort_key index down to
# there: 3 x wanted x 200 / (matches among the newest 200) entries. For a word in 1
# document of 50, at 100,000 documents, that was 75,150 entries (8.6 ms) to spare
# reading its 2,000 matches (1.9 ms). An entry costs about an eighth of a match
# (synthetic documents of 120 words, ms newest first / every match: 1 in 50 10.5 / 1.9,
# 1 in 20 5.6 / 4.1, 1 in 10 5.3 / 9.0), so the bound is taken only when its entries
# and the matches after it cost less than every match.

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
        EXECUTE 'SELECT count(*) FROM (SELECT sort_key, vector, link_vector FROM '
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
    module = importlib.import_module("articles.migrations.0026_search_links_and_narrow_documents")
    return module.POSTGRESQL[-1]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS articles_search_matches(text, text, float8)")
        schema_editor.execute(FUNCTION)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(previous())


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0028_topic_month_counts"),
    ]

    operations = [migrations.RunPython(forward, backward)]
