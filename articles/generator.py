"""Synthetic articles for benchmarks and scale tests (never shipped as content).

`generate(count, seed)` writes `count` published articles with 3–8 sections of 80–250
words, 2–6 tags drawn with a long-tail (Zipf-like) distribution from a vocabulary of
a few hundred, and some Traditional Chinese sentences, using bulk inserts in batches.
The same seed always gives the same articles.
"""

import datetime
import itertools
import random

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from . import cache
from .markdown import render_markdown
from .models import Article, SearchEntry, Section, TaggedArticle, unique_anchor
from .search import entry_fields

BATCH = 1000

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
    sentences, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 20))
        sentences.append(sentence(rng, n))
        left -= n
    if rng.random() < 0.15:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(CHINESE))
    return " ".join(sentences)


def section_body(rng):
    words = rng.randint(80, 250)
    cut = rng.randint(40, words - 40)
    return f"{paragraph(rng, cut)}\n\n{paragraph(rng, words - cut)}"


def generate(count, seed=0, *, start=None, batch=BATCH, progress=None):
    """Write `count` synthetic published articles; returns how many were written."""
    rng = random.Random(seed)
    names = vocabulary()
    weights = [1 / (rank**1.1) for rank in range(1, len(names) + 1)]
    start = start or timezone.now()
    tags = _ensure_tags(names)
    written = 0
    for first in range(0, count, batch):
        size = min(batch, count - first)
        with transaction.atomic():
            _write_batch(rng, seed, first, size, names, weights, tags, start)
            cache.changed()  # bulk inserts send no signals
        written += size
        if progress:
            progress(written)
    return written


def _ensure_tags(names):
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n, slug=slugify(n, allow_unicode=True)) for n in names if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return {tag.name: tag for tag in Tag.objects.filter(name__in=names)}


def _write_batch(rng, seed, first, size, names, weights, tags, start):
    articles = []
    for n in range(first, first + size):
        title = sentence(rng, rng.randint(6, 12))[:-1]
        when = start - datetime.timedelta(minutes=37 * n + rng.randint(0, 30))
        articles.append(
            Article(
                title=title,
                slug=f"{slugify(title)[:150]}-{seed}-{n}",
                standfirst=sentence(rng, rng.randint(15, 30)),
                status=Article.Status.PUBLISHED,
                published_at=when,
            )
        )
    articles = Article.objects.bulk_create(articles)
    sections, tagged = [], []
    for article in articles:
        headings, anchors = iter(rng.sample(WORDS, 16)), set()
        for position in range(rng.randint(3, 8)):
            heading = "" if position == 0 else " ".join(itertools.islice(headings, 2)).title()
            body = section_body(rng)
            anchor = unique_anchor(heading, anchors)
            anchors.add(anchor)
            sections.append(
                Section(
                    article=article,
                    position=position,
                    heading=heading,
                    anchor=anchor,
                    body=body,
                    body_html=render_markdown(body),
                )
            )
        chosen = set()
        while len(chosen) < rng.randint(2, 6):
            chosen.add(rng.choices(names, weights)[0])
        tagged += [TaggedArticle(content_object=article, tag=tags[name]) for name in chosen]
    sections = Section.objects.bulk_create(sections)
    TaggedArticle.objects.bulk_create(tagged)
    by_id = {article.pk: article for article in articles}
    SearchEntry.objects.bulk_create(
        SearchEntry(section_id=s.pk, **entry_fields(by_id[s.article_id], s)) for s in sections
    )
