"""Helpers for driving the admin the way a browser does."""

from bs4 import BeautifulSoup
from django.urls import reverse


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(response):
    """The POST body a browser would send for the admin form as rendered."""
    return form_fields(response.content.decode())


def form_fields(html, selector="form#article_form"):
    """The fields a browser would send for the form `selector` in `html`."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select("option[selected]")
            data[name] = chosen[0].get("value", "") if chosen else ""
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button"):
            data[name] = field.get("value", "")
    return {k: v for k, v in data.items() if "__prefix__" not in k}


def texts(response, selector):
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return [" ".join(e.get_text(" ", strip=True).split()) for e in page.select(selector)]
