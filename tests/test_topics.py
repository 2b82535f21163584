"""Topic counts are kept in the database (articles/topics.py) and never drift: after any
change, the count on /tags/ and on the topic's page is the number of articles readers
can see with that topic."""

import datetime
import random

import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, TopicCount
from articles.topics import merge_tags
from devtools.generator import generate

TOPICS = ["Finance", "Health", "Ports", "Schools", "香港"]


def shown(client):
    """{topic: count} as /tags/ shows them."""
    page = BeautifulSoup(client.get(reverse("articles:tag_index")).content, "html.parser")
    counts = {}
    for item in page.select(".topic-list li"):
        name, count, _ = item.get_text(" ", strip=True).rsplit(" ", 2)
        counts[name] = int(count)
    return counts


def counted_from_scratch():
    """The same counts, counted the slow way."""
    counts = {}
    for article in Article.objects.published().prefetch_related("tags"):
        for tag in article.tags.all():
            counts[tag.name] = counts.get(tag.name, 0) + 1
    return counts


def test_counts_follow_publishing_unpublishing_tagging_and_deleting(client, make_article):
    first = make_article(tags=["Finance", "Health"])
    second = make_article(tags=["Finance"])
    draft = make_article(tags=["Finance", "Ports"], status=Article.Status.DRAFT)
    assert shown(client) == {"Finance": 2, "Health": 1}

    draft.status, draft.published_at = Article.Status.PUBLISHED, timezone.now()
    draft.save()
    assert shown(client) == {"Finance": 3, "Health": 1, "Ports": 1}

    first.status = Article.Status.DRAFT
    first.save()
    assert shown(client) == {"Finance": 2, "Ports": 1}

    second.tags.add("Health")
    second.tags.remove("Finance")
    assert shown(client) == {"Finance": 1, "Health": 1, "Ports": 1}

    draft.delete()
    assert shown(client) == {"Health": 1}
    Tag.objects.get(name="Health").delete()
    assert shown(client) == {}
    assert not TopicCount.objects.filter(articles__gt=0).exists()


def test_a_topic_page_counts_and_pages_with_the_kept_count(client, make_article):
    for _ in range(12):
        make_article(tags=["Finance"])
    url = reverse("articles:tag", args=["finance"])
    assert "12 articles" in client.get(url).content.decode()
    assert client.get(url, {"page": 2}).status_code == 200
    Article.objects.filter(tags__name="Finance").first().delete()
    assert "11 articles" in client.get(url).content.decode()
    for article in Article.objects.all():
        article.tags.clear()
    assert client.get(url).status_code == 404


def test_a_scheduled_article_counts_when_its_time_comes(client, make_article):
    make_article(tags=["Finance"])
    soon = timezone.now() + datetime.timedelta(minutes=5)
    make_article(tags=["Finance", "Ports"], published_at=soon)
    assert shown(client) == {"Finance": 1}
    with time_machine.travel(soon + datetime.timedelta(seconds=1)):
        assert shown(client) == {"Finance": 2, "Ports": 1}
        assert client.get(reverse("api:tags")).json()[0]["article_count"] == 2


def test_merging_topics_adds_up_their_articles(client, make_article):
    make_article(tags=["AI", "A.I."])
    make_article(tags=["A.I."])
    make_article(tags=["AI"])
    merge_tags(Tag.objects.get(name="AI"), [Tag.objects.get(name="A.I.")])
    assert shown(client) == {"AI": 3}


def test_generated_articles_are_counted(client, db):
    generate(60, seed=3)
    assert shown(client) == counted_from_scratch()
    assert sum(shown(client).values()) >= 120  # 2–6 topics an article


def test_counts_never_drift_over_random_edits(client, make_article):
    rng = random.Random(5)
    articles = [make_article(tags=rng.sample(TOPICS, 2)) for _ in range(8)]
    for _ in range(60):
        article = rng.choice(articles)
        action = rng.randrange(4)
        if action == 0:
            article.tags.add(rng.choice(TOPICS))
        elif action == 1:
            article.tags.remove(rng.choice(TOPICS))
        elif action == 2:
            published = article.status == Article.Status.PUBLISHED
            article.status = Article.Status.DRAFT if published else Article.Status.PUBLISHED
            article.save()
        else:
            article.tags.set(rng.sample(TOPICS, rng.randint(0, 3)))
        assert shown(client) == counted_from_scratch()


def test_the_admin_publish_and_unpublish_actions_update_counts(admin_client, client, make_article):
    draft = make_article(tags=["Finance"], status=Article.Status.DRAFT)
    undated = make_article(tags=["Ports"], published_at=None)  # published, but no date yet
    changelist = reverse("admin:articles_article_changelist")
    selected = {"_selected_action": [draft.pk, undated.pk]}
    admin_client.post(changelist, {"action": "publish", **selected})
    assert shown(client) == {"Finance": 1, "Ports": 1}
    admin_client.post(changelist, {"action": "unpublish", **selected})
    assert shown(client) == {}


def test_the_time_rule_and_its_complement_partition_the_live_articles(make_article):
    """waiting_q() is written out, not negated (for the index): every live-state article
    is either shown or waiting, never both, at every moment, including a time of None."""
    from django.db import connection

    from articles.models import live_state_q, published_q, waiting_q

    now = timezone.now().replace(microsecond=0)
    times = [None, now - datetime.timedelta(days=1), now, now + datetime.timedelta(seconds=1)]
    made = {}
    for status in Article.Status.values:
        for at in times:
            made[make_article(status=status, published_at=at).pk] = (status, at)

    def ids(q):
        return set(Article.objects.filter(q).values_list("pk", flat=True))

    live = ids(live_state_q())
    assert len(live) == len(times)
    shown, waiting = ids(published_q(now=now)), ids(waiting_q(now=now))
    assert shown | waiting == live and not shown & waiting
    assert {made[pk][1] for pk in waiting} == {None, times[3]}
    # A range of the (status, published_at) index, not every published article.
    if connection.vendor == "sqlite":
        plan = Article.objects.filter(waiting_q(now=now)).values("pk").explain()
        assert "article_published_order (status=? AND published_at>?)" in plan, plan


def test_every_topic_on_the_index_links_to_its_page(client, make_article):
    for name in ["Finance", "香港 科技", "C++ & Rust", "Ünïcode"]:
        make_article(tags=[name])
    page = BeautifulSoup(client.get(reverse("articles:tag_index")).content, "html.parser")
    links = {a.get_text(): a["href"] for a in page.select(".topic-list a")}
    assert links == {
        tag.name: reverse("articles:tag", args=[tag.slug]) for tag in Tag.objects.all()
    }
    for href in links.values():
        assert client.get(href).status_code == 200
