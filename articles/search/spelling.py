""" "Did you mean": the nearest words of the site's own vocabulary to a misspelled one.

The vocabulary (SearchWord) holds every English word of the site's text as readers type
it (folded, unstemmed), added as the index is written (search.index_sections,
index_article, rebuild) — the same code on both engines, so both suggest alike. A word
of the query is looked up only when the search found nothing; it is misspelled when no
word of the vocabulary starts with it (a query word matches from its start). Its
candidates are the vocabulary's words of nearly its length (MAX_DISTANCE either way)
starting with its first letter (a typo seldom comes first): one indexed range read per
length on (length, word). They are ranked by edit distance (Levenshtein, a swap of
neighbours counting one), at most MAX_DISTANCE.

Measured on SQLite at 100,000 articles (bench/data/, whose synthetic text has 325
distinct words): finding the corrections of one word took 0.8 ms (median); with 110,000
random words of 4-14 letters added, 10-22 ms (2,000 candidates read, a few dozen left
for distance() by the letter-set test; 65-150 ms without it). Only a search that found
nothing asks, once per content version (the answer is cached).
"""

import re

from django.db.models import Q

from ..models import SearchWord
from .text import fold

MIN_LENGTH, MAX_LENGTH = 3, 40
MAX_DISTANCE = 2
WORD = re.compile(r"[a-z]+")


def words_of(texts):
    """The vocabulary's words in these texts: runs of the letters a-z once folded."""
    found = set()
    for text in texts:
        for word in WORD.findall(fold(text or "")):
            if MIN_LENGTH <= len(word) <= MAX_LENGTH:
                found.add(word)
    return found


def remember(words):
    """Add these words to the vocabulary (those already there stay as they are)."""
    if words:
        SearchWord.objects.bulk_create(
            [SearchWord(word=word, length=len(word)) for word in sorted(words)],
            ignore_conflicts=True,
            batch_size=500,
        )


def after(word):
    """The first string after every word starting with `word` (ASCII letters)."""
    return word[:-1] + chr(ord(word[-1]) + 1)


def known(word):
    """Whether some word of the vocabulary starts with `word` (one indexed read)."""
    return SearchWord.objects.filter(word__gte=word, word__lt=after(word)).exists()


def distance(a, b, limit=MAX_DISTANCE):
    """Edit distance of a and b (insertions, deletions, substitutions and swaps of
    neighbours), or limit + 1 when it is over `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1] if row[-1] <= limit else limit + 1


def nearest(word, count=3):
    """Up to `count` words of the vocabulary nearest to `word`, nearest first (then in
    alphabetical order), none further than MAX_DISTANCE; one query."""
    lengths = range(max(MIN_LENGTH, len(word) - MAX_DISTANCE), len(word) + MAX_DISTANCE + 1)
    first = word[0]
    near = Q()
    for length in lengths:
        near |= Q(length=length, word__gte=first, word__lt=after(first))
    candidates = SearchWord.objects.filter(near).values_list("word", flat=True)
    # Each edit adds at most one letter to a word's set of letters and takes away at most
    # one: a set cheap to compare (in C) leaves few words for distance() (in Python).
    letters, most = set(word), 2 * MAX_DISTANCE
    scored = sorted(
        (distance(word, other), other)
        for other in candidates
        if other != word and len(letters.symmetric_difference(other)) <= most
    )
    return [other for score, other in scored if score <= MAX_DISTANCE][:count]


def misspelled(word):
    """Whether `word` (folded) is a word the vocabulary can correct."""
    return bool(WORD.fullmatch(word)) and MIN_LENGTH < len(word) <= MAX_LENGTH and not known(word)


def corrections(terms):
    """{word: [nearest words]} for the query's misspelled words (plain words, not phrases
    or exclusions); at most three words are looked up."""
    found = {}
    for term in terms:
        word = fold(term.text)
        if term.phrase or term.exclude or len(found) == 3 or not misspelled(word):
            continue
        candidates = nearest(word)
        if candidates:
            found[word] = candidates
    return found


def corrected(query, word, replacement):
    """The query with every whole `word` (folded) replaced by `replacement`."""
    return re.sub(rf"(?<![\w-]){re.escape(word)}(?!\w)", replacement, query, flags=re.I)
