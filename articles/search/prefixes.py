"""A query word that matches from its start, searched as the whole tokens it starts.

`cyber` matches every token starting with "cyber". FTS5 answers such a prefix from its
prefix indexes up to 4 characters; a longer one it answers by reading and merging the
whole list of documents of every token it starts, before the first match is returned
(and bm25 then counts them all again). At 100,000 articles on SQLite, the newest 501
matches of "regul"* took 12-16 ms, of "regul" as a token 0.1 ms; ranked, 52 ms
against 11 (the figures of `"drone"* AND "elder"*`: 57 against 17). So a prefix of 5
characters or more is looked up in SearchToken (every token of the documents other
than Chinese, written with them) and searched as those tokens, OR'ed: the same
documents. A prefix starting more than MAX_TOKENS tokens keeps its prefix query. Both
engines search the same way, so they still find the same articles (PostgreSQL: the
same lexemes, `|`'ed).
"""

from django.db.models import Q

from ..models import SearchToken
from .text import is_cjk

SHORTEST = 5  # shorter prefixes have FTS5 prefix indexes (migration 0011)
MAX_TOKENS = 32


def after(prefix):
    """The first string after every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def expansions(terms, shortest=SHORTEST):
    """{prefix: (tokens, ...)} for the query's prefixes of `shortest` characters or more
    that start at most MAX_TOKENS tokens (none: an empty tuple; the engines then search
    the prefix, which finds nothing); one query, none when the query has no such prefix."""
    wanted = {
        token
        for term in terms
        if not term.phrase
        for token, prefix in term.pieces
        if prefix and len(token) >= shortest
    }
    if not wanted:
        return {}
    near = Q()
    for prefix in wanted:
        near |= Q(token__gte=prefix, token__lt=after(prefix))
    found = {prefix: [] for prefix in wanted}
    # All of them (a prefix of 5 characters starts a few hundred tokens at most): a list
    # cut short would miss documents.
    for token in SearchToken.objects.filter(near).values_list("token", flat=True):
        for prefix in wanted:
            if token.startswith(prefix):
                found[prefix].append(token)
    return {prefix: tuple(tokens) for prefix, tokens in found.items() if len(tokens) <= MAX_TOKENS}


def impossible(terms, expanded):
    """True when a wanted word starts no token at all (a misspelling): no document can
    match, and the index need not be asked. Asked anyway, PostgreSQL answered
    "regulatoin":* by reading every document (a sequential scan: 147 ms at 20,000
    articles), as its planner prices a prefix's index lookup above the whole table."""
    return any(
        prefix and expanded.get(token) == ()
        for term in terms
        if not term.exclude and not term.phrase
        for token, prefix in term.pieces
    )


def tokens_of(documents):
    """The tokens other than Chinese of these documents' fields (for SearchToken)."""
    found = set()
    for fields in documents:
        for column in ("title", "standfirst", "headings", "body", "tags"):
            found.update(token for token in fields[column].split() if not is_cjk(token))
    return found


def remember(tokens):
    if tokens:
        SearchToken.objects.bulk_create(
            [SearchToken(token=token) for token in sorted(tokens)],
            ignore_conflicts=True,
            batch_size=500,
        )
