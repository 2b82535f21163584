"""Topic counts are kept in the database (articles/topics.py) and never drift: after any
change, the count on /tags/ and on the topic's page is the number of articles readers
can see with that topic."""

import datetime
import random

import pytest
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


# Topic descriptions: written by an editor, shown on the topic's page and as its
# description for search engines and link previews, fresh at once.


def topic_page(client, slug):
    return BeautifulSoup(client.get(reverse("articles:tag", args=[slug])).content, "html.parser")


def describe(tag, text):
    from articles.models import TopicProfile

    profile, _ = TopicProfile.objects.get_or_create(tag=tag)
    profile.description = text
    profile.save()
    return profile


def test_a_topic_shows_its_description_and_uses_it_as_meta_description(client, make_article):
    make_article(tags=["Finance"])
    describe(
        Tag.objects.get(name="Finance"),
        "Banks & **insurers** in Hong Kong <script>alert(1)</script>\n\n![](image:7)",
    )
    page = topic_page(client, "finance")
    description = page.select_one(".topic-description")
    assert description.find("strong").get_text() == "insurers"
    assert description.find("script") is None and description.find("img") is None
    summary = "Banks & insurers in Hong Kong <script>alert(1)</script>"
    assert page.find("meta", attrs={"name": "description"})["content"] == summary
    assert page.find("meta", property="og:description")["content"] == summary


def test_a_topic_without_a_description_keeps_the_plain_one(client, make_article):
    make_article(tags=["Finance"])
    page = topic_page(client, "finance")
    assert page.select_one(".topic-description") is None
    assert page.find("meta", attrs={"name": "description"})["content"] == (
        "HKAI articles about Finance."
    )


def test_a_long_description_is_cut_for_the_meta_description(client, make_article):
    make_article(tags=["Finance"])
    describe(Tag.objects.get(name="Finance"), "word " * 300)
    content = topic_page(client, "finance").find("meta", attrs={"name": "description"})["content"]
    assert len(content) <= 160 and content.endswith("…")


def test_a_description_change_shows_at_once(client, make_article):
    from articles.models import TopicProfile

    make_article(tags=["Finance"])
    tag = Tag.objects.get(name="Finance")
    describe(tag, "First words.")
    assert topic_page(client, "finance").select_one(".topic-description").get_text(strip=True) == (
        "First words."
    )  # and cached
    describe(tag, "Second words.")
    assert "Second words." in topic_page(client, "finance").select_one(".topic-description").text
    TopicProfile.objects.filter(tag=tag).update(description_html="<p>Third.</p>")  # no save()
    assert "Third." in topic_page(client, "finance").select_one(".topic-description").text
    TopicProfile.objects.filter(tag=tag).delete()
    assert topic_page(client, "finance").select_one(".topic-description") is None


def test_editors_write_descriptions_in_the_tag_admin(admin_client, client, make_article):
    make_article(tags=["Finance"])
    tag = Tag.objects.get(name="Finance")
    url = reverse("admin:taggit_tag_change", args=[tag.pk])
    form = admin_client.get(url).content.decode()
    assert 'name="profile-0-description"' in form
    data = {
        "name": "Finance",
        "slug": "finance",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-tag": tag.pk,
        "profile-0-description": "Money *and* machines.",
    }
    assert admin_client.post(url, data).status_code == 302
    assert topic_page(client, "finance").select_one(".topic-description em").text == "and"
    too_long = admin_client.post(url, {**data, "profile-0-description": "x" * 2001})
    assert too_long.status_code == 200
    assert "Ensure this value has at most 2000 characters" in too_long.content.decode()


def test_the_database_refuses_an_over_long_description(make_article):
    from django.db import IntegrityError, transaction

    from articles.models import TopicProfile

    make_article(tags=["Finance"])
    profile = describe(Tag.objects.get(name="Finance"), "Short.")
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicProfile.objects.filter(pk=profile.pk).update(description="x" * 2001)


def test_a_topic_page_with_a_description_costs_no_extra_query(
    client, make_article, django_assert_num_queries
):
    for _ in range(3):
        make_article(tags=["Finance"])
    describe(Tag.objects.get(name="Finance"), "About money.")
    # As tests/test_tags.py: the description comes with the tag.
    with django_assert_num_queries(7):
        client.get(reverse("articles:tag", args=["finance"]))


# Renamed and merged topics: the old address answers 301 to the topic's page now.


def rename(tag, slug):
    tag.slug = slug
    tag.save()


def answer(client, slug, suffix=""):
    response = client.get(reverse("articles:tag", args=[slug]) + suffix)
    return response.status_code, response.headers.get("Location")


def test_a_renamed_topic_answers_its_old_address_with_301(admin_client, client, make_article):
    make_article(tags=["Fintech"])
    tag = Tag.objects.get(name="Fintech")
    data = {
        "name": "Financial technology",
        "slug": "financial-technology",
        "profile-TOTAL_FORMS": "0",
        "profile-INITIAL_FORMS": "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
    }
    assert admin_client.get(reverse("admin:taggit_tag_change", args=[tag.pk])).status_code == 200
    response = admin_client.post(reverse("admin:taggit_tag_change", args=[tag.pk]), data)
    assert response.status_code == 302
    assert answer(client, "fintech", "?page=1") == (
        301,
        "/tags/financial-technology/?page=1",
    )
    assert client.get("/tags/financial-technology/").status_code == 200
    feed = client.get(reverse("articles:tag_feed", args=["fintech"]))
    assert (feed.status_code, feed["Location"]) == (301, "/tags/financial-technology/feed/")
    atom = client.get(reverse("articles:tag_atom_feed", args=["fintech"]))
    assert atom["Location"] == "/tags/financial-technology/feed/atom/"


def test_a_chain_of_renames_and_a_rename_back_lead_to_the_topic_now(client, make_article):
    make_article(tags=["A"])
    tag = Tag.objects.get(name="A")
    rename(tag, "b")
    rename(tag, "c")
    assert answer(client, "a") == (301, "/tags/c/")
    assert answer(client, "b") == (301, "/tags/c/")
    rename(tag, "a")  # back where it started: no loop
    assert answer(client, "a") == (200, None)
    assert answer(client, "b") == (301, "/tags/a/")
    assert answer(client, "c") == (301, "/tags/a/")


def test_merged_topics_old_addresses_lead_to_the_kept_one(client, make_article):
    make_article(tags=["AI"])
    make_article(tags=["A.I."])
    make_article(tags=["Machine intelligence"])
    dotted = Tag.objects.get(name="A.I.")
    first = dotted.slug
    rename(dotted, "a-i-dotted")  # a redirect of its own, which must follow the merge
    merge_tags(Tag.objects.get(name="AI"), [dotted, Tag.objects.get(name="Machine intelligence")])
    assert dotted.slug == "a-i-dotted"
    for slug in (first, "a-i-dotted", "machine-intelligence"):
        assert answer(client, slug) == (301, "/tags/ai/"), slug
    assert answer(client, "ai") == (200, None)


def test_an_old_slug_taken_by_a_new_topic_belongs_to_it(client, make_article):
    from articles.models import TopicRedirect

    make_article(tags=["Old"])
    Tag.objects.filter(name="Old").update(name="Renamed", slug="renamed")  # update(): triggers
    assert answer(client, "old") == (301, "/tags/renamed/")
    make_article(title="Newcomer", tags=["Old"])  # a new topic, slug "old" again
    assert answer(client, "old") == (200, None)
    titles = [a.get_text(strip=True) for a in topic_page(client, "old").select(".card__title")]
    assert titles == ["Newcomer"]
    assert not TopicRedirect.objects.filter(old_slug="old").exists()
    assert answer(client, "renamed") == (200, None)


def test_unknown_topics_are_still_404(client, db):
    assert answer(client, "never-was") == (404, None)
    feed = client.get(reverse("articles:tag_feed", args=["never-was"]))
    assert feed.status_code == 404
