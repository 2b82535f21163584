"""The two seed documents, as an editor would publish them, and their fixture.

`fixtures/seed.json` is exactly what `build_fixture()` returns: the importer's reading
of `fixtures/seeds/*.txt` plus the slug, publication time and tags chosen below.
`manage.py build_seed_fixture` rewrites it; a test checks the two agree.
"""

import datetime
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import serializers
from taggit.models import Tag

from .importer import parse_document
from .models import Article, TaggedArticle

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "seeds"
FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
HONG_KONG = datetime.timezone(datetime.timedelta(hours=8))


@dataclass(frozen=True)
class Seed:
    filename: str
    slug: str
    published_at: datetime.datetime
    tagged: str  # as an editor types them into the admin's tags field

    @property
    def tags(self):
        return tuple(self.tagged.split(", "))


SEEDS = (
    Seed(
        "000_fb6a5c2bd32858bf.txt",
        slug="rise-of-ai-in-hong-kong",
        published_at=datetime.datetime(2026, 1, 20, 9, 0, tzinfo=HONG_KONG),
        tagged="Hong Kong, Government, Finance, Healthcare, Education, Startups, Regulation",
    ),
    Seed(
        "003_ea9c71790814f9bc.txt",
        slug="china-ai-revolution-lunar-new-year",
        published_at=datetime.datetime(2026, 2, 12, 9, 0, tzinfo=HONG_KONG),
        tagged="China, Hong Kong, AI models, Cybersecurity, Regulation, Mental health, Education",
    ),
)


def seed_text(seed):
    return (SEED_DIR / seed.filename).read_text(encoding="utf-8")


def build_fixture():
    """The seed articles as loaddata JSON (a string), built without touching the database."""
    tags, objects = {}, []
    section_pk = tagged_pk = 0
    for article_pk, seed in enumerate(SEEDS, start=1):
        document = parse_document(seed_text(seed))
        article = Article(
            pk=article_pk,
            title=document.title,
            slug=seed.slug,
            standfirst=document.standfirst,
            status=Article.Status.PUBLISHED,
            published_at=seed.published_at,
            created_at=seed.published_at,
            updated_at=seed.published_at,
            edit_token=uuid.uuid5(uuid.NAMESPACE_URL, seed.slug),  # stable fixture
        )
        objects.append(article)
        for section in document.section_rows(article):
            section_pk += 1
            section.pk = section_pk
            objects.append(section)
        for name in seed.tags:
            if name not in tags:
                tags[name] = Tag(pk=len(tags) + 1, name=name, slug=Tag().slugify(name))
            tagged_pk += 1
            objects.append(TaggedArticle(pk=tagged_pk, content_object=article, tag=tags[name]))
    # Tags first: loaddata on PostgreSQL checks foreign keys row by row.
    ordered = list(tags.values()) + objects
    return serializers.serialize("json", ordered, indent=2, ensure_ascii=False) + "\n"
