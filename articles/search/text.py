"""How text is prepared for the index and how queries are turned into terms.

Simplified and Traditional Chinese are the same to a reader, so text and queries are
first written in one script with OpenCC. The index holds the text in Simplified
characters (Hong Kong variants included) and, after it, each run of Chinese whose
mainland wording differs, in that wording (人工智慧 also as 人工智能, 網路 as 网络).
A query is converted to the mainland wording alone, which the index holds for every
text: 人工智慧, 人工智能 and 香港人工智慧 find each other. Both forms are indexed
because rewording alone changes whole words: "資訊科技" becomes "信息技术", which
would hide it from a search for 科技.

Chinese has no spaces between words, so every CJK character then becomes a word of
its own in the index; a Chinese query matches as a phrase of characters: 香港 finds
"香港AI" wherever it stands. The same functions prepare the index and the queries.
"""

import functools
import re

import opencc

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
QUERY_SYNTAX = re.compile(r'["*()^:{}\[\]+\x00-\x1f\x7f]')
# OpenCC configurations, by what they do to Traditional text.
TO_SIMPLIFIED = "hk2s"  # Simplified characters, Hong Kong variants included
TO_STANDARD = "hk2t"  # Hong Kong variant characters to OpenCC's standard ones
TO_MAINLAND = "tw2sp"  # Simplified characters and mainland wording
TO_TRADITIONAL = ("s2hk", "s2tw", "s2twp")  # Hong Kong, Taiwan, Taiwan wording


@functools.cache
def converter(config):
    return opencc.OpenCC(config)


def load_converters():
    """Load every OpenCC dictionary now (60 ms): servers call this when they start, so
    that no reader's search waits for it (see hkai_site/wsgi.py)."""
    for config in (TO_SIMPLIFIED, TO_STANDARD, TO_MAINLAND, *TO_TRADITIONAL):
        converter(config)


def convert(text, config):
    return converter(config).convert(text)


def characters(text):
    """Text in Simplified characters, words unchanged."""
    return convert(text, TO_SIMPLIFIED)


def wording(text):
    """Text in Simplified characters and mainland wording."""
    return convert(convert(text, TO_STANDARD), TO_MAINLAND)


def simplified(text):
    """Text in Simplified characters, then each run of Chinese whose mainland
    wording differs, in that wording."""
    plain = characters(text)
    if wording(text) == plain:  # no Chinese, or nothing reworded
        return plain
    reworded = []
    for run in CJK_RUN.findall(text):
        mainland = wording(run)
        if mainland != characters(run):
            reworded.append(mainland)
    return " ".join([plain, *reworded])


def space_cjk(text):
    return " ".join(CJK.sub(r" \1 ", text).split())


def normalize(text):
    """Text as the index holds it: in Simplified (see above), each CJK character
    spaced out as its own word."""
    text = text or ""
    if not CJK.search(text):  # no Chinese: nothing for OpenCC to do (most sections)
        return " ".join(text.split())
    return space_cjk(simplified(text))


def query_form(term):
    """A query word as the index holds it (人工智慧 → 人 工 智 能)."""
    return space_cjk(wording(term))


def spellings(term):
    """The term as written in either script or wording, longest first: to mark
    matches in stored text, which keeps the editor's script."""
    simple = {characters(term), wording(term)}
    traditional = {convert(form, config) for form in simple for config in TO_TRADITIONAL}
    return sorted({term, *simple, *traditional}, key=lambda variant: (-len(variant), variant))


def terms_of(query):
    """The words of a query: whitespace-separated; quotes, search syntax and control
    characters (which PostgreSQL text cannot hold) dropped; repeats dropped."""
    words = QUERY_SYNTAX.sub(" ", query[:MAX_QUERY_LENGTH]).split()
    unique = {}
    for word in words:
        unique.setdefault(word.casefold(), word)
    return list(unique.values())[:MAX_TERMS]
