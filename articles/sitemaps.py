from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import translation
from taggit.models import Tag

from . import translations
from .addresses import OF_INTERFACE
from .models import Article, Person


class AlternatesSitemap(Sitemap):
    """Each address listed with its alternates (xhtml:link hreflang), as on the pages:
    `alternates(items)` gives {item: [(hreflang, path)]} for one sitemap page."""

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        found = self.alternates([url["item"] for url in urls])
        for url in urls:
            url["alternates"] = [
                {"lang_code": hreflang, "location": f"{protocol}://{domain}{path}"}
                for hreflang, path in found.get(url["item"], [])
            ]
        return urls


class InterfacesSitemap(AlternatesSitemap):
    """A page in each interface: items are (item, interface code)."""

    def items(self):
        return [(item, code) for item in self.pages() for code, _ in settings.LANGUAGES]

    def location(self, item):
        with translation.override(item[1]):
            return self.path(item[0])

    def alternates(self, items):
        found = {}
        for item in items:
            links = [
                (OF_INTERFACE[code], self.location((item[0], code)))
                for code, _ in settings.LANGUAGES
            ]
            found[item] = [*links, ("x-default", links[0][1])]
        return found


class ArticleSitemap(AlternatesSitemap):
    """Each article at its original address (as written), with the other script's
    address of a Chinese one and its translations'. One query for the page's
    translations, whatever their number."""

    changefreq = "weekly"
    limit = 5000

    def items(self):
        fields = ["slug", "updated_at", "language", "translation_of_id"]
        return Article.objects.published().only(*fields).order_by("-published_at", "-pk")

    def location(self, article):
        return translations.original_address(article)

    def lastmod(self, article):
        return article.updated_at

    def alternates(self, articles):
        roots = {a.translation_of_id or a.pk for a in articles}
        linked = Article.objects.published().filter(
            Q(pk__in=roots) | Q(translation_of_id__in=roots)
        )
        groups = {}
        for version in linked.only("slug", "language", "translation_of_id").order_by("pk"):
            groups.setdefault(version.translation_of_id or version.pk, []).append(version)
        found = {}
        for article in articles:
            group = groups.get(article.translation_of_id or article.pk, [])
            others = [v for v in group if v.pk != article.pk]
            if not others and article.language not in translations.CHINESE:
                continue  # one address, in one language: nothing to name
            found[article] = translations.alternate_paths(article, others)
        return found


class TagSitemap(InterfacesSitemap):
    changefreq = "daily"
    limit = 5000

    def pages(self):
        published = Article.objects.published()
        return (
            Tag.objects.filter(articles_taggedarticle_items__content_object__in=published)
            .annotate(latest=Max("articles_taggedarticle_items__content_object__updated_at"))
            .order_by("name")
        )

    def path(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def lastmod(self, item):
        return item[0].latest


class AuthorSitemap(InterfacesSitemap):
    changefreq = "daily"
    limit = 5000

    def pages(self):
        published = Article.objects.published()
        return (
            Person.objects.filter(bylines__article__in=published)
            .annotate(latest=Max("bylines__article__updated_at"))
            .order_by("name", "pk")
        )

    def path(self, person):
        return person.get_absolute_url()

    def lastmod(self, item):
        return item[0].latest


# The date archives (/archive/<year>/<month>/) are left out: every article they list is
# here with its own date, crawlers reach them from each article's date, and listing every
# month that has articles groups the whole table by month (86 months, 0.4 s at 100,000
# articles on SQLite) where an archive page counts one year's index ranges (0.9 ms,
# articles/archive.py).


class PageSitemap(InterfacesSitemap):
    changefreq = "hourly"

    def pages(self):
        return ["articles:list", "articles:tag_index"]

    def path(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
