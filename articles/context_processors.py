import functools
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, get_language_info, override

from .addresses import HTML_LANG, interface_alternates


def site(request):
    """The page's canonical address (path plus ?page= beyond the first), its addresses in
    the other interfaces (hreflang), its <html lang> and the site name."""
    url = request.build_absolute_uri(request.path)
    try:
        page = int(request.GET.get("page", ""))
    except ValueError:  # absent, or not a number (e.g. "²", which isdigit() accepts)
        page = 1
    query = f"page={page}" if page > 1 else ""
    if query:
        url += f"?{query}"
    return {
        "canonical_url": url,
        "site_name": settings.SITE_NAME,
        # Worked out when a template uses them (the admin's never do).
        "alternates": SimpleLazyObject(lambda: interface_alternates(request, query)),
        "interfaces": SimpleLazyObject(lambda: interfaces(request)),
        "html_lang": HTML_LANG.get(get_language(), "en"),
        "site_urls": _site_urls(get_language(), get_script_prefix()),
    }


@functools.cache
def _site_urls(language, script_prefix):
    """The addresses every page links to (header, footer, feeds) in this interface,
    once per process: nine reverse()s took 0.24 ms of every page."""
    names = ("list", "tag_index", "search", "feed", "atom_feed")
    return {name: reverse(f"articles:{name}") for name in names}


def interfaces(request):
    """The switcher's entries: each interface's name in itself, its lang, whether it is
    the page's, and the switch that remembers the choice (for `/`) and goes to this page
    in it (/language/<code>/?next=<this page>)."""
    current, here = get_language(), quote(request.get_full_path())
    return [
        {**entry, "current": entry["code"] == current, "url": f"{entry['switch']}?next={here}"}
        for entry in _interfaces(get_script_prefix())
    ]


@functools.cache
def _interfaces(script_prefix):
    """What the switcher's entries do not take from the page, once per process: three
    reverse()s under override() were 0.14 ms of every page rendered, 0.02 so."""
    entries = []
    for code, _ in settings.LANGUAGES:
        with override(settings.LANGUAGE_CODE):
            switch = reverse("articles:language", args=[code])
        name = get_language_info(code)["name_local"]
        entries.append({"code": code, "name": name, "lang": HTML_LANG[code], "switch": switch})
    return entries
