"""Which language an article's text is written in, when its editor has not said.

Mostly CJK characters (at least as many as Latin letters) is Chinese; an English
article quoting a Chinese name stays English. Simplified or Traditional is decided by
OpenCC: the script whose conversion to the other changes more characters.
Migration 0015 repeats the ratio rule for existing rows (migrations import no app code).
"""

import re

from django.utils.translation import get_language

from .addresses import OF_INTERFACE
from .search.text import convert

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def changed(text, config):
    return sum(a != b for a, b in zip(text, convert(text, config), strict=False))


def detect_language(*texts):
    """ "en", "zh-Hant-HK" or "zh-Hans" for the text of an article."""
    text = "\n".join(texts)
    cjk = "".join(CJK.findall(text))
    if not cjk or len(cjk) < len(LATIN.findall(text)):
        return "en"
    if changed(cjk, "s2hk") > changed(cjk, "hk2s"):
        return "zh-Hans"
    return "zh-Hant-HK"


def page_language():
    """The language the current interface's pages are written in."""
    return OF_INTERFACE.get(get_language(), "en")
