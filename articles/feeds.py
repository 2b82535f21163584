"""RSS 2.0 and Atom feeds: the whole site and each tag."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Article
from .views import find_tag_or_404

FEED_LENGTH = 20


def articles():
    return Article.objects.published().select_related("author").prefetch_related("tags")


class LatestArticlesFeed(Feed):
    title = _("HKAI: artificial intelligence in Hong Kong")
    description = _("The latest articles from HKAI.")
    author_name = "HKAI"

    def link(self):
        return reverse("articles:list")

    def items(self):
        return articles()[:FEED_LENGTH]

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

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        tag = find_tag_or_404(slug)
        # As on the topic's page: a tag only drafts or scheduled articles use is not
        # shown, or its feed would tell that those articles exist.
        if not Article.objects.published().filter(tagged_items__tag=tag).exists():
            raise Http404("No published article has this tag.")
        return tag

    def title(self, tag):
        return _("HKAI: %(topic)s") % {"topic": tag.name}

    def description(self, tag):
        return _("The latest HKAI articles about %(topic)s.") % {"topic": tag.name}

    def link(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def items(self, tag):
        return articles().filter(tagged_items__tag=tag)[:FEED_LENGTH]


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed

    def subtitle(self, tag):
        return self.description(tag)
