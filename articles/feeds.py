"""RSS 2.0 and Atom feeds: the whole site and each tag, each item carrying the article's
whole text (articles/full_text.py) as RSS's content:encoded and Atom's <content>."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from . import bylines, full_text, images, scripts
from .language import page_language
from .models import Article, Person
from .topics import find_tag, moved_tag

FEED_LENGTH = 20
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"


def _xml_safe(value):
    """A feed's text (or list of texts, as categories) without what XML cannot carry."""
    if isinstance(value, str):
        return full_text.xml_text(value)
    if isinstance(value, list | tuple):
        return [_xml_safe(item) for item in value]
    return value


class XmlSafe:
    """Every text given to the feed and its items made safe for XML once, here: a
    topic's or a person's name (a category, a byline, a feed's title) can hold a
    control character, on which Django's writer raises (a 500) or which it leaves in an
    attribute (Atom's category term: a document no reader parses)."""

    def __init__(self, *args, **kwargs):
        safe = {name: _xml_safe(value) for name, value in kwargs.items()}
        super().__init__(*map(_xml_safe, args), **safe)

    def add_item(self, *args, **kwargs):
        safe = {name: _xml_safe(value) for name, value in kwargs.items()}
        super().add_item(*map(_xml_safe, args), **safe)


class RssWithLanguages(XmlSafe, Rss201rev2Feed):
    """RSS 2.0 whose items each name their language (Dublin Core's dc:language) and
    carry their whole text (content:encoded, escaped as any text: nothing in it can
    close the element); the channel's <language> stays the site's."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE, "xmlns:content": CONTENT}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("dc:language", item["language"])
        handler.addQuickElement("content:encoded", item["content"])


class AtomWithLanguages(XmlSafe, Atom1Feed):
    """Atom whose entries each carry their language as xml:lang and their whole text
    as <content type="html">."""

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


def articles():
    return (
        Article.objects.published()
        .select_related("lead_image")
        .prefetch_related("tags", "sections", bylines.prefetch())
    )


def feed_items(items):
    """The feed's articles: the library images in their sections drawn (one query for
    all of them when any shows one, none otherwise), and Chinese titles and standfirsts
    in the script of the feed's interface (/zh-hans/feed/ gives Traditional articles in
    Simplified), as on its pages (articles/scripts.py)."""
    items = list(items)
    images.expand_sections(
        [section for article in items for section in article.sections.all()], show_missing=False
    )
    scripts.show_cards(items, page_language())
    return items


class LatestArticlesFeed(Feed):
    feed_type = RssWithLanguages

    def title(self):
        return _("%(site)s: artificial intelligence in Hong Kong") % {"site": settings.SITE_NAME}

    def description(self):
        return _("The latest articles from %(site)s.") % {"site": settings.SITE_NAME}

    def author_name(self):
        return settings.SITE_NAME

    def link(self):
        return reverse("articles:list")

    def items(self):
        return feed_items(articles()[:FEED_LENGTH])

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.standfirst

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.byline

    def item_extra_kwargs(self, article):
        base = self.request.build_absolute_uri(article.get_absolute_url())
        content = full_text.article_html(article, base, self.request.build_absolute_uri)
        return {"language": article.language, "content": content}

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]

    def get_object(self, request, *args, **kwargs):
        self.request = request  # enclosure addresses are absolute
        return super().get_object(request, *args, **kwargs)

    def item_enclosures(self, article):
        """The lead image (its 1200 × 630 crop, a JPEG) as the item's enclosure."""
        image = article.lead_image
        rendition = images.social(image) if image else None
        if rendition is None:
            return []
        address = self.request.build_absolute_uri(images.url(rendition["name"]))
        return [Enclosure(address, str(rendition.get("bytes", 0)), "image/jpeg")]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomWithLanguages

    def subtitle(self):
        return self.description()


class TagFeed(LatestArticlesFeed):
    url_name = "articles:tag_feed"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            # A renamed or merged topic's old feed address leads to its feed now.
            if find_tag(kwargs["slug"]) is None and (moved := moved_tag(kwargs["slug"])):
                return HttpResponsePermanentRedirect(reverse(self.url_name, args=[moved.slug]))
            raise

    def get_object(self, request, slug):
        self.request = request
        tag = find_tag(slug)
        # As on the topic's page: a tag only drafts or scheduled articles use is not
        # shown, or its feed would tell that those articles exist.
        if tag is None or not Article.objects.published().filter(tagged_items__tag=tag).exists():
            raise Http404("No published article has this tag.")
        return tag

    def title(self, tag):
        return _("%(site)s: %(topic)s") % {"site": settings.SITE_NAME, "topic": tag.name}

    def description(self, tag):
        names = {"site": settings.SITE_NAME, "topic": tag.name}
        return _("The latest %(site)s articles about %(topic)s.") % names

    def link(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def items(self, tag):
        return feed_items(articles().filter(tagged_items__tag=tag)[:FEED_LENGTH])


class TagAtomFeed(TagFeed):
    feed_type = AtomWithLanguages
    url_name = "articles:tag_atom_feed"

    def subtitle(self, tag):
        return self.description(tag)


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        self.request = request
        person = Person.objects.filter(slug=slug).first()
        # As on the author page: someone named only on drafts has no feed.
        if person is None or not articles().filter(bylines__person=person).exists():
            raise Http404("No published article names this person.")
        return person

    def title(self, person):
        return _("%(site)s: %(author)s") % {"site": settings.SITE_NAME, "author": person.name}

    def description(self, person):
        names = {"site": settings.SITE_NAME, "author": person.name}
        return _("The latest %(site)s articles by %(author)s.") % names

    def link(self, person):
        return person.get_absolute_url()

    def items(self, person):
        return feed_items(articles().filter(bylines__person=person)[:FEED_LENGTH])


class AuthorAtomFeed(AuthorFeed):
    feed_type = AtomWithLanguages

    def subtitle(self, person):
        return self.description(person)
