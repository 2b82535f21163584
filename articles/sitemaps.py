from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from taggit.models import Tag

from .models import Article, Person


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, article):
        return article.updated_at


class TagSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        published = Article.objects.published()
        return (
            Tag.objects.filter(articles_taggedarticle_items__content_object__in=published)
            .annotate(latest=Max("articles_taggedarticle_items__content_object__updated_at"))
            .order_by("name")
        )

    def location(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def lastmod(self, tag):
        return tag.latest


class AuthorSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        published = Article.objects.published()
        return (
            Person.objects.filter(bylines__article__in=published)
            .annotate(latest=Max("bylines__article__updated_at"))
            .order_by("name", "pk")
        )

    def lastmod(self, person):
        return person.latest


class PageSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return ["articles:list", "articles:tag_index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
