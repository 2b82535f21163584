"""Full-text feeds: every RSS item and Atom entry carries the article's sanitised HTML,
its addresses absolute, in a document that stays valid XML whatever the article holds."""

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "http://testserver"


def rss_contents(client, url):
    """{item title: its content:encoded parsed as HTML}."""
    root = ET.fromstring(client.get(url).content)
    return {
        item.findtext("title"): BeautifulSoup(item.findtext(CONTENT), "html.parser")
        for item in root.iter("item")
    }


def atom_contents(client, url):
    root = ET.fromstring(client.get(url).content)
    found = {}
    for entry in root.iter(f"{ATOM}entry"):
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        found[entry.findtext(f"{ATOM}title")] = BeautifulSoup(content.text, "html.parser")
    return found


FEEDS = [
    ("articles:feed", [], rss_contents),
    ("articles:atom_feed", [], atom_contents),
    ("articles:tag_feed", ["finance"], rss_contents),
    ("articles:tag_atom_feed", ["finance"], atom_contents),
]


@pytest.mark.parametrize(("name", "args", "contents"), FEEDS)
def test_items_carry_the_whole_article_with_absolute_addresses(
    client, make_article, name, args, contents
):
    body = (
        "See [the other one](/articles/other/), [below](#details), "
        "[elsewhere](https://example.org/x?a=1&b=2) and ![a chart](/media/chart.png)."
    )
    make_article(
        title="Full",
        slug="full",
        tags=["Finance"],
        sections=[("", body), ("Details", "More *detail*.")],
    )
    html = contents(client, reverse(name, args=args))["Full"]
    assert [h.get_text() for h in html.select("h2")] == ["Details"]
    assert html.find("em").get_text() == "detail"
    links = [a["href"] for a in html.select("a")]
    assert links == [
        f"{BASE}/articles/other/",
        f"{BASE}/articles/full/#details",
        "https://example.org/x?a=1&b=2",
    ]
    assert [img["src"] for img in html.select("img")] == [f"{BASE}/media/chart.png"]


def test_library_images_and_the_lead_image_are_absolute(client, make_article, make_image):
    lead, inline = make_image(), make_image(alt_text="A chart")
    make_article(
        title="Pictured",
        lead_image=lead,
        sections=[("", f"Before.\n\n![]({'image:' + str(inline.pk)})\n\nAfter.")],
    )
    html = rss_contents(client, reverse("articles:feed"))["Pictured"]
    sources = [img["src"] for img in html.select("img")]
    assert len(sources) == 2 and all(src.startswith(f"{BASE}/media/") for src in sources)
    assert html.select("img")[1]["alt"] == "A chart"
    for source in html.select("source"):
        for candidate in source["srcset"].split(", "):
            assert candidate.startswith(f"{BASE}/media/"), candidate
    assert "image:" not in str(html)


HOSTILE = (
    "<script>alert(1)</script> ]]> </content:encoded></item> <![CDATA[ x ]]> "
    "&lt;/description&gt; \x01\x0b\x1f end"
)


@pytest.mark.parametrize(("name", "args", "contents"), FEEDS)
def test_a_hostile_body_cannot_break_out(client, make_article, name, args, contents):
    make_article(title="Hostile", tags=["Finance"], sections=[("<b>]]></b>", HOSTILE)])
    make_article(title="After", tags=["Finance"])
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    found = contents(client, reverse(name, args=args))  # parses as XML
    assert set(found) == {"Hostile", "After"}
    html = found["Hostile"]
    assert html.find("script") is None and html.find("item") is None
    text = html.get_text()
    assert "<script>alert(1)</script>" in text and "]]>" in text and "end" in text
    assert [h.get_text() for h in html.select("h2")] == ["<b>]]></b>"]


def test_control_characters_in_a_title_do_not_break_the_feed(client, make_article):
    make_article(title="Bell\x07 title", standfirst="Tab\x0b stand")
    root = ET.fromstring(client.get(reverse("articles:feed")).content)
    assert root.find("channel/item/title").text == "Bell title"


@pytest.mark.parametrize("name", ["articles:feed", "articles:atom_feed"])
def test_feed_query_count_is_fixed(client, make_article, django_assert_num_queries, name):
    make_article(tags=["A"])
    # The content state (page cache), the articles with their lead images, their
    # tags, their sections, their bylines.
    with django_assert_num_queries(5):
        client.get(reverse(name))
    for n in range(25):
        make_article(tags=["A", f"T{n}"], sections=[("", "a"), ("B", "b"), ("C", "c")])
    with django_assert_num_queries(5):
        client.get(reverse(name))


def test_tag_feed_query_count_is_fixed(client, make_article, django_assert_num_queries):
    make_article(tags=["Finance"])
    url = reverse("articles:tag_feed", args=["finance"])
    # The state, the tag, whether it has a published article, the articles, tags,
    # sections, bylines.
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(25):
        make_article(tags=["Finance", f"T{n}"], sections=[("", "a"), ("B", "b")])
    with django_assert_num_queries(7):
        client.get(url)


def test_library_images_cost_one_query_for_the_whole_feed(
    client, make_article, make_image, django_assert_num_queries
):
    image = make_image()
    body = f"![](image:{image.pk})"
    make_article(sections=[("", body)])
    # As above, and the library images of every item's sections.
    with django_assert_num_queries(6):
        client.get(reverse("articles:feed"))
    for _ in range(10):
        make_article(sections=[("", body), ("B", f"![](image:{make_image().pk})")])
    with django_assert_num_queries(6):
        client.get(reverse("articles:feed"))


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("articles:feed", []),
        ("articles:atom_feed", []),
        ("articles:tag_feed", ["bell-topic"]),
        ("articles:tag_atom_feed", ["bell-topic"]),
        ("articles:author_feed", ["bell-person"]),
        ("articles:author_atom_feed", ["bell-person"]),
    ],
)
def test_control_characters_in_topics_and_names_do_not_break_the_feeds(
    client, make_article, name, args
):
    """A topic's or a person's name reaches the feed as a category, a byline, the feed's
    title: the RSS feeds answered 500 and the Atom ones invalid XML (an attribute)."""
    from articles.models import Byline, Person

    article = make_article(title="Named", tags=["Bell\x07 topic"])
    person = Person.objects.create(name="Bell\x06 person", slug="bell-person")
    Byline.objects.create(article=article, person=person)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    text = response.content.decode()
    assert "\x07" not in text and "\x06" not in text
    ET.fromstring(response.content)  # well-formed
    assert "Bell topic" in text and "Bell person" in text
