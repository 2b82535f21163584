"""Images: what an upload must be, what is stored, and the renditions made from it."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import storages
from PIL import Image as Pillow

from articles import images
from articles.images import ImageRefused
from articles.models import Image
from tests.helpers import card_crops_before_and_after_moving_the_focal_point, picture_bytes


def stored(name):
    with storages["default"].open(name) as handle:
        return handle.read()


def opened(name):
    image = Pillow.open(io.BytesIO(stored(name)))
    image.load()
    return image


def png_claiming(width, height):
    """A tiny PNG whose header claims `width` × `height` (a decompression bomb's shape)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("format", "kind"),
    [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp"), ("AVIF", "avif"), ("GIF", "png")],
)
def test_each_accepted_format_is_stored_with_its_renditions(db, format, kind):
    image = images.ingest(picture_bytes((1000, 600), format), alt_text="Bands")
    image.save()
    assert (image.format, image.width, image.height) == (kind, 1000, 600)
    assert opened(image.name).size == (1000, 600)
    full = {(r["format"], r["width"]) for r in image.renditions if r["kind"] == "full"}
    # Opaque pictures fall back to JPEG, however they came.
    assert full == {(f, w) for f in ("avif", "webp", "jpeg") for w in (400, 800)}
    for rendition in image.renditions:
        assert opened(rendition["name"]).size == (rendition["width"], rendition["height"])
        assert opened(rendition["name"]).format.lower() == rendition["format"]


def test_a_transparent_picture_falls_back_to_png(db):
    image = images.ingest(picture_bytes((500, 500), "PNG", mode="RGBA"), alt_text="Logo")
    assert {r["format"] for r in image.renditions if r["kind"] == "full"} == {"avif", "webp", "png"}
    assert opened(image.name).mode == "RGBA"


def test_the_content_decides_the_type_not_the_name(db):
    # A PNG is a PNG whatever it was called or declared as: nothing here reads a name.
    image = images.ingest(picture_bytes((500, 500), "PNG"), alt_text="Square")
    assert image.format == "png"
    assert image.name.endswith(".png")
    assert "original" in image.name and image.sha256[2:14] in image.name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"Just some text, saved as photo.jpg\n", "not a picture that can be read"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "web page markup",
        ),
        (b"<!doctype html><html><body>hi</body></html>", "web page markup"),
        (picture_bytes((300, 200)) + b"<script>alert(1)</script>", "web page markup"),
        (picture_bytes((300, 200))[:2000], "damaged or incomplete"),
        (picture_bytes((300, 200), "BMP"), "Only JPEG, PNG, WebP, AVIF and GIF"),
        (picture_bytes((300, 200), "TIFF"), "Only JPEG, PNG, WebP, AVIF and GIF"),
        (png_claiming(8_000, 8_000), "at most 50 megapixels (8000 × 8000)"),
        (png_claiming(20_000, 20_000), "at most 50 megapixels (far more than that)"),
    ],
    ids=["empty", "text", "svg", "html", "polyglot", "truncated", "bmp", "tiff", "big", "bomb"],
)
def test_refused_uploads_say_why_and_store_nothing(db, data, message):
    before = set(storages["default"].listdir("")[0])
    with pytest.raises(ImageRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        images.ingest(data, alt_text="x")
    assert set(storages["default"].listdir("")[0]) == before or not data
    assert not Image.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(db, settings):
    settings.IMAGE_MAX_BYTES = 50_000
    data = picture_bytes((2000, 1500), "JPEG", quality=95)
    assert len(data) > 50_000
    with pytest.raises(ImageRefused, match=r"images may be at most 0.05 MB"):
        images.ingest(data, alt_text="x")


def test_orientation_is_applied_and_metadata_stripped(db):
    exif = Pillow.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x0110] = "Camera model HK-1"
    exif[0xA431] = "SERIAL-12345"  # body serial number
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (22.0, 17.0, 0.0)
    data = picture_bytes((600, 300), "JPEG", exif=exif)
    assert b"SERIAL-12345" in data
    image = images.ingest(data, alt_text="Turned")
    # Stored upright: the 600 × 300 sensor image is 300 wide, 600 tall.
    assert (image.width, image.height) == (300, 600)
    for name in [image.name, *(r["name"] for r in image.renditions)]:
        content = stored(name)
        assert b"SERIAL-12345" not in content and b"HK-1" not in content
        assert not opened(name).getexif(), name
        assert "icc_profile" not in opened(name).info


def test_cmyk_is_converted_to_rgb(db):
    data = picture_bytes((400, 300), "JPEG", mode="CMYK")
    image = images.ingest(data, alt_text="Print colours")
    assert opened(image.name).mode == "RGB"


def test_renditions_are_never_wider_than_the_original(db):
    wide = images.ingest(picture_bytes((2000, 1000)), alt_text="Wide")
    widths = {r["width"] for r in wide.renditions if r["kind"] == "full"}
    assert widths == {400, 800, 1200, 1600}
    middling = images.ingest(picture_bytes((900, 600)), alt_text="Middling")
    assert {r["width"] for r in middling.renditions if r["kind"] == "full"} == {400, 800}
    small = images.ingest(picture_bytes((300, 200)), alt_text="Small")
    assert {r["width"] for r in small.renditions if r["kind"] == "full"} == {300}
    assert {r["width"] for r in small.renditions if r["kind"] == "social"} == {300}


def test_the_same_picture_gets_the_same_names(db):
    data = picture_bytes((900, 600))
    first = images.ingest(data, alt_text="Once")
    second = images.ingest(data, alt_text="Twice")
    assert first.sha256 == second.sha256
    assert [r["name"] for r in first.renditions] == [r["name"] for r in second.renditions]


def test_crops_keep_the_focal_point(db):
    # A wide picture, a black dot at its far right: a card crop (3:2) around a focal
    # point at the right edge keeps the dot; one at the left edge does not.
    picture = Pillow.new("RGB", (3000, 1000), "white")
    picture.paste((0, 0, 0), (2900, 450, 3000, 550))
    out = io.BytesIO()
    picture.save(out, "PNG")

    def card_has_dot(focal_x):
        image = images.ingest(out.getvalue(), alt_text="Dot", focal_x=focal_x)
        card = next(r for r in image.renditions if r["kind"] == "card" and r["format"] == "jpeg")
        crop = opened(card["name"]).convert("L")
        assert crop.width / crop.height == pytest.approx(1.5, abs=0.01)
        return crop.getextrema()[0] < 50

    assert card_has_dot(1.0)
    assert not card_has_dot(0.0)


def test_recropping_after_the_focal_point_moves_makes_new_names(db):
    before, after = card_crops_before_and_after_moving_the_focal_point((3000, 1000))
    assert before.isdisjoint(after)
