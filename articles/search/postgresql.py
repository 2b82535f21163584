"""PostgreSQL: full-text search on each article's search document (migration 0011).

The document already holds the tokens (text.py), so the stored, weighted tsvector is
made with the "simple" configuration (no stemming or stop words of its own) and holds
exactly what SQLite's index holds. A GIN index finds the documents; ts_rank weighs title
(A) above standfirst and tags (B), headings (C) and body text (D).
"""

from django.db import connection

from . import sql, text

ARTICLE_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"  # D body, C headings, B standfirst/tags, A title
# Every prefix (words of 2 characters or more) is searched as the lexemes it starts
# when they are few (search/prefixes.py): the planner prices a GIN prefix lookup
# (`'bank':*`) above reading the whole table, and read it: "bank -fintech" at 20,000
# articles took 104 ms as a sequential scan, 8 ms through the index as `'bank'`.
EXPANDED_FROM = 2


def lexeme(token):
    return "'{}'".format(token.replace("'", "''").replace("\\", "\\\\"))


def piece(token, prefix, expanded):
    """A lexeme, or a prefix: as the whole lexemes it starts when looked up (prefixes.py;
    none: a prefix of itself, which no token starts)."""
    if not prefix:
        return lexeme(token)
    if expanded.get(token):
        return "(" + " | ".join(lexeme(t) for t in expanded[token]) + ")"
    return lexeme(token) + ":*"


def term_query(term, expanded=None):
    if term.phrase:
        variants = [" <-> ".join(lexeme(t) for t in variant) for variant in term.variants]
        return "(" + " | ".join(f"({v})" for v in variants) + ")"
    pieces = [piece(token, prefix, expanded or {}) for token, prefix in term.pieces]
    return "(" + " & ".join(pieces) + ")"


def tsquery(terms, expanded=None):
    """A to_tsquery() string: every wanted term, and not each excluded one (a phrase
    by the positions of its words: what ranks the matches)."""
    parts = [term_query(t, expanded) for t in terms if not t.exclude]
    parts += [f"!{term_query(t, expanded)}" for t in terms if t.exclude]
    return " & ".join(parts)


MAIN = "vector @@ to_tsquery('simple'::regconfig, %s)"
LINKED = "link_vector @@ %s::tsquery"  # link lexemes are taken as they are


def side_by_side(variant):
    """What the index holds of a phrase's words side by side: (its pairs of characters,
    its links: lexemes of link_vector). A phrase of two words is exactly its one pair
    or link; a longer one also needs its positions checked."""
    held = list(variant)
    pairs = [t for i, t in enumerate(held) if i and text.is_pair(t, held[i - 1])]
    units = len(held) - len(pairs)
    return pairs or ([] if units > 1 else held), text.links(held), units > 2


def condition(terms, expanded=None):
    """((SQL, params) the index answers, (SQL, params) checked after it or ("", [])):
    the documents matching every wanted term and no excluded one.

    A wanted phrase is found by the index as the documents holding its words side by
    side (its pairs of Chinese characters and its links, search/text.py `links`), not
    every document holding its words (at 100,000 articles "venture capital": 7,000
    against 89,000, each of which had to be read to check the positions). A phrase of
    three words or more, and an excluded phrase, are then checked by their positions,
    in the newest documents the index found, only until the window is full."""
    main, linked, either, either_params, checked = [], [], [], [], []
    for term in terms:
        if term.exclude:
            if term.phrase:
                checked.append(f"!{term_query(term)}")
            continue
        if not term.phrase:
            main.append(term_query(term, expanded))
            continue
        parts = [side_by_side(variant) for variant in term.variants]
        if any(longer for _, _, longer in parts):
            checked.append(term_query(term))
        if len(parts) == 1:
            main += [lexeme(pair) for pair in parts[0][0]]
            linked += parts[0][1]
            continue
        alternatives = []
        for pairs, links, _ in parts:
            both = ([MAIN] if pairs else []) + ([LINKED] if links else [])
            alternatives.append("(" + " AND ".join(both) + ")")
            either_params += [" & ".join(map(lexeme, pairs))] if pairs else []
            either_params += [" & ".join(map(lexeme, links))] if links else []
        either.append("(" + " OR ".join(alternatives) + ")")
    excluded = [f"!{term_query(t, expanded)}" for t in terms if t.exclude and not t.phrase]
    if main:  # the index answers "and not" beside what is wanted, not on its own
        main += excluded
    else:
        checked += excluded
    clauses, params = [], []
    if main:
        clauses.append(MAIN)
        params.append(" & ".join(main))
    if linked:
        clauses.append(LINKED)
        params.append(" & ".join(lexeme(link) for link in dict.fromkeys(linked)))
    found = (" AND ".join(clauses + either), params + either_params)
    return found, ((MAIN, [" & ".join(checked)]) if checked else ("", []))


# Under this fraction of documents matching, matches are found through the index (see
# matches()): the walk reads about limit / fraction vectors; the index, the list of all
# the matches, then about three times `limit` rows. At 100,000 articles (ms, under 0.2
# / under 0.4): 人工智能 (3 in 10 documents) 18.5 / 12.1, the rest alike.
WALK_FROM = 0.4
BEST_FIRST = "w.score DESC"  # ts_rank: higher is better


ORDER = " ORDER BY sort_key DESC"  # newest first (unordered: any match)
# How a match's article id and sort key are written in matches() (for the filters).
ARTICLE_ID, SORT_KEY = f"{sql.DOCUMENT}.article_id", f"{sql.DOCUMENT}.sort_key"


def ids_in(column, ids):
    """(SQL, params): `column` is one of these ids. One array parameter, written as
    PostgreSQL's own text of it: as 500 "%s" parameters, a search's topic counts took
    3.8 ms, 1.6 as a list that psycopg adapts (100,000 articles); the query with 500 ids
    as text takes 0.67 ms from the client against 1.31 as a list (24,000 articles)."""
    return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(str(int(i)) for i in ids) + "}"]


# Ends a filter's subquery (a topic, a language) so that it stays one, tested on each
# match in turn: as a join, the planner read every article of the topic first and each
# one's document ("bank", topic fintech, 2024, at 100,000 articles: 466 ms, 29 kept apart).
APART = " OFFSET 0"


def matches(
    terms, limit, where="", where_params=(), scored=True, ordered=True, expanded=None, keys=None
):
    """(SQL, params) of the `limit` newest matching documents that also meet `where` and
    whose sort keys are within `keys` (lowest, highest + 1), as (sort_key, article_id,
    score). Scored after the limit: the rank reads each document's whole vector.

    The documents are found one of two ways (articles_search_matches, migrations 0026
    and 0029): when the planner expects fewer than WALK_FROM of them to match, through
    the full-text index alone; otherwise by walking the documents newest first, testing
    each one's vector, until `limit` match. Left to itself the planner always walks, as
    its cost model does not count reading the vectors. Through the index, an unfiltered
    search first reads the matches among the newest documents that should hold three
    times `limit` (from sort_key $1, which the function works out when that costs less
    than reading every match), and older ones only when those are too
    few. At 100,000 articles on a busy 2-core machine (ms,
    walk / index / chosen): 香港 37 / 19 / 15 (then 5 with the newest first), "bank
    -fintech" 237 / 26 / 28, "venture capital" 226 / 12 / 22, "香港 人工智能" 44 / 19 /
    29, "regulation" 13 / 26 / 4, "model" 4 / 47 / 6.
    """
    (found, found_params), (check, check_params) = condition(terms, expanded)
    if keys:  # part of what the function samples and estimates
        found = f"{found} AND {sql.DOCUMENT}.sort_key >= %s AND {sql.DOCUMENT}.sort_key < %s"
        found_params = [*found_params, *keys]
    also = f" AND {where}" if where else ""
    order = ORDER if ordered else ""

    def candidates(newest):
        query = f"SELECT sort_key, article_id, vector FROM {sql.DOCUMENT} WHERE {found}{also}"
        query += f" AND {sql.DOCUMENT}.sort_key {newest} $1"
        if check:  # the newest candidates first, checked one by one until `limit` pass
            query = f"SELECT * FROM ({query}{order} OFFSET 0) c WHERE {check}"
        return f"{query}{order} LIMIT %s", [*found_params, *where_params, *check_params, limit]

    picked, params = candidates(">=")
    wanted = limit if ordered and not where else 0
    if wanted:  # the older documents only when the newest hold too few matches
        older, older_params = candidates("<")
        picked = (
            f"WITH newest AS MATERIALIZED ({picked}) SELECT * FROM newest UNION ALL "
            f"SELECT * FROM ({older}) older WHERE (SELECT count(*) FROM newest) < %s"
        )
        picked = f"SELECT * FROM ({picked}) picked{order} LIMIT %s"
        params += [*older_params, limit, limit]
    score = f"ts_rank('{ARTICLE_WEIGHTS}'::float4[], d.vector, q.query)" if scored else "0::real"
    query = (
        f"SELECT d.sort_key, d.article_id, {score} AS score FROM ({picked}) d, "
        "to_tsquery('simple'::regconfig, %s) q(query)"
    )
    params.append(tsquery(terms, expanded))
    compose = connection.ops.compose_sql
    return (
        "SELECT * FROM articles_search_matches(%s, %s, %s::float8, %s)",
        [compose(query, params), compose(found, found_params), WALK_FROM, wanted],
    )


def articles_of(article_id, published):
    """The join of the ranked matches to their published articles `a`: one primary key
    lookup per match (OFFSET 0 keeps the subquery from being flattened). As a plain join
    the planner hashed every published article first: 4-12 ms at 20,000 articles and
    growing with them, against 1 ms for the 500 lookups."""
    return (
        "CROSS JOIN LATERAL (SELECT a.id, a.published_at FROM articles_article a "
        f"WHERE a.id = {article_id} AND {published} OFFSET 0) a"
    )


def optimize():
    sql.execute(f"ANALYZE {sql.DOCUMENT}")
