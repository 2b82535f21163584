"""Any history can be restored: random edit sequences through the admin's form, then
every earlier version is opened from History and saved, and the article is exactly
what it was then (issue 12, observation 4). Runs on SQLite and on PostgreSQL."""

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reversion.models import Version

from articles.models import Article, Section
from tests.helpers import change_url, form_data
from tests.test_revisions import restore

WORDS = ["Intro", "Banks", "Hospitals", "Schools", "Law", "香港", "Data"]

edit = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(WORDS), st.sampled_from(WORDS)),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("rename"), st.integers(0, 5), st.sampled_from(WORDS)),
    st.tuples(st.just("body"), st.integers(0, 5), st.sampled_from(WORDS)),
    st.tuples(st.just("reorder"), st.randoms(use_true_random=False)),
    st.tuples(st.just("title"), st.sampled_from(WORDS)),
    st.tuples(st.just("slug"), st.sampled_from(["one", "two", "three"])),
    st.tuples(st.just("tags"), st.lists(st.sampled_from(WORDS), max_size=3)),
    st.tuples(st.just("status"), st.sampled_from(["draft", "review", "published"])),
)


def apply(data, operation):
    """Change the form data `data` as a person would for one edit."""
    kind, *args = operation
    count = int(data["sections-TOTAL_FORMS"])
    if kind == "add":
        data[f"sections-{count}-heading"], data[f"sections-{count}-body"] = args
        data["sections-TOTAL_FORMS"] = str(count + 1)
    elif kind in ("delete", "rename", "body") and count:
        n = args[0] % count
        if kind == "delete":
            data[f"sections-{n}-DELETE"] = "on"
        else:
            data[f"sections-{n}-{'heading' if kind == 'rename' else 'body'}"] += f" {args[1]}"
    elif kind == "reorder" and count:
        positions = list(range(count))
        args[0].shuffle(positions)
        for n, position in enumerate(positions):
            data[f"sections-{n}-position"] = str(position)
    elif kind == "title":
        data["title"] = f"{data['title']} {args[0]}"[-150:]
    elif kind == "slug":
        data["slug"] = f"story-{args[0]}"
    elif kind == "tags":
        data["tags"] = ", ".join(sorted(set(args[0])))
    elif kind == "status":
        data["status"] = args[0]


def state(article_pk):
    """What the change page shows: the article's fields, tags and sections in order."""
    article = Article.objects.get(pk=article_pk)
    sections = Section.objects.filter(article_id=article_pk).order_by("position")
    return (
        article.title,
        article.slug,
        article.standfirst,
        article.status,
        article.published_at and article.published_at.replace(microsecond=0),  # as shown
        sorted(article.tags.names()),
        list(sections.values_list("position", "heading", "anchor", "body")),
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(edit, min_size=1, max_size=5), order=st.randoms(use_true_random=False))
def test_every_earlier_version_restores_exactly(editor, client_for, edits, order):
    client = client_for(editor)
    with transaction.atomic():
        article = Article.objects.create(title="Story", slug="story", status="draft")
        for position, heading in enumerate(["Intro", "Banks", "Law"]):
            Section.objects.create(article=article, position=position, heading=heading, body="x")
        seen = []  # (version, state) after each save
        for operation in edits:
            # Every save goes live ("Publish changes", past the checks before publishing).
            data = {**form_data(client.get(change_url(article)), publish=True)}
            data["publish_anyway"] = "1"
            apply(data, operation)
            response = client.post(change_url(article), data)
            assert response.status_code == 302, response.content.decode()[:3000]
            seen.append((Version.objects.get_for_object(article).first(), state(article.pk)))
        order.shuffle(seen)
        for version, expected in seen:
            assert restore(client, article, version).status_code == 302
            assert state(article.pk) == expected
        transaction.set_rollback(True)
