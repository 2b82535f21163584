"""Synthetic articles for benchmarks and scale tests (never shipped as content).

`generate(count, seed)` writes `count` published articles with 3–8 sections of 80–250
words, 2–6 tags drawn with a long-tail (Zipf-like) distribution from a vocabulary of
a few hundred, and some Traditional Chinese sentences, using bulk inserts in batches.
The same seed always gives the same articles.
"""

import datetime
import itertools
import random
import uuid

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import (
    Article,
    SearchDocument,
    SearchEntry,
    Section,
    TaggedArticle,
    unique_anchor,
)
from articles.search import document_fields, prefixes, spelling
from articles.search.text import normalize

BATCH = 1000
# Every column index_documents() writes: without `links`, PostgreSQL found no quoted phrase.
DOCUMENT_COLUMNS = [
    "article_id", "sort_key", "title", "standfirst", "headings", "body", "tags", "links"
]  # fmt: skip

WORDS = """
model models data training inference compute chips cloud platform startup startups
fund funding investors venture capital bank banks banking finance fintech insurance
trading risk fraud detection compliance regulator regulators regulation policy
government bureau council legislature privacy security cybersecurity attack attacks
defence defense hospital hospitals patients diagnosis imaging clinical medicine drug
research researchers university universities students teachers school schools
education lab labs laboratory engineers engineering talent workforce jobs skills
logistics port shipping airport transport traffic railway metro city cities district
districts property housing retail shops consumers customers language languages
Cantonese English Mandarin translation speech voice vision robots robotics drones
automation factory manufacturing supply chain energy grid climate weather forecast
water health wellbeing elderly care ageing population survey surveys report reports
study studies pilot pilots trial trials launch launched partnership partners
agreement agreements standard standards guideline guidelines framework frameworks
ethics ethical transparency accountability audit audits oversight governance board
open source software hardware network networks data centre centres semiconductor
algorithm algorithms benchmark benchmarks accuracy latency efficiency cost costs
price prices market markets growth demand supply exports imports trade economy
economic sector sectors industry industries company companies firm firms group
Hong Kong Kowloon Shenzhen Greater Bay Area mainland Asia global international
local regional new latest major leading first largest fastest secure reliable
responsible generative large small public private digital smart innovative early
said says announced expects plans will could may must should would might also
more less many most several various key important significant rapid steady strong
weak uncertain clear complex simple careful quick slow higher lower better worse
year years month months week weeks quarter quarters decade today tomorrow soon
the a an of in on for to with by from at as and or but while after before during
""".split()

CHINESE = [
    "香港人工智能發展迅速。",
    "政府推出新的數碼政策。",
    "大學研究團隊發表最新成果。",
    "初創企業獲得新一輪融資。",
    "網絡安全是業界關注的重點。",
    "醫院開始試用人工智能輔助診斷。",
    "金融機構加強風險管理。",
    "市民對新技術的態度審慎。",
    "粵港澳大灣區合作持續深化。",
    "監管機構發出新的指引。",
]

TOPICS = """
AI policy, Fintech, Banking, Insurance, Healthcare, Hospitals, Biotech, Education,
Universities, Research, Startups, Venture capital, Cybersecurity, Privacy, Regulation,
Governance, Ethics, Robotics, Drones, Logistics, Shipping, Transport, Smart city,
Property, Retail, Energy, Climate, Semiconductors, Cloud, Data centres, Open source,
Language models, Computer vision, Speech, Cantonese NLP, Translation, Jobs, Talent,
Workforce, Greater Bay Area, Shenzhen, Mainland China, Trade, Markets, Economy,
Elderly care, Mental health, Law, Courts, Media, Culture, Sport, Tourism, Aviation,
Manufacturing, Supply chains, Telecoms, 5G, Quantum, Chips, Benchmarks, Standards
""".replace("\n", " ").split(", ")
DISTRICTS = """
Central and Western, Wan Chai, Eastern, Southern, Yau Tsim Mong, Sham Shui Po,
Kowloon City, Wong Tai Sin, Kwun Tong, Tsuen Wan, Tuen Mun, Yuen Long, North,
Tai Po, Sai Kung, Sha Tin, Kwai Tsing, Islands
""".replace("\n", " ").split(", ")
QUALIFIERS = ["in Hong Kong", "research", "startups", "policy"]


def vocabulary():
    """A few hundred tag names: topics, topic variants and districts."""
    names = [t.strip() for t in TOPICS]
    names += [f"{t.strip()} {q}" for t in TOPICS for q in QUALIFIERS]
    names += [d.strip() for d in DISTRICTS]
    return list(dict.fromkeys(names))


def sentence(rng, words):
    text = " ".join(rng.choices(WORDS, k=words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng, words):
    """`words` random words cut into sentences of 8-20, sometimes with Chinese."""
    pool = rng.choices(WORDS, k=words)
    sentences, at = [], 0
    while at < words:
        n = min(words - at, rng.randint(8, 20))
        text = " ".join(pool[at : at + n])
        sentences.append(text[0].upper() + text[1:] + ".")
        at += n
    if rng.random() < 0.15:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(CHINESE))
    return " ".join(sentences)


def section_paragraphs(rng):
    words = rng.randint(80, 250)
    cut = rng.randint(40, words - 40)
    return [paragraph(rng, cut), paragraph(rng, words - cut)]


def paragraphs_html(paragraphs):
    """What render_markdown() makes of plain paragraphs (no Markdown syntax in them);
    generated text has none, and tests check the two agree."""
    return "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)


def generate(count, seed=0, *, start=None, batch=BATCH, progress=None):
    """Write `count` synthetic published articles; returns how many were written."""
    rng = random.Random(seed)
    names = vocabulary()
    # Cumulative once: choices() would otherwise add up all the weights on every pick.
    weights = list(itertools.accumulate(1 / (rank**1.1) for rank in range(1, len(names) + 1)))
    start = start or timezone.now()
    tags = _ensure_tags(names)
    written = 0
    for first in range(0, count, batch):
        size = min(batch, count - first)
        with transaction.atomic():
            _write_batch(rng, seed, first, size, names, weights, tags, start)
        written += size
        if progress:
            progress(written)
    _reset_sequences()
    return written


def _ensure_tags(names):
    existing = {tag.name: tag.pk for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n, slug=slugify(n, allow_unicode=True)) for n in names if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return {tag.name: tag.pk for tag in Tag.objects.filter(name__in=names)}


def _next_id(model):
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _insert(model, columns, rows):
    """Plain multi-row INSERTs: the ORM's bulk_create spends more time building SQL
    than the database spends writing, at these volumes."""
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _write_batch(rng, seed, first, size, names, weights, tags, start):
    article_id, section_id = _next_id(Article), _next_id(Section)
    tagged_id, entry_id = _next_id(TaggedArticle), _next_id(SearchEntry)
    articles, sections, tagged, entries, documents = [], [], [], [], []
    texts = []  # for the search vocabulary
    stamp = connection.ops.adapt_datetimefield_value
    now = stamp(timezone.now())
    for n in range(first, first + size):
        title = sentence(rng, rng.randint(6, 12))[:-1]
        standfirst = sentence(rng, rng.randint(15, 30))
        indexed_title, indexed_standfirst = normalize(title), normalize(standfirst)
        texts += [title, standfirst]
        when = start - datetime.timedelta(minutes=37 * n + rng.randint(0, 30))
        articles.append(
            (article_id, title, f"{slugify(title)[:150]}-{seed}-{n}", standfirst,
             Article.Status.PUBLISHED, stamp(when), now, now, uuid.uuid4().hex)
        )  # fmt: skip
        headings, anchors, own_entries = iter(rng.sample(WORDS, 16)), set(), []
        for position in range(rng.randint(3, 8)):
            heading = "" if position == 0 else " ".join(itertools.islice(headings, 2)).title()
            anchor = unique_anchor(heading, anchors)
            anchors.add(anchor)
            paragraphs = section_paragraphs(rng)
            body = "\n\n".join(paragraphs)
            sections.append(
                (section_id, article_id, position, heading, anchor, body,
                 paragraphs_html(paragraphs))
            )  # fmt: skip
            texts += [heading, *paragraphs]
            entry = SearchEntry(heading=normalize(heading), body=normalize("\n".join(paragraphs)))
            own_entries.append(entry)
            entries.append(
                (entry_id, section_id, article_id, indexed_title, indexed_standfirst,
                 entry.heading, entry.body)
            )  # fmt: skip
            section_id += 1
            entry_id += 1
        chosen = set()
        while len(chosen) < rng.randint(2, 6):
            chosen.add(rng.choices(names, cum_weights=weights)[0])
        for name in chosen:
            tagged.append((tagged_id, article_id, tags[name]))
            tagged_id += 1
        article = Article(pk=article_id, title=title, standfirst=standfirst, published_at=when)
        fields = document_fields(article, own_entries, sorted(chosen))
        documents.append(tuple(fields[column] for column in DOCUMENT_COLUMNS))
        article_id += 1
    _insert(Article, ["id", "title", "slug", "standfirst", "status", "published_at",
                      "created_at", "updated_at", "edit_token"], articles)  # fmt: skip
    _insert(Section, ["id", "article_id", "position", "heading", "anchor", "body", "body_html"],
            sections)  # fmt: skip
    _insert(TaggedArticle, ["id", "content_object_id", "tag_id"], tagged)
    _insert(SearchEntry, ["id", "section_id", "article_id", "title", "standfirst", "heading",
                          "body"], entries)  # fmt: skip
    _insert(SearchDocument, DOCUMENT_COLUMNS, documents)
    spelling.remember(spelling.words_of(texts + list(tags)))
    prefixes.remember(
        prefixes.tokens_of(dict(zip(DOCUMENT_COLUMNS, row, strict=True)) for row in documents)
    )


def _reset_sequences():
    """After inserts with explicit ids, PostgreSQL's sequences must move past them."""
    sql = connection.ops.sequence_reset_sql(
        no_style(), [Article, Section, TaggedArticle, SearchEntry]
    )
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


# Synthetic Chinese articles (tests, screenshots): sentences of CHINESE in random order,
# labelled as a sample, with the editor's marks (a term kept as written, a span in
# another language). Never a translation of a seed article.
CHINESE_HEADINGS = ["背景", "政策與監管", "研究與人才", "市場反應"]
CHINESE_SAMPLE = "（示例文字，由程式產生）"


def chinese_article(seed=0, script="zh-Hant-HK", sections=3):
    """{title, standfirst, language, sections: [(heading, Markdown)]} of a synthetic
    Chinese article in Traditional (zh-Hant-HK) or Simplified (zh-Hans) characters."""
    from articles.search.text import convert

    rng = random.Random(seed)

    def text(chosen):
        joined = "".join(chosen)
        return joined if script == "zh-Hant-HK" else convert(joined, "hk2s")

    body = []
    for n in range(sections):
        sentences = rng.sample(CHINESE, 4)
        first = text([*sentences[:2], "業界以"]) + "[智譜]{keep}" + text(["等模型為例。"])
        if n == 0:
            first += text(["一位學者說："]) + "「[Move fast, but carefully]{lang=en}」。"
        body.append(
            (CHINESE_HEADINGS[n % len(CHINESE_HEADINGS)], f"{first}\n\n{text(sentences[2:])}")
        )
    return {
        "title": text([rng.choice(CHINESE)[:-1], CHINESE_SAMPLE]),
        "standfirst": text(rng.sample(CHINESE, 2)),
        "language": script,
        "sections": [(text([heading]), markdown) for heading, markdown in body],
    }


def add_chinese_sample(slug="synthetic-chinese-sample", seed=1):
    """Publish one synthetic Traditional Chinese article (`make screenshots`), dated
    before every other article so that the seed articles still lead the lists."""
    data = chinese_article(seed)
    first = Article.objects.aggregate(first=Min("published_at"))["first"] or timezone.now()
    article = Article.objects.create(
        title=data["title"],
        slug=slug,
        standfirst=data["standfirst"],
        language=data["language"],
        status=Article.Status.PUBLISHED,
        published_at=first - datetime.timedelta(days=1),
    )
    for position, (heading, body) in enumerate(data["sections"]):
        Section.objects.create(article=article, position=position, heading=heading, body=body)
    article.tags.add("Hong Kong")
    return article
