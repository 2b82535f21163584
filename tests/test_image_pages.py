"""What readers get from images: <picture> on pages and cards, link previews, feeds,
the API, Markdown, files served for a year, and query counts that images do not move."""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from articles.models import Article, Section
from tests.helpers import unchanged_state


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_the_lead_image_is_a_picture_that_loads_first(client, make_article, make_image):
    image = make_image(size=(2400, 1600), caption="A harbour at dusk.", credit="HKAI")
    article = make_article(lead_image=image)
    page = soup(client.get(article.get_absolute_url()))
    figure = page.select_one("article figure.figure--lead")
    picture = figure.select_one("picture")
    types = [source["type"] for source in picture.select("source")]
    assert types == ["image/avif", "image/webp"]
    img = picture.select_one("img")
    assert img["alt"] == image.alt_text
    assert img["fetchpriority"] == "high" and not img.has_attr("loading")
    assert (img["width"], img["height"]) == ("1600", "1067")
    widths = [entry.split()[-1] for entry in img["srcset"].split(", ")]
    assert widths == ["400w", "800w", "1200w", "1600w"]
    assert img["sizes"]
    assert figure.select_one("figcaption").get_text(" ", strip=True) == "A harbour at dusk. HKAI"


def test_an_image_in_a_section_is_a_lazy_figure(client, make_article, make_image):
    image = make_image(size=(900, 600), caption="Chart of funding.")
    article = make_article(
        sections=[("", f"Before.\n\n![The chart, described](image:{image.pk})\n\nAfter.")]
    )
    page = soup(client.get(article.get_absolute_url()))
    figure = page.select_one("section figure")
    img = figure.select_one("img")
    assert img["alt"] == "The chart, described"  # what the editor wrote there wins
    assert img["loading"] == "lazy" and img["decoding"] == "async"
    assert figure.select_one("figcaption").get_text(strip=True) == "Chart of funding."
    assert figure.find_parent("p") is None


def test_images_within_text_keep_the_paragraph_whole(
    client, admin_client, make_article, make_image
):
    image = make_image(size=(600, 400))
    body = (
        f"![a](image:{image.pk}) starts it. Ends with ![b](image:{image.pk})\n\n"
        "![c](image:999) starts it. Ends with ![d](image:998)"
    )
    article = make_article(sections=[("", body)])
    for viewer in (client, admin_client):
        response = viewer.get(article.get_absolute_url())
        assert response.status_code == 200
        section = soup(response).select_one("section")
        paragraphs = [p.get_text(" ", strip=True) for p in section.select("p")]
        assert paragraphs[0] == "starts it. Ends with"
        assert paragraphs[1].startswith(("starts it.", "Image #999"))
        assert len(section.select("p picture")) == 2 and not section.select("figure")


def test_a_decorative_image_has_empty_alt(client, make_article, make_image):
    image = make_image(size=(600, 400), alt_text="", decorative=True)
    article = make_article(sections=[("", f"![ignored](image:{image.pk})")])
    img = soup(client.get(article.get_absolute_url())).select_one("section img")
    assert img["alt"] == ""


def test_an_unknown_image_shows_nothing_to_readers_and_a_note_to_staff(
    client, admin_client, make_article
):
    article = make_article(sections=[("", "Text.\n\n![Gone](image:999)\n\nMore text.")])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    body = soup(response).select_one("section")
    assert body.select("img") == [] and "image:999" not in str(body)
    assert "Image #999" not in response.content.decode()
    staff = admin_client.get(article.get_absolute_url())
    assert "Image #999 is not in the library" in staff.content.decode()


def test_pages_without_images_draw_no_picture(client, seeded):
    for article in seeded.values():
        page = soup(client.get(article.get_absolute_url()))
        assert page.select("picture") == [] and page.select("figure") == []
        assert page.select_one('meta[property="og:image"]') is None
    assert soup(client.get(reverse("articles:list"))).select("picture") == []


def test_cards_show_the_cropped_lead_image(client, make_article, make_image):
    image = make_image(size=(2000, 1000))
    make_article(lead_image=image, tags=["Finance"])
    make_article()
    for url in (reverse("articles:list"), reverse("articles:tag", args=["finance"])):
        cards = soup(client.get(url)).select("article.card")
        pictures = [card.select_one("picture img") for card in cards]
        with_image = [img for img in pictures if img is not None]
        assert len(with_image) == 1, url
        img = with_image[0]
        assert img["loading"] == "lazy"
        assert int(img["width"]) / int(img["height"]) == pytest.approx(1.5, abs=0.01)  # 3:2


def test_search_results_show_the_lead_image_without_another_query(
    client, make_article, make_image, django_assert_num_queries
):
    image = make_image(size=(2000, 1000))
    make_article(title="Durian with a picture", lead_image=image, sections=[("", "durian")])
    make_article(title="Durian without", sections=[("", "durian")])
    client.get("/")
    results = soup(client.get("/search/", {"q": "durian"})).select(".search-result")
    assert [bool(r.select_one("picture img[alt]")) for r in results].count(True) == 1
    make_article(title="Durian again", lead_image=image, sections=[("", "durian")])
    client.get("/")
    # As on /search/ without images (tests/test_search.py): the hits carry their images.
    # The tokens starting "durian", the ranking, the topics of the hits, the entries,
    # the sections with their articles and images.
    with django_assert_num_queries(5 + unchanged_state()):
        client.get("/search/", {"q": "DURIAN"})


def test_link_previews_and_json_ld_name_the_1200_px_crop(client, make_article, make_image):
    image = make_image(size=(2400, 1600))
    article = make_article(lead_image=image)
    page = soup(client.get(article.get_absolute_url()))
    og = page.select_one('meta[property="og:image"]')["content"]
    assert og.startswith("http://testserver/media/images/") and "social-1200" in og
    assert page.select_one('meta[property="og:image:width"]')["content"] == "1200"
    assert page.select_one('meta[property="og:image:height"]')["content"] == "630"
    assert page.select_one('meta[name="twitter:image"]')["content"] == og
    assert page.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["image"][0] == og and data["image"][1].endswith(".jpg")


def test_media_files_are_served_for_a_year(client, make_image):
    image = make_image(size=(600, 400))
    avif = next(r for r in image.renditions if r["format"] == "avif")
    response = client.get(f"/media/{avif['name']}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/avif"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(response.streaming_content).startswith(b"\0\0\0")
    assert client.get("/media/images/nothing-here.jpg").status_code == 404
    assert client.get("/media/../db.sqlite3").status_code in (400, 404)
    assert client.get("/media/images/").status_code == 404


def test_a_media_file_is_served_without_a_query(client, make_image, django_assert_num_queries):
    image = make_image(size=(600, 400))  # a write: a page would read the state again
    with django_assert_num_queries(0):  # a file is never a cached page: not looked up
        assert client.get(f"/media/{image.renditions[0]['name']}").status_code == 200


def test_feeds_carry_the_lead_image(client, make_article, make_image):
    image = make_image(size=(1600, 900))
    make_article(lead_image=image)
    rss = client.get(reverse("articles:feed")).content.decode()
    from xml.etree import ElementTree

    enclosure = ElementTree.fromstring(rss).find("channel/item/enclosure")
    assert enclosure.get("url").startswith("http://testserver/media/images/")
    assert enclosure.get("type") == "image/jpeg" and int(enclosure.get("length")) > 1000
    atom = client.get(reverse("articles:atom_feed")).content.decode()
    assert 'rel="enclosure"' in atom


def test_the_api_describes_the_lead_image(client, make_article, make_image):
    image = make_image(size=(1000, 800), caption="Caption", credit="Credit")
    article = make_article(lead_image=image)
    item = client.get(reverse("api:article", args=[article.slug])).json()
    lead = item["lead_image"]
    assert lead["alt"] == image.alt_text and lead["width"] == 800 and lead["height"] == 640
    assert lead["url"].startswith("http://testserver/media/images/")
    assert {r["type"] for r in lead["renditions"]} == {"image/avif", "image/webp", "image/jpeg"}
    schema = client.get("/api/openapi.json").json()
    assert "lead_image" in schema["components"]["schemas"]["ArticleSummary"]["properties"]
    assert "ImageOut" in schema["components"]["schemas"]


def test_markdown_output_links_the_images(client, make_article, make_image):
    lead = make_image(size=(1000, 800), alt_text="The lead")
    inline = make_image(size=(500, 400), alt_text="Inline")
    article = make_article(sections=[("", f"![]({'image:'}{inline.pk})\n\n![x](image:999)")])
    article.lead_image = lead
    article.save()
    text = client.get(reverse("articles:markdown", args=[article.slug])).content.decode()
    assert "![The lead](http://testserver/media/images/" in text
    assert "![Inline](http://testserver/media/images/" in text
    assert "image:999" not in text and "image:" not in text


def test_query_counts_stay_flat_with_images(
    client, make_article, make_image, django_assert_num_queries
):
    image = make_image(size=(900, 600))

    def grow(n):
        for i in range(n):
            article = make_article(tags=["Finance", f"T{i}"])
            article.lead_image = image
            article.save()
            Section.objects.create(
                article=article, position=5, heading="Figure", body=f"![x](image:{image.pk})"
            )

    def check(article):
        # As without images (tests/test_article_list.py and the others): the lead image
        # comes with the article (select_related). The first request after the writes
        # reads the content state; the others only when the database says it moved.
        # Each counts one prefetch of bylines with their people.
        same = unchanged_state()
        # The home page's first page also asks for the pinned leads (tests/test_leads.py).
        with django_assert_num_queries(6):
            client.get(reverse("articles:list"))
        with django_assert_num_queries(6 + same):
            client.get(reverse("articles:tag", args=["finance"]))
        with django_assert_num_queries(3 + same):
            client.get(reverse("api:articles"))
        # The feed (whole texts: sections), the detail page and the API: one more
        # query, for the images in sections.
        with django_assert_num_queries(5 + same):
            client.get(reverse("articles:feed"))
        with django_assert_num_queries(8 + same):
            client.get(article.get_absolute_url())
        with django_assert_num_queries(5 + same):
            client.get(reverse("api:article", args=[article.slug]))
        with django_assert_num_queries(5 + same):
            client.get(reverse("articles:markdown", args=[article.slug]))

    grow(3)
    check(Article.objects.first())
    grow(30)
    check(Article.objects.first())


def test_the_editors_previews_draw_library_images_not_broken_ones(
    admin_client, make_article, make_image
):
    image = make_image(size=(900, 600))
    body = f"Before.\n\n![](image:{image.pk})\n\n![](image:999999)"
    url = reverse("admin:articles_article_markdown_preview")
    html = admin_client.post(url, {"body": body}).json()["html"]
    assert "<picture" in html and 'src="image:' not in html
    assert "999999" in html  # a missing image is named to the editor
    article = make_article(sections=[("", body)])
    page = admin_client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert page.status_code == 200 and "<picture" in page.content.decode()
    assert 'src="image:' not in page.content.decode()


@pytest.mark.parametrize("reference", ["image:-{pk}", "image:abc", "image:0", "image:0{pk}"])
def test_a_malformed_library_reference_shows_nothing_anywhere(
    client, make_article, make_image, reference
):
    image = make_image(size=(600, 400))  # "image:0{pk}" is not its number
    body = "Before ![broken](" + reference.format(pk=image.pk) + ") after."
    article = make_article(sections=[("", body)])
    page = soup(client.get(article.get_absolute_url()))
    paragraph = page.select_one("section p")
    assert paragraph.select("img") == []  # no picture without an address
    assert paragraph.get_text() == "Before  after."
    markdown = client.get(article.get_absolute_url().rstrip("/") + ".md").content.decode()
    assert "Before  after." in markdown and "image:" not in markdown


@pytest.mark.parametrize(
    "body",
    ["![A chart][chart]\n\n[chart]: image:{pk}", "![A chart](<image:{pk}>)"],
    ids=["reference-style", "angle-brackets"],
)
def test_the_markdown_output_gives_every_form_of_image_its_address(
    client, make_article, make_image, body
):
    image = make_image(size=(900, 600))
    article = make_article(sections=[("", body.format(pk=image.pk))])
    markdown = client.get(article.get_absolute_url().rstrip("/") + ".md").content.decode()
    assert "image:" not in markdown
    assert "/media/images/" in markdown.split("Standfirst", 1)[1]
