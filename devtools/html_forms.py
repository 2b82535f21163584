"""Reading HTML forms as a browser sends them (tests and the load test)."""

from bs4 import BeautifulSoup


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
