"""{% picture %} and {% figure %}: a library image as <picture>, from its stored
renditions (nothing is resized or queried here; see articles/images.py)."""

from django import template

from articles import images

register = template.Library()


@register.inclusion_tag("includes/picture.html")
def picture(image, kind="full", sizes=None, lead=False):
    if sizes is None:
        sizes = images.SIZES_CARD if kind == "card" else images.SIZES_ARTICLE
    return {"p": images.picture(image, kind, sizes, lead) if image else None}


@register.inclusion_tag("includes/figure.html")
def figure(image, lead=False):
    return {"p": images.picture(image, lead=lead) if image else None, "lead": lead}


@register.simple_tag(takes_context=True)
def social_image(context, image):
    """`image`'s 1200 × 630 crop for og:image and twitter:image: its absolute address,
    width and height; None without one."""
    rendition = images.social(image) if image else None
    if rendition is None:
        return None
    address = images.url(rendition["name"])
    request = context.get("request")
    if request is not None:
        address = request.build_absolute_uri(address)
    return {"url": address, "width": rendition["width"], "height": rendition["height"]}
