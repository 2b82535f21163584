"""Rendering time of the worst section bodies (devtools/markdown_cases.py), in process.

    python bench/markdown_worst_case.py            # at the section limit, best of 3
    python bench/markdown_worst_case.py --length 100000 --rounds 5

Prints each case's best time in milliseconds, slowest first; `make bench` runs it.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_site.settings")
    import django

    django.setup()
    from articles.limits import SECTION_BODY_MAX_LENGTH
    from articles.markdown import render_markdown
    from devtools.markdown_cases import worst_cases

    parser = argparse.ArgumentParser()
    parser.add_argument("--length", type=int, default=SECTION_BODY_MAX_LENGTH)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    times = {}
    for name, body in worst_cases(args.length).items():
        best = float("inf")
        for _ in range(args.rounds):
            start = time.perf_counter()
            render_markdown(body)
            best = min(best, time.perf_counter() - start)
        times[name] = best
    print(f"render_markdown, {args.length:,} characters, best of {args.rounds}:")
    for name, seconds in sorted(times.items(), key=lambda item: -item[1]):
        print(f"  {name!r:18} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
