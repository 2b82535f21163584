"""How text is prepared for the index and how queries are turned into terms.

Simplified and Traditional Chinese are the same to a reader, so text and queries are
first written in one script with OpenCC. The index holds the text in Simplified
characters (Hong Kong variants included) and, after it, each run of Chinese whose
mainland wording differs, in that wording (人工智慧 also as 人工智能, 網路 as 网络).
A query is converted to the mainland wording alone, which the index holds for every
text: 人工智慧, 人工智能 and 香港人工智慧 find each other. Both forms are indexed
because rewording alone changes whole words: "資訊科技" becomes "信息技术", which
would hide it from a search for 科技.

Chinese has no spaces between words, so the index holds every CJK character and every
pair of neighbouring characters (see `tokens`): 香港 finds "香港AI" wherever it stands.
The same functions prepare the index and the queries.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

import opencc
import snowballstemmer

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
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


# Tokens: what both engines index and match, made here so that SQLite and PostgreSQL
# see exactly the same words (their own tokenizers and stemmers differ). Text is folded
# (case, width, accents), English words are stemmed (Snowball's English, as PostgreSQL's
# own "english" configuration: "innovations" and "innovation" are both "innov"), and a
# run of Chinese becomes each character followed by the pair it starts (香港人 → 香 香港
# 港 港人 人). A two-character word is then one token, found without reading positions;
# a phrase of characters is still a phrase of tokens.
WORD = re.compile(r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TOKEN = re.compile(rf"{CJK_RUN.pattern}|{WORD.pattern}")
MAX_TOKEN = 60  # characters; PostgreSQL ignores words over 2,047 bytes, SQLite does not
STEMMER = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=100_000)
def stem(word):
    return STEMMER.stemWord(word)


def fold(text):
    """Case, width and accents folded: "Ｃafé" → "cafe"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def is_cjk(token):
    return bool(CJK.match(token))


def tokens(text):
    """The index's tokens of `text` (already in one script), in order."""
    found = []
    for match in TOKEN.finditer(fold(text)):
        token = match[0]
        if is_cjk(token):
            for i, character in enumerate(token):
                found.append(character)
                if i + 1 < len(token):
                    found.append(token[i : i + 2])
        else:
            found.append(stem(token[:MAX_TOKEN]))
    return found


def is_pair(token, before):
    """Whether `token` is the pair of Chinese characters that the character `before`
    starts, where tokens() put it: inside a run of Chinese."""
    return len(token) == 2 and is_cjk(token) and token[0] == before


def links(held):
    """The neighbouring words of a field's tokens (`held`: the index's tokens in order)
    that no token of theirs joins, each as "word word": English words side by side,
    English beside Chinese, and Chinese on either side of a break (a space, a line,
    punctuation). Inside a run of Chinese, each pair of neighbours is a token already.
    With them, PostgreSQL finds a quoted phrase through its index, as documents holding
    these words side by side, rather than by reading every document holding its words
    to check their positions (search/postgresql.py)."""
    # Words and single characters; whether a pair token joins each to the next.
    units, joined = [], []
    for i, token in enumerate(held):
        if i and is_pair(token, held[i - 1]):
            joined[-1] = True
            continue
        units.append(token)
        joined.append(False)
    return [
        f"{first} {second}"
        for first, second, pair in zip(units, units[1:], joined, strict=False)
        if not pair
    ]


def normalize(text):
    """Text as the index holds it: its tokens (see above), from its Simplified form
    with mainland rewordings added (see the top of this module), joined by spaces."""
    text = text or ""
    if CJK.search(text):  # OpenCC only where there is Chinese (a minority of sections)
        text = simplified(text)
    return " ".join(tokens(text))


# Queries: words, "quoted phrases" and -exclusions.

QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Term:
    """One part of a query. A word matches any word starting with it, in any form
    (`cyber` finds "cybersecurity", `innovations` "innovation"); its Chinese matches
    as pairs of characters anywhere (`人工智能`: 人工, 工智 and 智能). A phrase
    matches its words in order, whole. An excluded term removes the articles holding it."""

    text: str  # as typed, for highlighting
    phrase: bool = False
    exclude: bool = False

    @functools.cached_property
    def pieces(self):
        """A word's tokens that must all appear, as (token, prefix): the pairs of its
        Chinese (or a lone character), its other words by prefix but the shortest."""
        found = []
        for match in TOKEN.finditer(fold(wording(self.text))):
            token = match[0]
            if is_cjk(token):
                pairs = [token[i : i + 2] for i in range(len(token) - 1)] or [token]
                found += [(pair, False) for pair in pairs]
            else:
                found.append((stem(token[:MAX_TOKEN]), len(token) > 1 and not self.exclude))
        return list(dict.fromkeys(found))

    @functools.cached_property
    def variants(self):
        """A phrase's token sequences, any of which matches: Chinese on either side of a
        space also matches written together (`"香港 人工智能"`: "香港人工智能")."""
        written = tokens(wording(self.text))
        joined = tokens(wording(re.sub(rf"(?<={CJK.pattern})\s+(?={CJK.pattern})", "", self.text)))
        return list(dict.fromkeys(tuple(v) for v in (written, joined) if v))

    @property
    def searchable(self):
        return bool(self.variants if self.phrase else self.pieces)

    @functools.cached_property
    def occurrences(self):
        """A pattern found once at each place this term occurs in normalised text (its
        tokens joined by spaces), one per piece: a phrase's words in order, a prefix
        starting a token, any other piece a whole token. (As a loop over the split
        tokens, picking the best section of a search's 10 hits took 6 ms.)"""
        if self.phrase:
            either = "|".join(" ".join(map(re.escape, variant)) for variant in self.variants)
            return [re.compile(rf"(?<!\S)(?=(?:{either})(?!\S))")]
        return [
            re.compile(rf"(?<!\S){re.escape(piece)}" + ("" if prefix else r"(?!\S)"))
            for piece, prefix in self.pieces
        ]

    def found_in(self, text):
        """How often this term occurs in this normalised text."""
        counts = [len(pattern.findall(text)) for pattern in self.occurrences]
        return min(counts) if counts else 0


def terms_of(query, limit=MAX_TERMS):
    """The terms of a query, up to `limit`: "phrases", -exclusions and words; an
    unbalanced quote runs to the end; other search syntax and control characters
    (which PostgreSQL text cannot hold) are ignored; repeats are dropped."""
    query = CONTROL.sub(" ", query[:MAX_QUERY_LENGTH])
    terms = {}
    for match in QUERY_PART.finditer(query):
        if match[2] is not None:
            term = Term(" ".join(match[2].split()), phrase=True, exclude=bool(match[1]))
        else:
            term = Term(match[4], exclude=bool(match[3]))
        if term.searchable:
            key = (tuple(term.variants) if term.phrase else tuple(term.pieces), term.exclude)
            terms.setdefault(key, term)
    return list(terms.values())[:limit]


def spellings(text):
    """The text as written in either script or wording, longest first: to mark
    matches in stored text, which keeps the editor's script."""
    simple = {characters(text), wording(text)}
    traditional = {convert(form, config) for form in simple for config in TO_TRADITIONAL}
    return sorted({text, *simple, *traditional}, key=lambda variant: (-len(variant), variant))
