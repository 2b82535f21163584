"""Image ingest and transfer: what one upload costs, and what a reader downloads.

    python bench/images.py               # a 24-megapixel JPEG (6000 × 4000)
    python bench/images.py --megapixels 12 --rounds 3

Makes a synthetic photograph-like JPEG with Pillow (gradients, shapes and grain; no
real photograph), then, in a fresh process per round so its peak memory is its own:
checks, cleans and stores it with every rendition (articles/images.py ingest) into a
temporary MEDIA_ROOT, and reports the time and the process's peak resident memory.
Then it reports the bytes of the lead image a browser picks on the article page at
390 px and 1280 px wide (from the page's `sizes`, at device pixel ratios 1 to 3), in
AVIF (what current browsers take) and in the JPEG fallback. `make bench` runs it.
"""

import argparse
import io
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PHONE_BUDGET = 150_000  # bytes of image a phone should download for one article
# The lead image's slot in the article (articles/images.py SIZES_ARTICLE).
SLOTS = {390: 390 - 32, 1280: 46 * 16}


def setup(media_root):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_site.settings")
    os.environ["DJANGO_MEDIA_ROOT"] = media_root
    import django

    django.setup()


def photograph(width, height):
    """JPEG bytes of a picture with a photograph's mix of smooth areas and detail."""
    from PIL import Image, ImageDraw

    sky = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    picture = Image.merge(
        "RGB", [sky.getchannel(0), sky.getchannel(0).rotate(180), sky.getchannel(0)]
    )
    draw = ImageDraw.Draw(picture)
    step = max(1, width // 40)
    for n, x in enumerate(range(0, width, step)):
        top = height // 2 + (n * 37) % (height // 3)
        draw.rectangle(
            (x, top, x + step - 2, height), fill=(40 + n * 5 % 200, 60, 90 + n * 3 % 150)
        )
    grain = Image.effect_noise((width, height), 64).convert("RGB")
    picture = Image.blend(picture, grain, 0.25)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def ingest_once(data, media_root, queue):
    setup(media_root)
    from articles import images

    start = time.perf_counter()
    try:
        image = images.ingest(data, alt_text="A synthetic test picture")
    except images.ImageRefused as refusal:
        queue.put({"refused": str(refusal)})
        return
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put({"seconds": elapsed, "peak_mib": peak_kib / 1024, "renditions": image.renditions})


def chosen(renditions, fmt, slot, ratio):
    """The narrowest rendition at least as wide as the slot needs (as browsers pick)."""
    widths = sorted((r for r in renditions if r["kind"] == "full" and r["format"] == fmt),
                    key=lambda r: r["width"])  # fmt: skip
    need = slot * ratio
    return next((r for r in widths if r["width"] >= need), widths[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--megapixels", type=float, default=24)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    width = round((args.megapixels * 1e6 * 3 / 2) ** 0.5)
    height = round(width * 2 / 3)
    data = photograph(width, height)
    print(f"source: {width} × {height} JPEG, {len(data) / 1e6:.1f} MB")

    context = multiprocessing.get_context("spawn")
    results = []
    with tempfile.TemporaryDirectory(prefix="hkai-bench-media-") as media_root:
        for _ in range(args.rounds):
            queue = context.Queue()
            process = context.Process(target=ingest_once, args=(data, media_root, queue))
            process.start()
            result = queue.get(timeout=600)
            process.join()
            if "refused" in result:
                sys.exit(f"refused: {result['refused']}")
            results.append(result)
    best = min(results, key=lambda r: r["seconds"])
    renditions = best["renditions"]
    print(f"ingest with {len(renditions)} renditions: {best['seconds']:.2f} s, "
          f"peak memory {max(r['peak_mib'] for r in results):.0f} MiB")  # fmt: skip

    transfer = {}
    for viewport, slot in SLOTS.items():
        for ratio in (1, 2, 3):
            row = {fmt: chosen(renditions, fmt, slot, ratio) for fmt in ("avif", "jpeg")}
            transfer[f"{viewport}px@{ratio}x"] = {
                fmt: {"width": r["width"], "bytes": r["bytes"]} for fmt, r in row.items()
            }
            print(f"{viewport:>5} px at {ratio}x: AVIF {row['avif']['width']} px "
                  f"{row['avif']['bytes'] / 1000:.0f} KB, JPEG {row['jpeg']['width']} px "
                  f"{row['jpeg']['bytes'] / 1000:.0f} KB")  # fmt: skip
    phone = transfer["390px@3x"]["avif"]["bytes"]
    verdict = "within" if phone <= PHONE_BUDGET else "OVER"
    print(f"phone (390 px at 3x, AVIF): {phone / 1000:.0f} KB, {verdict} the 150 KB budget")
    print(json.dumps({"source_pixels": width * height, "ingest_seconds": round(best["seconds"], 2),
                      "peak_mib": round(best["peak_mib"]), "transfer": transfer}))  # fmt: skip


if __name__ == "__main__":
    main()
