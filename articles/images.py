"""Images: checking an upload, cleaning it and making its renditions, once.

An upload is decoded before anything is stored: what the decoder finds decides the
type (JPEG, PNG, WebP, AVIF or GIF), never the file's name or declared type. Anything
else (SVG, HTML, a file that does not decode to the end, a polyglot carrying markup),
an empty or oversized file and a decompression bomb are refused with a message for
the form. What is stored is re-encoded from the decoded pixels: turned upright by its
EXIF orientation, converted to sRGB, with no metadata left (no GPS position, no
camera serial). Its renditions are made at the same time, at a few widths (never
wider than the original), as AVIF, WebP and a JPEG or PNG fallback, each stored under
a name made from its own content: a file's address never shows other content, so it
can be cached for a year. Reading a page only picks among them (`picture()`).

Measured on this 2-core machine (bench/images.py): AVIF at libavif's speed 6 took
1.4 s for one 1600 px rendition, speed 8 0.25 s for files 25% larger; speed 8 is used.
"""

import hashlib
import html as htmllib
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image as Pillow
from PIL import ImageCms, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "AVIF": "avif", "GIF": "gif"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif", "gif": "gif"}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "gif": "image/gif",
}
# Widths of the renditions at the image's own proportions, and of the cards' crops.
WIDTHS = (400, 800, 1200, 1600)
CARD_WIDTHS = (400, 800)
CARD_RATIO = 3 / 2
# og:image and twitter:image: 1200 x 630, the size the large previews use.
SOCIAL_SIZE = (1200, 630)
ENCODER_OPTIONS = {
    "avif": {"quality": 55, "speed": 8},
    "webp": {"quality": 80, "method": 4},
    "jpeg": {"quality": 82, "optimize": True, "progressive": True},
    "png": {"optimize": True},
}
ORIGINAL_OPTIONS = {"jpeg": {"quality": 92}, "webp": {"quality": 90}, "avif": {"quality": 80}}
# Markup that has no business in a picture: a file that carries it at its start or end
# (where browsers sniff, and where polyglots put it) is made to be read as something
# else too, whatever it decodes to. Only those ends are searched: the compressed data
# of a large photograph, near-random bytes, holds such a sequence by chance (a 10 MB
# JPEG did here); what is stored is re-encoded from pixels anyway.
MARKUP = re.compile(rb"<(?:script|html|svg|iframe|body|object|embed|\?php)[\s>/]", re.IGNORECASE)
MARKUP_WINDOW = 4096
SRGB = ImageCms.createProfile("sRGB")
SIZES_ARTICLE = "(min-width: 50rem) 46rem, calc(100vw - 2rem)"
SIZES_CARD = "(min-width: 48rem) 16rem, calc(100vw - 2rem)"


class ImageRefused(ValueError):
    """An upload that is not stored; the message is for the editor."""


@dataclass
class Cleaned:
    pixels: Pillow.Image
    format: str  # a value of FORMATS


def max_bytes():
    return settings.IMAGE_MAX_BYTES


def decode(data):
    """The upload's pixels, upright and in sRGB, or ImageRefused saying why not."""
    if not data:
        raise ImageRefused("The file is empty.")
    limit = max_bytes()
    if len(data) > limit:
        raise ImageRefused(
            f"The file is {len(data) / 1e6:.1f} MB; images may be at most {limit / 1e6:g} MB."
        )
    if MARKUP.search(data[:MARKUP_WINDOW]) or MARKUP.search(data[-MARKUP_WINDOW:]):
        raise ImageRefused("The file holds web page markup as well as a picture; not accepted.")
    try:
        with Pillow.open(io.BytesIO(data)) as probe:
            kind = FORMATS.get(probe.format)
            width, height = probe.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused(
            "This file is not a picture that can be read (JPEG, PNG, WebP, AVIF or GIF)."
        ) from None
    except Pillow.DecompressionBombError:
        kind, width, height = "bomb", 0, 0
    if kind is None:
        raise ImageRefused("Only JPEG, PNG, WebP, AVIF and GIF images are accepted.")
    pixels_limit = settings.IMAGE_MAX_PIXELS
    if kind == "bomb" or width * height > pixels_limit:
        # Pillow itself refuses to open the largest ones (twice its own limit).
        size = f"{width} × {height}" if width else "far more than that"
        raise ImageRefused(
            f"The image is too large to process: at most {pixels_limit / 1e6:.0f} "
            f"megapixels ({size})."
        )
    try:
        with Pillow.open(io.BytesIO(data)) as image:
            image.load()  # the whole file decodes, or it is refused
            upright = ImageOps.exif_transpose(image)
            return Cleaned(to_srgb(upright), kind)
    except (OSError, SyntaxError, ValueError, Pillow.DecompressionBombError):
        raise ImageRefused("The file is damaged or incomplete: it does not decode.") from None


def to_srgb(image):
    """RGB (RGBA where there is transparency) in sRGB, without the source's profile."""
    profile = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            image = ImageCms.profileToProfile(image, source, SRGB, outputMode=image.mode)
        except (ImageCms.PyCMSError, OSError):
            pass  # an unreadable profile: the values are taken as sRGB already
    if image.mode != mode:
        image = image.convert(mode)
    image.info = {}
    return image


def encode(image, kind, options=None):
    out = io.BytesIO()
    if kind == "jpeg" and image.mode == "RGBA":
        image = image.convert("RGB")
    image.save(out, kind.upper(), **(ENCODER_OPTIONS.get(kind, {}) if options is None else options))
    return out.getvalue()


def crop_to(image, ratio, focal_x, focal_y):
    """The largest part of `image` with width/height `ratio`, centred on the focal point
    as far as the edges allow."""
    width, height = image.size
    if width / height > ratio:
        new_width = round(height * ratio)
        left = min(max(round(focal_x * width - new_width / 2), 0), width - new_width)
        return image.crop((left, 0, left + new_width, height))
    new_height = round(width / ratio)
    top = min(max(round(focal_y * height - new_height / 2), 0), height - new_height)
    return image.crop((0, top, width, top + new_height))


def resized(image, width):
    height = max(1, round(image.height * width / image.width))
    if width == image.width:
        return image
    return image.resize((width, height), Pillow.Resampling.LANCZOS, reducing_gap=3.0)


def fallback_format(image):
    return "png" if image.mode == "RGBA" else "jpeg"


def store(data, digest_of, label, kind):
    """Save `data` under a name made from its content; returns that name. The same
    content is stored once: its name is already taken by the same bytes."""
    storage = storages["default"]
    digest = hashlib.sha256(data).hexdigest()
    name = f"images/{digest_of[:2]}/{digest_of[2:14]}/{label}-{digest[:16]}.{EXTENSIONS[kind]}"
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # a storage that renames instead of overwriting
            storage.delete(saved)
    return name


def widths_for(image_width, wanted):
    """`wanted` widths narrower than the image, or the image's own width alone."""
    kept = [width for width in wanted if width <= image_width]
    return kept or [image_width]


def make_renditions(pixels, digest, focal_x, focal_y):
    """Every rendition of `pixels` (the cleaned original): a list for Image.renditions."""
    made = []
    fallback = fallback_format(pixels)

    def add(kind, image, widths, formats):
        for width in widths:
            scaled = resized(image, width)
            for fmt in formats:
                data = encode(scaled, fmt)
                name = store(data, digest, f"{kind}-{width}", fmt)
                made.append(
                    {"kind": kind, "format": fmt, "width": width, "height": scaled.height,
                     "name": name, "bytes": len(data)}
                )  # fmt: skip

    formats = ("avif", "webp", fallback)
    add("full", pixels, widths_for(pixels.width, WIDTHS), formats)
    card = crop_to(pixels, CARD_RATIO, focal_x, focal_y)
    add("card", card, widths_for(card.width, CARD_WIDTHS), formats)
    social_width, social_height = SOCIAL_SIZE
    social = crop_to(pixels, social_width / social_height, focal_x, focal_y)
    add("social", social, [min(social_width, social.width)], ("jpeg",))
    return made


@dataclass
class Prepared:
    """A checked upload, re-encoded, not yet stored."""

    pixels: Pillow.Image
    format: str
    original: bytes
    sha256: str


def prepare(data):
    """Check and clean the uploaded bytes (ImageRefused when they are not a picture we
    accept); nothing is stored yet."""
    cleaned = decode(data)
    kind = "png" if cleaned.format == "gif" else cleaned.format  # a still GIF: PNG
    original = encode(cleaned.pixels, kind, ORIGINAL_OPTIONS.get(kind))
    return Prepared(cleaned.pixels, kind, original, hashlib.sha256(original).hexdigest())


def ingest(upload, **fields):
    """A new library image from the uploaded bytes (or a `Prepared` upload), with its
    original and renditions stored; `fields` are the editor's (alt text, caption, focal
    point…). Returns the Image unsaved: the caller saves it."""
    from .models import Image

    prepared = upload if isinstance(upload, Prepared) else prepare(upload)
    pixels = prepared.pixels
    image = Image(
        sha256=prepared.sha256,
        format=prepared.format,
        width=pixels.width,
        height=pixels.height,
        **fields,
    )
    image.name = store(prepared.original, prepared.sha256, "original", prepared.format)
    image.renditions = make_renditions(pixels, prepared.sha256, image.focal_x, image.focal_y)
    return image


def recrop(image):
    """Make `image`'s cropped renditions again after its focal point moved."""
    with storages["default"].open(image.name) as handle:
        with Pillow.open(handle) as original:
            original.load()
            pixels = original.convert("RGBA" if original.mode == "RGBA" else "RGB")
    image.renditions = make_renditions(pixels, image.sha256, image.focal_x, image.focal_y)


def url(name):
    return storages["default"].url(name)


def picture(image, kind="full", sizes=SIZES_ARTICLE, lead=False):
    """What a template needs to draw `image` as <picture>: sources by format, the
    fallback <img>'s src, srcset, width and height; none when it has no renditions."""
    chosen = [r for r in image.renditions if r["kind"] == kind]
    if not chosen:
        return None
    by_format = {}
    for rendition in chosen:
        by_format.setdefault(rendition["format"], []).append(rendition)
    fallback_kind = next(fmt for fmt in ("jpeg", "png") if fmt in by_format)
    fallback = by_format[fallback_kind]
    largest = max(fallback, key=lambda r: r["width"])
    default = next((r for r in fallback if r["width"] >= 800), largest)

    def srcset(renditions):
        return ", ".join(f"{url(r['name'])} {r['width']}w" for r in renditions)

    return {
        "sources": [
            {"type": CONTENT_TYPES[fmt], "srcset": srcset(by_format[fmt])}
            for fmt in ("avif", "webp")
            if fmt in by_format
        ],
        "src": url(default["name"]),
        "srcset": srcset(fallback),
        "sizes": sizes,
        "width": largest["width"],
        "height": largest["height"],
        "alt": image.alt,
        "lead": lead,
        "caption": image.caption,
        "credit": image.credit,
    }


def social(image):
    """The rendition for og:image and twitter:image (1200 × 630 when large enough)."""
    return next((r for r in image.renditions if r["kind"] == "social"), None)


def largest(image, kind="full", formats=("jpeg", "png")):
    """The widest rendition of `kind` in one of `formats` (feeds, API, Markdown)."""
    found = [r for r in image.renditions if r["kind"] == kind and r["format"] in formats]
    return max(found, key=lambda r: r["width"]) if found else None


# A library image as comrak and nh3 leave it in a section's stored HTML: alone in its
# paragraph (a figure), or within text (a picture only).
LIBRARY_IMG = re.compile(r'(<p>)?<img src="image:(\d+)"([^>]*)>(</p>\n?)?')
ALT_ATTRIBUTE = re.compile(r'\balt="([^"]*)"')


def referenced_ids(htmls):
    """The library images that these stored section bodies show."""
    return {int(match[2]) for html in htmls for match in LIBRARY_IMG.finditer(html)}


def expand_figures(html, found, show_missing):
    """`html` with each library image drawn from `found` (id → Image): a <figure> with
    its caption when alone in a paragraph. An image no longer in the library shows
    nothing to readers; to staff (`show_missing`) a note saying so."""
    from django.template.loader import get_template

    figure = get_template("includes/figure.html")
    picture_template = get_template("includes/picture.html")

    def draw(match):
        image = found.get(int(match[2]))
        alone = bool(match[1] and match[4])
        before, after = match[1] or "", match[4] or ""  # a paragraph's ends stay
        if image is None or not image.renditions:
            if not show_missing:
                return "" if alone else before + after
            note = (
                f'<span class="figure-missing" role="note">Image #{match[2]} is not in the '
                "library: readers see nothing here.</span>"
            )
            return before + note + after
        drawn = picture(image)
        written_alt = ALT_ATTRIBUTE.search(match[3])
        if written_alt and written_alt[1] and not image.decorative:
            drawn["alt"] = htmllib.unescape(written_alt[1])
        if alone:
            return figure.render({"p": drawn})
        return before + picture_template.render({"p": drawn}).strip() + after

    return LIBRARY_IMG.sub(draw, html)


def found_in(sections):
    """id → Image for the library images these sections show: one query, none when
    they show none."""
    from .models import Image

    ids = referenced_ids(section.body_html for section in sections)
    if not ids:
        return {}
    return {image.pk: image for image in Image.objects.filter(pk__in=ids)}


def expand_sections(sections, show_missing):
    """Draw the library images in these sections' HTML (one query, none when no
    section shows one); changes `body_html` of the objects given, not what is stored."""
    sections = list(sections)
    found = found_in(sections)
    for section in sections:
        if "image:" in section.body_html:
            section.body_html = expand_figures(section.body_html, found, show_missing)
