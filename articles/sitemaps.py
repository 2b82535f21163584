from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from taggit.models import Tag

from .models import Article


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


# The date archives (/archive/<year>/<month>/) are left out: every article they list is
# here with its own date, crawlers reach them from each article's date, and listing every
# month that has articles groups the whole table by month (86 months, 0.4 s at 100,000
# articles on SQLite) where an archive page counts one year's index ranges (0.9 ms,
# articles/archive.py).


class PageSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return ["articles:list", "articles:tag_index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "tags": TagSitemap}
