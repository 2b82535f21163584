"""The image library in the admin: uploading through the real form, the refusals,
finding images, where they are used, lead images on the article form, deleting."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image as Pillow

from articles.models import Article, Image
from tests.helpers import change_url, form_data, form_fields, picture_bytes, texts

ADD = reverse("admin:articles_image_add")
CHANGELIST = reverse("admin:articles_image_changelist")


def image_url(image):
    return reverse("admin:articles_image_change", args=[image.pk])


def upload(client, data, name="photo.jpg", content_type="image/jpeg", **fields):
    fields.setdefault("alt_text", "Cranes at Kwai Tsing at night")
    body = {"caption": "", "credit": "", "focal_x": "0.5", "focal_y": "0.5", **fields}
    body["upload"] = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(ADD, body)


def errors(response):
    page = BeautifulSoup(response.content, "html.parser")
    return " ".join(e.get_text(" ", strip=True) for e in page.select(".errorlist"))


def test_an_author_uploads_an_image_through_the_form(client_for, author):
    client = client_for(author)
    assert client.get(ADD).status_code == 200
    response = upload(
        client, picture_bytes((1800, 1200)), caption="The quay.", credit="HKAI", focal_x="0.3"
    )
    assert response.status_code == 302, errors(response)
    image = Image.objects.get()
    assert (image.alt_text, image.caption, image.credit) == (
        "Cranes at Kwai Tsing at night",
        "The quay.",
        "HKAI",
    )
    assert image.uploaded_by == author and image.focal_x == 0.3
    assert {r["width"] for r in image.renditions if r["kind"] == "full"} == {400, 800, 1200, 1600}
    assert "photo" not in image.name  # stored names are generated


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.jpg", "The submitted file is empty."),
        (b"not a picture at all", "notes.jpg", "not a picture that can be read"),
        (b"<svg onload=alert(1)><script>alert(1)</script></svg>", "logo.svg", "markup"),
        (picture_bytes((400, 300))[:3000], "cut.jpg", "damaged or incomplete"),
    ],
    ids=["zero-bytes", "text-as-jpg", "svg-with-script", "truncated"],
)
def test_bad_files_get_a_clear_form_error_and_nothing_is_saved(admin_client, data, name, message):
    response = upload(admin_client, data, name=name)
    assert response.status_code == 200
    assert message in errors(response)
    assert not Image.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(admin_client, settings):
    settings.IMAGE_MAX_BYTES = 100_000
    response = upload(admin_client, picture_bytes((2000, 1500), quality=95))
    assert "images may be at most 0.1 MB" in errors(response)
    assert not Image.objects.exists()


def test_alt_text_is_required_unless_decorative_and_has_a_limit(admin_client):
    response = upload(admin_client, picture_bytes((600, 400)), alt_text="")
    assert "Describe the image, or mark it decorative" in errors(response)
    response = upload(admin_client, picture_bytes((600, 400)), alt_text="x" * 10_000)
    assert "at most 300 characters" in errors(response)
    assert not Image.objects.exists()
    response = upload(admin_client, picture_bytes((600, 400)), alt_text="", decorative="on")
    assert response.status_code == 302
    assert Image.objects.get().alt == ""


def test_the_same_picture_twice_points_to_the_first(admin_client):
    data = picture_bytes((600, 400))
    assert upload(admin_client, data).status_code == 302
    response = upload(admin_client, data, name="again.jpg")
    assert "already in the library" in errors(response)
    assert Image.objects.count() == 1


def test_the_library_searches_alt_text_caption_and_credit(admin_client, make_image):
    make_image(size=(500, 400), alt_text="A tram on Des Voeux Road")
    make_image(size=(500, 400), alt_text="Chart", caption="Venture funding by year")
    make_image(size=(500, 400), alt_text="Portrait", credit="Studio Lantau")
    for query, expected in [("tram", "A tram"), ("funding", "Chart"), ("lantau", "Portrait")]:
        found = texts(admin_client.get(CHANGELIST, {"q": query}), "td.field-label, th.field-label")
        assert len(found) == 1 and found[0].startswith(expected), (query, found)
    page = BeautifulSoup(admin_client.get(CHANGELIST).content, "html.parser")
    assert len(page.select("img.image-thumbnail")) == 3


def test_the_library_query_count_does_not_grow(admin_client, make_image, make_article):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(queries)

    make_article(lead_image=make_image(size=(500, 400)))
    small = count()
    for _ in range(6):
        make_article(lead_image=make_image(size=(500, 400)))
    assert count() == small


def test_an_article_takes_a_lead_image_in_its_form(admin_client, make_article, make_image):
    image = make_image(size=(900, 600))
    article = make_article()
    form = admin_client.get(change_url(article))
    data = form_data(form, publish=True)  # a live article: the change goes live
    assert "lead_image" in data
    data["lead_image"] = str(image.pk)
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.lead_image == image
    # "+" beside the field opens the library's upload form: choose or upload.
    page = BeautifulSoup(form.content, "html.parser")
    assert page.select_one("#add_id_lead_image")["href"].startswith(ADD)
    picked = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "test",
            "app_label": "articles",
            "model_name": "article",
            "field_name": "lead_image",
        },
    )
    assert str(image.pk) in [r["id"] for r in picked.json()["results"]]


def test_the_change_page_shows_where_an_image_is_used(admin_client, make_article, make_image):
    image = make_image(size=(900, 600))
    make_article(title="Leads with it", lead_image=image)
    make_article(title="Shows it inside", sections=[("", f"![x](image:{image.pk})")])
    make_article(title="Unrelated", sections=[("", f"![x](image:{image.pk}0)")])
    page = admin_client.get(image_url(image)).content.decode()
    assert "Leads with it" in page and "Shows it inside" in page and "Unrelated" not in page
    assert f"![{image.alt_text}](image:{image.pk})" in page


def test_deleting_an_image_in_use_is_refused_with_the_articles(
    admin_client, make_article, make_image
):
    image = make_image(size=(900, 600))
    make_article(title="Leads with it", lead_image=image)
    inline = make_image(size=(900, 600))
    make_article(title="Shows it inside", sections=[("", f"Text\n\n![x](image:{inline.pk})")])
    delete = reverse("admin:articles_image_delete", args=[image.pk])
    page = admin_client.get(delete).content.decode()
    assert "Leads with it" in page and "Cannot delete" in page
    admin_client.post(delete, {"post": "yes"})
    assert Image.objects.filter(pk=image.pk).exists()
    delete = reverse("admin:articles_image_delete", args=[inline.pk])
    assert "Shows it inside" in admin_client.get(delete).content.decode()
    admin_client.post(delete, {"post": "yes"})
    assert Image.objects.filter(pk=inline.pk).exists()
    unused = make_image(size=(900, 600))
    admin_client.post(reverse("admin:articles_image_delete", args=[unused.pk]), {"post": "yes"})
    assert not Image.objects.filter(pk=unused.pk).exists()


def test_moving_the_focal_point_makes_new_crops(admin_client, make_article, make_image, client):
    image = make_image(size=(3000, 1000), focal_x=0.0)
    article = make_article(lead_image=image)
    before = client.get("/").content.decode()
    data = form_fields(admin_client.get(image_url(image)).content.decode(), "form#image_form")
    data["focal_x"] = "1"
    assert admin_client.post(image_url(image), data).status_code == 302
    image.refresh_from_db()
    card = next(r for r in image.renditions if r["kind"] == "card" and r["format"] == "jpeg")
    assert card["name"] not in before
    assert card["name"] in client.get("/").content.decode()  # the page moved on at once
    from django.core.files.storage import storages

    with storages["default"].open(card["name"]) as handle:
        crop = Pillow.open(io.BytesIO(handle.read()))
        assert crop.size == (400, 267)
    assert Article.objects.get(pk=article.pk).lead_image_id == image.pk


def test_an_author_changes_only_the_images_they_uploaded(
    client_for, author, other_author, editor, make_image, make_article
):
    theirs = make_image(size=(600, 400), alt_text="The quay at dawn")
    theirs.uploaded_by = other_author
    theirs.save()
    make_article(lead_image=theirs)  # live: its alt text is on the site
    client = client_for(author)
    page = client.get(image_url(theirs))
    assert page.status_code == 200  # they may still find it and copy its Markdown
    assert "alt_text" not in form_fields(page.content.decode(), "form#image_form")
    body = {"alt_text": "Defaced", "caption": "", "credit": "", "focal_x": "0", "focal_y": "0"}
    assert client.post(image_url(theirs), body).status_code == 403
    theirs.refresh_from_db()
    assert (theirs.alt_text, theirs.focal_x) == ("The quay at dawn", 0.5)
    mine = make_image(size=(600, 401), alt_text="Mine")
    mine.uploaded_by = author
    mine.save()
    assert client.post(image_url(mine), {**body, "alt_text": "Mine, described"}).status_code == 302
    assert client_for(editor).post(image_url(theirs), body).status_code == 302
    theirs.refresh_from_db()
    assert theirs.alt_text == "Defaced"


def test_too_long_alt_text_gets_one_error_about_its_length(admin_client):
    response = upload(admin_client, picture_bytes((600, 400)), alt_text="x" * 10_000)
    assert "at most 300 characters (it has 10000)" in errors(response)
    assert "Describe the image" not in errors(response)


def test_the_delete_refusal_names_each_article_once(admin_client, make_article, make_image):
    image = make_image(size=(900, 600))
    make_article(title="Leads with it", lead_image=image)
    make_article(
        title="Leads and shows it",
        lead_image=image,
        sections=[("", f"![x](image:{image.pk})")],
    )
    make_article(title="Shows it inside", sections=[("", f"![x](image:{image.pk})")])
    page = admin_client.get(reverse("admin:articles_image_delete", args=[image.pk]))
    listed = texts(page, "#content ul li")
    assert sorted(listed) == [
        "Article: Leads and shows it",
        "Article: Leads with it",
        f"Article: Shows it inside shows {image}",
    ]


def test_an_image_in_draft_changes_cannot_be_deleted(admin_client, make_article, make_image):
    lead = make_image(size=(900, 600))
    inline = make_image(size=(900, 601))
    for title, change in [
        ("Will lead with it", {"lead_image": str(lead.pk)}),
        ("Will show it", {"sections-0-body": f"New\n\n![x](image:{inline.pk})"}),
    ]:
        live = make_article(title=title, sections=[("Harbour", "Old text.")])
        data = {**form_data(admin_client.get(change_url(live))), **change}
        assert admin_client.post(change_url(live), data).status_code == 302  # draft saved
        assert live.draft and not live.sections.filter(body__contains="image:").exists()
    for image, title in [(lead, "Will lead with it"), (inline, "Will show it")]:
        delete = reverse("admin:articles_image_delete", args=[image.pk])
        assert f"Article: {title} shows {image}" in texts(admin_client.get(delete), "#content li")
        admin_client.post(delete, {"post": "yes"})
        assert Image.objects.filter(pk=image.pk).exists()


@pytest.mark.parametrize(
    "body",
    ["![x][chart]\n\n[chart]: image:{pk}", "![x](<image:{pk}>)", '![x](image:{pk}\n"A title")'],
    ids=["reference-style", "angle-brackets", "title-on-next-line"],
)
def test_an_image_shown_by_any_markdown_form_cannot_be_deleted(
    admin_client, client, make_article, make_image, body
):
    image = make_image(size=(900, 600))
    other = make_image(size=(900, 601))
    article = make_article(title="Shows it", sections=[("", body.format(pk=image.pk))])
    page = client.get(article.get_absolute_url()).content.decode()
    assert image.renditions[0]["name"].rsplit("/", 1)[0] in page  # the page shows it
    delete = reverse("admin:articles_image_delete", args=[image.pk])
    assert f"Article: Shows it shows {image}" in texts(admin_client.get(delete), "#content li")
    admin_client.post(delete, {"post": "yes"})
    assert Image.objects.filter(pk=image.pk).exists()
    admin_client.post(reverse("admin:articles_image_delete", args=[other.pk]), {"post": "yes"})
    assert not Image.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite takes the write lock first: no race"
)
def test_the_same_picture_added_twice_at_once_gets_a_form_error(admin_client):
    """Another editor's upload of the same picture commits between this form's check
    and its insert (a thread on its own connection, from pre_save)."""
    import threading

    from django.db import connections
    from django.db.models.signals import pre_save

    from articles import images

    data = picture_bytes((600, 400))

    def other_editor():
        Image.objects.bulk_create([images.ingest(data, alt_text="Theirs")])
        connections.close_all()

    def meanwhile(sender, instance, **kwargs):
        if not Image.objects.filter(sha256=instance.sha256).exists():
            thread = threading.Thread(target=other_editor)
            thread.start()
            thread.join()

    pre_save.connect(meanwhile, sender=Image)
    try:
        response = upload(admin_client, data, alt_text="Mine")
    finally:
        pre_save.disconnect(meanwhile, sender=Image)
    assert response.status_code == 200
    assert "already in the library" in errors(response)
    assert list(Image.objects.values_list("alt_text", flat=True)) == ["Theirs"]
