"""Feeds, sitemap, robots.txt and the metadata search engines and link previews read."""

import datetime
import json
import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_rss_feed_lists_published_articles_newest_first(client, make_article):
    now = timezone.now()
    make_article(title="Older", published_at=now - datetime.timedelta(days=2), tags=["Finance"])
    newer = make_article(
        title="Newer", standfirst="Fresh.", published_at=now - datetime.timedelta(1)
    )
    make_article(title="Draft", status=Article.Status.DRAFT)
    response = client.get(reverse("articles:feed"))
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = xml(response).find("channel")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Newer", "Older"]
    assert items[0].findtext("description") == "Fresh."
    assert items[0].findtext("link") == f"http://testserver{newer.get_absolute_url()}"
    assert items[1].findtext("category") == "Finance"
    assert items[0].findtext("pubDate")


def test_atom_feed(client, make_article):
    make_article(title="Atomic", standfirst="Summary here.")
    root = xml(client.get(reverse("articles:atom_feed")))
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Atomic"
    assert entry.findtext(f"{ATOM}summary") == "Summary here."
    assert entry.find(f"{ATOM}updated") is not None


def test_tag_feeds_hold_only_that_tag(client, make_article):
    make_article(title="Money", tags=["Finance"])
    make_article(title="Health", tags=["Healthcare"])
    rss = xml(client.get(reverse("articles:tag_feed", args=["finance"])))
    assert [i.findtext("title") for i in rss.iter("item")] == ["Money"]
    atom = xml(client.get(reverse("articles:tag_atom_feed", args=["finance"])))
    assert [e.findtext(f"{ATOM}title") for e in atom.iter(f"{ATOM}entry")] == ["Money"]
    assert client.get(reverse("articles:tag_feed", args=["nothing"])).status_code == 404


def test_tag_feeds_of_a_tag_only_drafts_use_are_not_found(client, make_article):
    """Like /tags/<slug>/: a feed must not reveal a topic no reader can see yet."""
    now = timezone.now()
    make_article(title="Secret", status=Article.Status.DRAFT, tags=["Merger talks"])
    make_article(title="Later", published_at=now + datetime.timedelta(days=1), tags=["Embargoed"])
    for slug in ("merger-talks", "embargoed"):
        assert client.get(reverse("articles:tag", args=[slug])).status_code == 404
        for name in ("articles:tag_feed", "articles:tag_atom_feed"):
            response = client.get(reverse(name, args=[slug]))
            assert response.status_code == 404, (name, slug)
            assert b"Merger" not in response.content and b"Embargoed" not in response.content


def test_feed_query_count_is_flat(client, make_article, django_assert_num_queries):
    make_article(tags=["A"])
    # The content version (page cache), the articles, their tags, their sections (each
    # item carries the whole text: tests/test_feeds_full.py), their bylines.
    with django_assert_num_queries(5):
        client.get(reverse("articles:feed"))
    for n in range(25):
        make_article(tags=["A", f"T{n}"])
    with django_assert_num_queries(5):
        client.get(reverse("articles:feed"))


def test_pages_announce_their_feeds(client, make_article):
    make_article(tags=["Finance"])
    home = BeautifulSoup(client.get("/").content.decode(), "html.parser")
    feeds = {link["type"]: link["href"] for link in home.select("link[rel=alternate][type]")}
    assert feeds == {"application/rss+xml": "/feed/", "application/atom+xml": "/feed/atom/"}
    tag = BeautifulSoup(client.get("/tags/finance/").content.decode(), "html.parser")
    hrefs = [link["href"] for link in tag.select("link[rel=alternate]")]
    assert "/tags/finance/feed/" in hrefs and "/tags/finance/feed/atom/" in hrefs


def test_sitemap_lists_articles_with_last_modified_and_tag_pages(client, make_article):
    article = make_article(tags=["Finance"])
    make_article(title="Hidden", slug="hidden", status=Article.Status.DRAFT, tags=["Secret"])
    index = xml(client.get("/sitemap.xml"))
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert {s.rsplit("/", 1)[1] for s in sections} == {
        "sitemap-pages.xml",
        "sitemap-articles.xml",
        "sitemap-tags.xml",
        "sitemap-authors.xml",
    }
    articles = xml(client.get("/sitemap-articles.xml"))
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in articles}
    modified = timezone.localtime(article.updated_at).date().isoformat()
    assert urls == {f"http://testserver{article.get_absolute_url()}": modified}
    tags = [u.findtext(f"{SITEMAP}loc") for u in xml(client.get("/sitemap-tags.xml"))]
    assert tags == [
        "http://testserver/tags/finance/",
        "http://testserver/zh-hant/tags/finance/",
        "http://testserver/zh-hans/tags/finance/",
    ]


def test_robots_txt_points_to_the_sitemap(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_every_page_has_title_description_and_canonical(client, seeded):
    for url in [
        "/",
        "/?page=1",
        "/tags/",
        "/tags/hong-kong/",
        "/articles/rise-of-ai-in-hong-kong/",
    ]:
        page = BeautifulSoup(client.get(url).content.decode(), "html.parser")
        assert "HKAI" in page.title.get_text(), url
        assert len(page.select_one('meta[name="description"]')["content"]) > 20, url
        canonical = page.select_one('link[rel="canonical"]')["href"]
        assert canonical == "http://testserver" + url.split("?")[0], url


def test_canonical_keeps_the_page_number(client, make_article):
    for _ in range(11):
        make_article()
    page = BeautifulSoup(client.get("/?page=2&utm_source=x").content.decode(), "html.parser")
    assert page.select_one('link[rel="canonical"]')["href"] == "http://testserver/?page=2"


def test_article_page_has_open_graph_twitter_and_news_article_json_ld(client, seeded):
    article = seeded["china-ai-revolution-lunar-new-year"]
    page = BeautifulSoup(client.get(article.get_absolute_url()).content.decode(), "html.parser")
    meta = {m.get("property") or m.get("name"): m["content"] for m in page.select("meta[content]")}
    assert meta["og:type"] == "article"
    assert meta["og:title"] == article.title
    assert meta["description"].startswith("As China's AI sector reaches new milestones")
    assert meta["twitter:card"] == "summary"
    assert meta["og:url"] == "http://testserver" + article.get_absolute_url()
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title[:110]
    assert data["description"] == article.standfirst
    assert data["datePublished"].startswith("2026-02-12T01:00:00")
    assert data["dateModified"]
    assert data["author"]["name"] == "HKAI"
    assert set(data["keywords"]) == set(article.tags.names())


def test_json_ld_cannot_break_out_of_its_script(client, make_article):
    article = make_article(title="</script><script>alert(1)</script>", standfirst="a & b < c")
    body = client.get(article.get_absolute_url()).content.decode()
    block = body.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block
    assert json.loads(block)["headline"] == article.title


def test_previous_and_next_articles(client, make_article):
    now = timezone.now()
    first = make_article(title="First", published_at=now - datetime.timedelta(days=3))
    middle = make_article(title="Middle", published_at=now - datetime.timedelta(days=2))
    last = make_article(title="Last", published_at=now - datetime.timedelta(days=1))
    make_article(title="Draft", status=Article.Status.DRAFT)
    page = BeautifulSoup(client.get(middle.get_absolute_url()).content.decode(), "html.parser")
    assert page.select_one('.article-nav a[rel="prev"]')["href"] == first.get_absolute_url()
    assert page.select_one('.article-nav a[rel="next"]')["href"] == last.get_absolute_url()
    newest = BeautifulSoup(client.get(last.get_absolute_url()).content.decode(), "html.parser")
    assert newest.select_one('.article-nav a[rel="next"]') is None
