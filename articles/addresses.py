"""Every page at one address per interface language (docs/architecture.md, "Addresses").

English pages keep the addresses they always had (`/articles/<slug>/`); the Traditional
and Simplified Chinese interfaces put `/zh-hant/` and `/zh-hans/` before the same paths
(Django's i18n_patterns, the default language unprefixed). The address alone says which
interface a page is in: no cookie or Accept-Language is needed to reach one. Only `/`
reads them, sending a reader whose browser asks for Chinese (or who chose it in the
switcher) to `/zh-hant/` or `/zh-hans/`, with `Vary` saying so.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import translate_url
from django.utils import translation

# The language of each interface's text (settings.LANGUAGES), as an article's; also
# the hreflang of its pages.
OF_INTERFACE = {"en": "en", "zh-hant": "zh-Hant-HK", "zh-hans": "zh-Hans"}
# The interface's lang on <html> (the region's punctuation and glyph forms).
HTML_LANG = {"en": "en", "zh-hant": "zh-Hant-HK", "zh-hans": "zh-Hans-CN"}
# An article's language → the interface written in it (its original's address).
INTERFACE_OF = {language: code for code, language in OF_INTERFACE.items()}


def path_language(path):
    """The interface a path is in: its prefix's, else the default (English)."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def request_language(request):
    """The interface the page for `request` is drawn in: its path's; on a bare `/` (no
    ?page=), the reader's (the switcher's cookie, then Accept-Language), which `/`
    redirects to. The page cache keys on it."""
    if is_bare_home(request):
        return translation.get_language_from_request(request)
    return path_language(request.path_info)


def is_bare_home(request):
    return request.path_info == "/" and not request.META.get("QUERY_STRING")


def in_interface(url, code):
    """`url` (a path with its query) in the interface `code`; `url` itself when it
    names no page."""
    with translation.override(path_language(urlsplit(url).path)):
        return translate_url(url, code)


def interface_alternates(request, query=""):
    """[(hreflang, absolute address)] of the page (its path plus `query`) in each
    interface, then x-default (the English address); [] on a page that is not one."""
    if getattr(request, "resolver_match", None) is None:
        return []
    path = f"{request.path_info}?{query}" if query else request.path_info
    links = [
        (OF_INTERFACE[code], request.build_absolute_uri(in_interface(path, code)))
        for code, _ in settings.LANGUAGES
    ]
    return [*links, ("x-default", links[0][1])]
