"""Tags in the admin: suggestions while typing, and merging duplicates."""

from django.contrib.admin.models import LogEntry
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article

SUGGEST = reverse("admin:articles_article_tag_suggestions")
TAGS = reverse("admin:taggit_tag_changelist")
PREVIEW = reverse("admin:articles_article_markdown_preview")


def test_suggestions_offer_existing_tags_prefix_matches_first(admin_client, make_article):
    make_article(tags=["Fintech", "AI", "Hong Kong"])
    make_article(tags=["AI", "Chips"])
    make_article(tags=["Cyber-AI"])
    response = admin_client.get(SUGGEST, {"q": "ai"})
    assert response.status_code == 200
    assert response.json() == {"tags": ["AI", "Cyber-AI"]}
    assert admin_client.get(SUGGEST, {"q": "f"}).json()["tags"] == ["Fintech"]
    assert len(admin_client.get(SUGGEST).json()["tags"]) == 5


def test_suggestions_ignore_control_characters(admin_client, make_article):
    """Once a 500 on PostgreSQL, which cannot hold NUL in text (found by hypothesis)."""
    make_article(tags=["Fintech"])
    response = admin_client.get(SUGGEST, {"q": "fin\x00"})
    assert response.status_code == 200
    assert response.json() == {"tags": ["Fintech"]}


def test_tag_input_is_wired_to_the_suggestions(admin_client):
    page = admin_client.get(reverse("admin:articles_article_add")).content.decode()
    assert f'data-suggest-url="{SUGGEST}"' in page
    assert "js/admin-editor.js" in page


def test_suggestions_need_an_editor(client, make_article, django_user_model):
    make_article(tags=["Secret"])
    assert client.get(SUGGEST).status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_user("x", is_staff=True))
    assert client.get(SUGGEST).status_code == 403


def test_merging_duplicate_tags_keeps_every_articles_tagging(
    admin_client, admin_user, make_article
):
    both = make_article(tags=["AI", "A.I."])
    upper = make_article(tags=["AI"])
    dotted = make_article(tags=["A.I."])
    mixed = make_article(tags=["Artificial intelligence", "A.I."])  # two merged into one
    keep = Tag.objects.get(name="AI")
    chosen = Tag.objects.filter(name__in=["AI", "A.I.", "Artificial intelligence"])
    data = {"action": "merge_tags", "_selected_action": [t.pk for t in chosen]}

    confirm = admin_client.post(TAGS, data)
    assert confirm.status_code == 200
    assert "Merge these 3 tags into one" in confirm.content.decode()

    response = admin_client.post(TAGS, {**data, "keep": keep.pk}, follow=True)
    assert "Merged" in response.content.decode()
    assert list(Tag.objects.values_list("name", flat=True)) == ["AI"]
    for article in (both, upper, dotted, mixed):
        assert list(Article.objects.get(pk=article.pk).tags.names()) == ["AI"]
    entry = LogEntry.objects.get(object_id=str(keep.pk))
    assert entry.user == admin_user
    assert entry.get_change_message().startswith("Merged ")


def test_merging_needs_two_tags(admin_client, make_article):
    make_article(tags=["Solo"])
    response = admin_client.post(
        TAGS,
        {"action": "merge_tags", "_selected_action": [Tag.objects.get().pk]},
        follow=True,
    )
    assert "Select at least two tags to merge." in response.content.decode()


def test_markdown_preview_renders_sanitised_html(admin_client):
    response = admin_client.post(PREVIEW, {"body": "Hello *there* <script>x</script>"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<em>there</em>" in html and "<script>" not in html
    assert admin_client.get(PREVIEW).status_code == 405


def test_markdown_preview_button_is_one_click_away(admin_client, make_article):
    article = make_article()
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert f'data-url="{PREVIEW}"' in page.content.decode()
