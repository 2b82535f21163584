"""The read-only JSON API under /api/, built with django-ninja.

    GET /api/articles              published articles, newest first, keyset pagination
    GET /api/articles/{slug}       one article with its sections in order
    GET /api/tags                  topics with their numbers of published articles
    GET /api/search?q=...          the same hits, in the same order, as /search/
    GET /api/openapi.json          the OpenAPI schema; /api/docs shows it

Everything starts from Article.objects.published(); nothing writes (other methods get
405). Each endpoint runs a fixed number of SQL queries, whatever the amount of content.
Last-Modified is when public content last changed (the content version's time, read
first in each endpoint): an article unpublished from a list or a tag renamed moves it,
which no article's own timestamps show. ETag (the body's hash) and 304s come from
hkai_site.middleware.ApiCacheMiddleware; CORS headers from django-cors-headers
(settings.CORS_URLS_REGEX).
"""

import datetime
import html
from typing import Annotated, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from ninja import NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger
from pydantic import Field

from . import bylines, cache, images
from . import search as site_search
from .models import Article, TaggedArticle
from .search.text import spellings
from .topics import all_topics

SLUG = r"^[-\w]+$"
SLUG_MAX_LENGTH = 200
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# A cursor is "<microseconds since 1970 UTC>.<id>" of the last article of a page.
CURSOR = r"^-?\d{1,18}\.\d{1,18}$"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
# Positions outside what databases store are clamped: before or after every article.
EARLIEST = datetime.datetime(2, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9998, 12, 31, tzinfo=datetime.UTC)
MAX_ID = 2**63 - 1

api = NinjaAPI(
    title=f"{settings.SITE_NAME} API",
    version="1.0.0",
    description=(
        f"Read-only access to {settings.SITE_NAME}'s published articles: news and analysis "
        "on artificial intelligence in Hong Kong. No key is needed; every endpoint answers "
        "GET only, from any origin (CORS), with ETag and Last-Modified for conditional "
        "requests."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Served from this site's static files, without inline script (the CSP forbids
    # it); no validator badge from another host.
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": True}),
)


# Schemas: what a client receives.


class Error(Schema):
    detail: str


class ValidationError(Schema):
    detail: list[dict]


class TagRef(Schema):
    name: str
    slug: str
    url: str = Field(description="The topic's web page.")


class TagOut(TagRef):
    article_count: int = Field(description="Published articles with this topic.")
    articles: str = Field(description="API address of those articles.")


class AuthorRef(Schema):
    name: str
    slug: str
    url: str = Field(description="The author's page.")


class RenditionOut(Schema):
    url: str
    type: str = Field(description="image/avif, image/webp, image/jpeg or image/png.")
    width: int
    height: int


class ImageOut(Schema):
    url: str = Field(description="The widest JPEG (or PNG) rendition.")
    width: int
    height: int
    alt: str = Field(description="Alt text; empty for a decorative image.")
    decorative: bool
    caption: str
    credit: str
    social_url: str | None = Field(description="The 1200 × 630 crop used for link previews.")
    renditions: list[RenditionOut] = Field(
        description="Every width and format at the image's own proportions, for srcset."
    )


class ArticleSummary(Schema):
    slug: str
    title: str
    standfirst: str
    language: Literal[tuple(Article.Language.values)] = Field(
        description="The language the article is written in (a BCP 47 tag)."
    )
    byline: str = Field(description="The authors' names, or the site's when it names no one.")
    authors: list[AuthorRef] = Field(description="The people in the byline, in order.")
    published_at: datetime.datetime
    updated_at: datetime.datetime
    tags: list[TagRef]
    url: str = Field(description="The article's web page.")
    markdown_url: str = Field(description="The article as Markdown.")
    api_url: str = Field(description="The article with its sections, from this API.")
    lead_image: ImageOut | None = Field(None, description="Null when the article has none.")


class SectionOut(Schema):
    heading: str = Field(description="Blank for an introduction.")
    anchor: str = Field(description="Its id on the web page: url#anchor.")
    markdown: str = Field(description="The body as the editor wrote it.")
    html: str = Field(description="The body rendered and sanitised, as the page shows it.")


class ArticleOut(ArticleSummary):
    sections: list[SectionOut]


class ArticlePage(Schema):
    items: list[ArticleSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")
    next: str | None = Field(description="The next page's address; null on the last page.")


class ArticleRef(Schema):
    slug: str
    title: str
    standfirst: str
    published_at: datetime.datetime
    url: str
    api_url: str


class SectionRef(Schema):
    heading: str
    anchor: str


class SearchHit(Schema):
    article: ArticleRef
    section: SectionRef | None = Field(
        description="The matching section; null when only the title or standfirst matched."
    )
    url: str = Field(description="The web page, at the matching section's anchor.")
    snippet_html: str = Field(description="Escaped text with each match in <mark>.")
    snippet_text: str


class SearchPage(Schema):
    query: str
    count: int = Field(description="Matching articles in all (see count_is_exact).")
    count_is_exact: bool = Field(
        description="False when more articles match than are ranked: the results are "
        "then the best of the most recent matches, and count counts those."
    )
    page: int
    pages: int
    items: list[SearchHit]
    next: str | None


# How articles and tags become data.


def absolute(request, path):
    return request.build_absolute_uri(path)


def tag_ref(request, tag):
    return {
        "name": tag.name,
        "slug": tag.slug,
        "url": absolute(request, reverse("articles:tag", args=[tag.slug])),
    }


def image_out(request, image):
    if image is None or not image.renditions:
        return None
    widest = images.largest(image)
    social = images.social(image)
    return {
        "url": absolute(request, images.url(widest["name"])),
        "width": widest["width"],
        "height": widest["height"],
        "alt": image.alt,
        "decorative": image.decorative,
        "caption": image.caption,
        "credit": image.credit,
        "social_url": absolute(request, images.url(social["name"])) if social else None,
        "renditions": [
            {
                "url": absolute(request, images.url(r["name"])),
                "type": images.CONTENT_TYPES[r["format"]],
                "width": r["width"],
                "height": r["height"],
            }
            for r in image.renditions
            if r["kind"] == "full"
        ],
    }


def article_summary(request, article):
    """An article with its bylines, lead image and tags loaded."""
    return {
        "lead_image": image_out(request, article.lead_image),
        **article_ref(request, article),
        "byline": article.byline,
        "authors": [
            {
                "name": person.name,
                "slug": person.slug,
                "url": absolute(request, person.get_absolute_url()),
            }
            for person in article.people
        ],
        "language": article.language,
        "updated_at": article.updated_at,
        "tags": [tag_ref(request, tag) for tag in article.tags.all()],
        "markdown_url": absolute(request, reverse("articles:markdown", args=[article.slug])),
    }


def article_ref(request, article):
    return {
        "slug": article.slug,
        "title": article.title,
        "standfirst": article.standfirst,
        "published_at": article.published_at,
        "url": absolute(request, article.get_absolute_url()),
        "api_url": absolute(request, reverse("api:article", args=[article.slug])),
    }


def encode_cursor(article):
    delta = article.published_at - EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds
    return f"{micros}.{article.pk}"


def decode_cursor(cursor):
    micros, pk = cursor.split(".")
    try:
        at = EPOCH + datetime.timedelta(microseconds=int(micros))
    except OverflowError:
        at = LATEST if int(micros) > 0 else EARLIEST
    return min(max(at, EARLIEST), LATEST), min(int(pk), MAX_ID)


def local_midnight(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


# Endpoints.


@api.get(
    "/articles",
    response={200: ArticlePage, 422: ValidationError},
    url_name="articles",
    summary="Published articles, newest first",
)
def list_articles(
    request,
    response: HttpResponse,
    # Optional, but not nullable: a query string has no null.
    tag: Annotated[
        str, Query(None, pattern=SLUG, max_length=SLUG_MAX_LENGTH, description="A tag slug.")
    ] = None,
    published_from: Annotated[
        datetime.date, Query(None, description="On or after this day (Hong Kong time).")
    ] = None,
    published_to: Annotated[
        datetime.date, Query(None, description="On or before this day (Hong Kong time).")
    ] = None,
    cursor: Annotated[
        str, Query(None, pattern=CURSOR, description="The previous page's next_cursor.")
    ] = None,
    limit: Annotated[int, Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
):
    """Pages follow `next` (keyset pagination on publication time and id): a page costs
    the same at any depth, and articles published meanwhile never shift the pages that
    follow. A tag slug in either Chinese script finds the same articles."""
    cache.set_last_modified(response)
    # Three queries: the page of articles, one prefetch of their tags, one of their
    # bylines with the people.
    articles = Article.objects.all()
    # Upper bounds on published_at first: of several, SQLite walks the index from the
    # first one written (measured at 100,000 articles: a page near the end takes 0.9 ms
    # this way, 44 ms with published()'s bound first, 62 ms with OFFSET).
    if cursor:
        at, pk = decode_cursor(cursor)
        articles = articles.filter(published_at__lte=at)
        articles = articles.filter(Q(published_at__lt=at) | Q(pk__lt=pk))
    if published_to and published_to < datetime.date.max:
        next_day = published_to + datetime.timedelta(days=1)
        articles = articles.filter(published_at__lt=local_midnight(next_day))
    if published_from and published_from > datetime.date.min:
        articles = articles.filter(published_at__gte=local_midnight(published_from))
    if tag:
        tagged = TaggedArticle.objects.filter(tag__slug__in=spellings(tag))
        articles = articles.filter(pk__in=tagged.values("content_object"))
    articles = articles.published().select_related("lead_image")
    articles = articles.order_by("-published_at", "-pk")
    page = list(articles.prefetch_related("tags", bylines.prefetch())[: limit + 1])
    items, more = page[:limit], len(page) > limit
    next_cursor = encode_cursor(items[-1]) if more else None
    next_url = None
    if next_cursor:
        params = {"tag": tag, "published_from": published_from, "published_to": published_to}
        params = {key: value for key, value in params.items() if value}
        params.update(cursor=next_cursor, limit=limit)
        next_url = absolute(request, f"{reverse('api:articles')}?{urlencode(params)}")
    return {
        "items": [article_summary(request, article) for article in items],
        "next_cursor": next_cursor,
        "next": next_url,
    }


@api.get(
    "/articles/{slug}",
    response={200: ArticleOut, 404: Error, 422: ValidationError},
    url_name="article",
    summary="One published article with its sections",
)
def get_article(
    request,
    response: HttpResponse,
    slug: Annotated[str, Path(pattern=SLUG, max_length=SLUG_MAX_LENGTH)],
):
    """Sections come in reading order, each with its anchor on the web page."""
    cache.set_last_modified(response)
    # Four queries: the article, its sections, its tags, its bylines with the people.
    articles = Article.objects.published().select_related("lead_image")
    articles = articles.prefetch_related("sections", "tags", bylines.prefetch())
    article = articles.filter(slug=slug).first()
    if article is None:
        raise HttpError(404, "No published article has this slug.")
    # Library images in the sections' HTML: one more query when there are any.
    images.expand_sections(article.sections.all(), show_missing=False)
    return {
        **article_summary(request, article),
        "sections": [
            {
                "heading": section.heading,
                "anchor": section.anchor,
                "markdown": section.body,
                "html": section.body_html,
            }
            for section in article.sections.all()
        ],
    }


@api.get("/tags", response=list[TagOut], url_name="tags", summary="Topics with article counts")
def list_tags(request, response: HttpResponse):
    """Every topic with at least one published article, by name."""
    cache.set_last_modified(response)
    # The site's topic list: the content version, then (once per version) one query.
    articles = reverse("api:articles")
    return [
        {
            **tag_ref(request, tag),
            "article_count": tag.article_count,
            "articles": absolute(request, f"{articles}?{urlencode({'tag': tag.slug})}"),
        }
        for tag in all_topics()
    ]


@api.get(
    "/search",
    response={200: SearchPage, 404: Error, 422: ValidationError},
    url_name="search",
    summary="Full-text search, as on /search/",
)
def search_articles(
    request,
    response: HttpResponse,
    q: Annotated[str, Query(min_length=1, max_length=site_search.MAX_QUERY_LENGTH)],
    page: Annotated[int, Query(1, ge=1, le=10**6)] = 1,
):
    """The hits of /search/ in the same order, 10 a page: every word must match, in
    either Chinese script. A page past the last is 404."""
    cache.set_last_modified(response)
    # Four queries, as on /search/: the content version, the ranked articles, the
    # entries to pick best sections from, those sections.
    query = " ".join(q.split())
    paginator = Paginator(site_search.search(query), site_search.PAGE_SIZE)
    try:
        hits = paginator.page(page)
    except EmptyPage as error:
        raise HttpError(404, "No such page of results.") from error
    next_url = None
    if hits.has_next():
        params = urlencode({"q": query, "page": page + 1})
        next_url = absolute(request, f"{reverse('api:search')}?{params}")
    return {
        "query": query,
        "count": paginator.count,
        "count_is_exact": paginator.object_list.complete,
        "page": page,
        "pages": paginator.num_pages,
        "items": [
            {
                "article": article_ref(request, hit.article),
                "section": (
                    {"heading": hit.section.heading, "anchor": hit.section.anchor}
                    if hit.in_section
                    else None
                ),
                "url": absolute(request, hit.url),
                "snippet_html": str(hit.snippet),
                "snippet_text": html.unescape(strip_tags(hit.snippet)),
            }
            for hit in hits
        ],
        "next": next_url,
    }
