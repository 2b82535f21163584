"""Topic counts: how many articles readers can see with each tag.

Pages read them from `TopicCount` rather than counting at read time (the whole topic
list takes a quarter of a second to count at 100,000 articles). They are recounted,
tag by tag, in the same transaction as whatever may change them:

* a tagging added or removed, an article published, unpublished, rescheduled or
  deleted (articles/signals.py);
* a scheduled article reaching its time (articles/cache.py, on the first request
  after that time, as for cached pages);
* tag merges and bulk inserts, which send no signals (admin.merge_tags, generator).

A recount is one indexed count per call, whatever the number of tags, and exact: it
never adds or subtracts, so it cannot drift.
"""

from django.db.models import Count
from django.utils import timezone
from taggit.models import Tag

from .models import Article, TaggedArticle, TopicCount, published_q

ITEMS = "articles_taggedarticle_items"


def recount(tag_ids=None):
    """Count again the tags with these ids (every tag when None)."""
    tags = Tag.objects.all()
    if tag_ids is not None:
        tag_ids = {pk for pk in tag_ids if pk is not None}
        if not tag_ids:
            return
        tags = tags.filter(pk__in=tag_ids)
    live = published_q(f"{ITEMS}__content_object__")
    counts = tags.annotate(n=Count(ITEMS, filter=live)).values_list("pk", "n").order_by()
    rows = [TopicCount(tag_id=pk, articles=n) for pk, n in counts]
    TopicCount.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["tag"], update_fields=["articles"]
    )


def recount_articles(article_ids):
    """Count again every tag of these articles."""
    tag_ids = TaggedArticle.objects.filter(content_object_id__in=article_ids)
    recount(set(tag_ids.values_list("tag_id", flat=True)))


def went_live(since):
    """Count again the tags of articles whose scheduled time came between `since` (the
    earliest scheduled time when content last changed) and now."""
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    due = articles.filter(published_at__gte=since, published_at__lte=timezone.now())
    recount_articles(due.values("pk"))
