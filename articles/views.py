import sys
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS, url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views import defaults
from django.views.decorators.http import conditional_page, require_safe
from django.views.generic import DetailView, ListView

from . import (
    addresses,
    archive,
    bylines,
    cache,
    fragments,
    images,
    loading,
    pagination,
    plain_text,
    previews,
    related,
    scripts,
    search,
    topics,
    translations,
)
from .language import page_language
from .models import Article, Person, SlugRedirect, leading, published_count
from .roles import can_preview
from .seo import article_json_ld

LLMS_TXT_ARTICLES = 20
LLMS_TXT_TOPICS = 20


class VersionedPaginator(Paginator):
    """Counts with the counts the database keeps (`count`: one small query whatever the
    size), and finds deep pages' ids first (`locate(offset, limit)` where given, else
    an index walk), once per content version, before loading those ten articles."""

    # From this offset on, ids first: at 100,000 articles a random deep page took 14.7 ms
    # as one plain slice (every skipped row read with its author) and 4.2 ms this way.
    DEEP = 1000

    def __init__(self, *args, count_key, count=None, by_id=None, locate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key
        self.locate = locate
        self.counter = count or self.object_list.count
        # Where a deep page's articles are loaded from by id.
        self.by_id = self.object_list if by_id is None else by_id

    @cached_property
    def count(self):
        return self.counter()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom < self.DEEP:
            return self._get_page(self.object_list[bottom:top], number, self)
        # Which articles are on a deep page is worked out once per content version.
        ids = cache.cached(
            f"{self.count_key}:page:{number}:{self.per_page}",
            lambda: (
                self.locate(bottom, top - bottom)
                if self.locate
                else list(self.object_list.values_list("pk", flat=True)[bottom:top])
            ),
        )
        # Looked up by id alone: with the list's own filters (published()) SQLite walks
        # the date index instead (8 ms at 100,000); the ids came in the list's order.
        rows = {a.pk: a for a in self.by_id.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


class ArticleListView(ListView):
    paginate_by = 10
    context_object_name = "articles"
    template_name = "articles/article_list.html"
    count_key = "count:list"
    with_leads = True  # the articles Editors pinned (LeadStory) lead the first page

    def get(self, request, *args, **kwargs):
        if addresses.is_bare_home(request):  # the one address reading the reader's choice
            code = addresses.request_language(request)
            if code != settings.LANGUAGE_CODE:
                response = HttpResponseRedirect(
                    addresses.in_interface(request.get_full_path(), code)
                )
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.articles().published()

    @staticmethod
    def articles():
        # Each card's topics and bylines are loaded for the cards shown (loading.cards).
        return Article.objects.select_related("lead_image")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.with_leads and not context["page_obj"].has_previous():
            # The pinned articles lead the first page, each shown once on it.
            leads = leading()
            pinned = {article.pk for article in leads}
            articles = [article for article in context["articles"] if article.pk not in pinned]
            context.update(leads=leads, articles=articles, object_list=articles)
        language = page_language()
        shown = [*context.get("leads", ()), *context["articles"]]
        loading.cards(shown)
        scripts.show_cards(shown, language)  # in the reader's script
        # The first card of the latest articles' first page leads it.
        first_page = self.with_leads and not context["page_obj"].has_previous()
        fragments.cards(shown, language, lead=shown[0] if first_page and shown else None)
        return context

    def get_paginator(self, queryset, per_page, **kwargs):
        # A deep page's ids were picked under published() in this content version (any
        # change of publication moves it on): they are looked up by id alone.
        if "count" not in kwargs:  # the whole list: its count and its months are kept
            kwargs.update(count=published_count, locate=pagination.published_ids)
        return VersionedPaginator(
            queryset, per_page, count_key=self.count_key, by_id=self.articles(), **kwargs
        )


class TagArticleListView(ArticleListView):
    template_name = "articles/tag_detail.html"
    with_leads = False

    def get(self, request, *args, **kwargs):
        self.tag = topics.find_tag(kwargs["slug"])
        if self.tag is None:  # renamed or merged: its old address leads to it
            self.tag = topics.moved_tag(kwargs["slug"])
            if self.tag is None:
                raise Http404("No such tag.")
        if self.tag.slug != kwargs["slug"]:  # the other script: one address per tag
            url = reverse("articles:tag", args=[self.tag.slug])
            query = request.GET.urlencode()
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.count_key = f"count:tag:{self.tag.pk}"
        return super().get_queryset().filter(tagged_items__tag=self.tag)

    def get_paginator(self, queryset, per_page, **kwargs):
        # The topic's kept count (articles/topics.py), not a count of its articles; its
        # deep pages from its kept month counts.
        return super().get_paginator(
            queryset,
            per_page,
            count=lambda: topics.visible_count(self.tag),
            locate=lambda offset, limit: pagination.published_ids(offset, limit, tag=self.tag),
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        profile = getattr(self.tag, "profile", None)  # loaded with the tag
        context = super().get_context_data(tag=self.tag, profile=profile, **kwargs)
        if context["paginator"].count == 0:
            raise Http404("No published article has this tag.")  # e.g. drafts only
        return context


class AuthorArticleListView(ArticleListView):
    """An author page: the person's name and bio, their published articles, paginated."""

    template_name = "articles/author_detail.html"
    with_leads = False

    def get(self, request, *args, **kwargs):
        self.person = get_object_or_404(Person, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.count_key = f"count:author:{self.person.pk}"
        return super().get_queryset().filter(bylines__person=self.person)

    def get_paginator(self, queryset, per_page, **kwargs):
        def count():
            return cache.cached(self.count_key, lambda: bylines.published_count(self.person))

        return super().get_paginator(queryset, per_page, count=count, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(person=self.person, **kwargs)
        if context["paginator"].count == 0:
            raise Http404("No published article names this person.")  # e.g. drafts only
        return context


class ArchiveMonthView(ArticleListView):
    """/archive/<year>/<month>/: the month's published articles, newest first. A month
    with none is a 404, as a topic with none is: every address in the archive shows
    articles, and a crawler following dates never walks a calendar of empty pages."""

    template_name = "articles/archive_month.html"
    with_leads = False

    def get(self, request, *args, **kwargs):
        self.year, self.month = int(kwargs["year"]), int(kwargs["month"])
        if not (archive.valid_year(self.year) and 1 <= self.month <= 12):
            raise Http404("No such month.")
        self.count_key = f"count:archive:{self.year}:{self.month}"
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.articles().filter(archive.published_in(self.year, self.month))

    def get_paginator(self, queryset, per_page, **kwargs):
        # The month's range of the index, counted: 0.03 ms for 1,090 of 100,000 articles.
        return super().get_paginator(queryset, per_page, count=queryset.count, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["paginator"].count == 0:
            raise Http404("No article was published in this month.")
        return {**context, "year": self.year, "month": archive.month_start(self.year, self.month)}


@require_safe
def archive_year(request, year):
    """/archive/<year>/: the year's months with their numbers of articles; 404 for a
    year without any (or out of the range a date may have)."""
    year = int(year)
    if not archive.valid_year(year):
        raise Http404("No such year.")
    summary = archive.year_summary(year)
    if not summary["months"]:
        raise Http404("No article was published in this year.")
    months = [
        {
            "start": archive.month_start(year, month),
            "url": reverse("articles:archive_month", args=[year, f"{month:02}"]),
            "count": count,
        }
        for month, count in summary["months"]
    ]
    context = {"year": year, "previous": summary["previous"], "next": summary["next"]}
    context["months"] = months
    return render(request, "articles/archive_year.html", context)


class ArticleDetailView(DetailView):
    context_object_name = "article"
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        articles = translations.with_translation_flag(Article.objects.select_related("lead_image"))
        if not can_preview(self.request.user):
            articles = articles.published()
        return articles

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        loading.article_parts(article)  # its sections, topics and bylines
        return article

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = SlugRedirect.objects.filter(old_slug=kwargs["slug"]).select_related("article")
            redirect = moved.first()
            if redirect and self.get_queryset().filter(pk=redirect.article_id).exists():
                return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())
            raise

    def get_context_data(self, **kwargs):
        article, language = self.object, page_language()
        # A Chinese article in the page's script (made once per content version).
        scripts.show_article(article, language)
        # Library images in the sections: one query when there are any, none otherwise.
        images.expand_sections(article.sections.all(), show_missing=can_preview(self.request.user))
        versions = translations.published_versions(article)
        related_articles = cache.cached(
            f"related:{article.pk}", lambda: related.related_articles(article)
        )
        neighbours = related.neighbours(article)
        scripts.show_cards([*related_articles, *filter(None, neighbours.values())], language)
        return super().get_context_data(
            related_articles=related_articles,
            is_preview=not article.is_published,
            json_ld=article_json_ld(article, self.request),
            canonical_url=self.request.build_absolute_uri(translations.original_address(article)),
            alternates=translations.alternates(self.request, article, versions),
            version_links=translations.version_links(article, versions, language),
            **neighbours,
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            add_never_cache_headers(response)
        return response


@require_safe
def preview_link(request, token):
    """/preview/<token>/: the article as it will be published, for anyone with the link.
    Every token that opens nothing (malformed, unknown, expired, revoked, its article
    deleted) is the same 404. Never cached anywhere, never indexed, and the token is
    not sent on to other sites as a referrer."""
    link = previews.find_link(token)
    if link is None:
        raise Http404("No such preview.")
    article, of_changes = previews.shown_article(link.article)
    if article.is_published and not of_changes:
        # Published since, with nothing pending: the article itself is the preview.
        response = HttpResponseRedirect(article.get_absolute_url())
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "no-referrer"
        return response
    images.expand_sections(article.sections.all(), show_missing=False)
    context = {
        "article": article,
        "is_preview": True,
        "preview_of_changes": of_changes,
        "related_articles": [],
        "json_ld": "",
        "previous_article": None,
        "next_article": None,
    }
    response = render(request, "articles/article_detail.html", context)
    add_never_cache_headers(response)  # private, no-store: in no shared cache either
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


class SearchView(ListView):
    """Full-text search; see articles/search/ for how matches are found and ranked."""

    paginate_by = search.PAGE_SIZE
    context_object_name = "hits"
    template_name = "articles/search.html"

    def get_queryset(self):
        self.query = " ".join(self.request.GET.get("q", "").split())
        self.filters = search.read_filters(self.request.GET) if self.query else None
        return search.search(self.query, self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.query[: search.MAX_QUERY_LENGTH]
        context.update(
            query=query,
            page_query=urlencode([("q", query), *self.filters.params()]) + "&"
            if self.query
            else "",
            query_truncated=len(self.query) > search.MAX_QUERY_LENGTH,
            max_length=search.MAX_QUERY_LENGTH,
        )
        if not self.query:
            context["topics"] = topics.popular_topics()
            return context
        scripts.show_hits(context["hits"], page_language())  # in the reader's script
        context.update(search.page_context(context["paginator"].object_list, query, self.filters))
        page = context["page_obj"].number if context["page_obj"] else 1
        context["canonical_url"] = self.request.build_absolute_uri(
            self.filters.url(query, page=page)
        )
        return context


@require_safe
def tag_index(request):
    """Every topic, each with its address and its count in words. Made here, not by
    {% url %} and {% blocktranslate count %} in the template's loop (the same message, so
    its translations stand), and the address is reverse()'s for one slug with each slug
    quoted as reverse() quotes it. At 350 topics, nothing cached: 14.3 ms with the tags,
    9.0 with ngettext and a reverse() per topic, 6.1 so. A test checks every link.
    Each count's words are made once (topics share counts), and the three values come
    escaped: the template's escaping of 1,000 plain strings was 1 ms of the page's 9.6
    (328 topics, 100,000 articles; 8.1 ms so)."""
    tags = topics.all_topics()
    before, after = reverse("articles:tag", args=["slug"]).rsplit("slug", 1)
    labels = {}
    for tag in tags:
        count = tag.article_count
        if count not in labels:
            words = ngettext("%(counter)s article", "%(counter)s articles", count)
            labels[count] = escape(words % {"counter": count})
        tag.url = escape(before + quote(tag.slug, safe=RFC3986_SUBDELIMS + "/~:@") + after)
        tag.shown_name, tag.count_label = escape(tag.name), labels[count]
    return render(request, "articles/tag_index.html", {"tags": tags})


@require_safe
def switch_language(request, code):
    """Go to the page the reader was on (`next`) at its address in the interface `code`,
    remembering the choice in a cookie for `/` alone (articles/addresses.py).

    A plain link rather than Django's POST-only set_language: public pages then carry
    no CSRF token or cookie and stay cacheable; choosing a language changes nothing
    but the reader's own cookie."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("Unknown language.")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(addresses.in_interface(target, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@require_safe
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /search/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
@conditional_page
def article_markdown(request, slug):
    """The published article as Markdown (/articles/<slug>.md); 404 for anything else."""
    articles = Article.objects.published().select_related("lead_image")
    articles = articles.prefetch_related("sections", "tags", bylines.prefetch())
    article = get_object_or_404(articles, slug=slug)
    found = images.found_in(article.sections.all())  # a query only when there are any
    # The text as written, whatever the prefix: its addresses those of the interface in
    # its own language, as the article page's canonical link (translations.py).
    with translation.override(addresses.INTERFACE_OF[article.language]):
        text = plain_text.article_markdown(article, request.build_absolute_uri, found)
        canonical = request.build_absolute_uri(article.get_absolute_url())
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Language"] = article.language
    # When public content last changed, not this article: a tag renamed or another
    # article published changes this text too.
    cache.set_last_modified(response)
    response["Link"] = f'<{canonical}>; rel="canonical"'
    return response


@require_safe
@conditional_page
def llms_txt(request):
    """/llms.txt: what the site is and where its text is, for programs that read it."""
    fields = ["title", "slug", "standfirst", "published_at"]
    articles = Article.objects.published().only(*fields)[:LLMS_TXT_ARTICLES]
    tags = topics.popular_topics(LLMS_TXT_TOPICS)
    text = plain_text.llms_txt(articles, tags, request.build_absolute_uri)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    cache.set_last_modified(response)
    return response


def server_error(request):
    """500: the plain page, with the site's name but nothing else from the request
    (Django's own handler renders it with no context at all). When the database cannot
    be reached (restarting, failing over), 503 with Retry-After instead: nothing is
    wrong with the request, and clients and load balancers try again."""
    context = {"site_name": settings.SITE_NAME}
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        page = loader.get_template("503.html").render(context)
        response = HttpResponse(page, status=503)
        response["Retry-After"] = "5"
        add_never_cache_headers(response)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render(context))


def permission_denied(request, exception):
    """403: in the admin, a page in the admin's look saying why; the plain one elsewhere."""
    admin_path = "/" + settings.ADMIN_PATH
    if not request.path_info.startswith(admin_path):
        return defaults.permission_denied(request, exception)
    from django.contrib import admin

    reason = str(exception) if exception and str(exception) else None
    context = {
        **admin.site.each_context(request),
        "title": "Not allowed",
        "reason": reason
        or "Your account may not do this. Ask an Editor or an administrator if you need to.",
    }
    return render(request, "admin/403.html", context, status=403)


def page_not_found(request, exception):
    """404: JSON under /api/ (clients parse it), the site's page elsewhere."""
    if request.path_info.startswith(settings.API_PREFIX):
        return JsonResponse(
            {"detail": "Not Found"}, status=404, content_type="application/json; charset=utf-8"
        )
    return defaults.page_not_found(request, exception)
