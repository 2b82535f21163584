"""How text is prepared for the index and how queries are turned into terms.

Chinese has no spaces between words, so every CJK character becomes a word of its own
in the index; a Chinese query then matches as a phrase of characters: 香港 finds
"香港AI" wherever it stands. The same function prepares the index and the queries.
"""

import re

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
QUERY_SYNTAX = re.compile(r'["*()^:{}\[\]+\x00-\x1f\x7f]')


def normalize(text):
    """Text as the index holds it: each CJK character spaced out as its own word."""
    return " ".join(CJK.sub(r" \1 ", text or "").split())


def terms_of(query):
    """The words of a query: whitespace-separated; quotes, search syntax and control
    characters (which PostgreSQL text cannot hold) dropped; repeats dropped."""
    words = QUERY_SYNTAX.sub(" ", query[:MAX_QUERY_LENGTH]).split()
    unique = {}
    for word in words:
        unique.setdefault(word.casefold(), word)
    return list(unique.values())[:MAX_TERMS]
