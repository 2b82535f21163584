"""The benchmark's editor (bench/run.py): saves one article a second for `seconds`
and checks, after each save, that its page shows the edit at once. Prints JSON."""

import json
import sys
import time
import urllib.request

import django

django.setup()

from articles.models import Article  # noqa: E402


def main(port, slugs, seconds):
    edits, stale, errors = 0, 0, 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        started = time.monotonic()
        article = Article.objects.get(slug=slugs[edits % len(slugs)])
        token = f"edit-{edits}-{time.time_ns()}"
        article.standfirst = f"Edited under load ({token})."
        article.save()
        edits += 1
        try:
            url = f"http://127.0.0.1:{port}{article.get_absolute_url()}"
            with urllib.request.urlopen(url, timeout=30) as response:
                stale += token not in response.read().decode()
        except OSError:
            errors += 1
        time.sleep(max(0, 1 - (time.monotonic() - started)))
    print(json.dumps({"edits": edits, "stale": stale, "errors": errors}))


if __name__ == "__main__":
    main(int(sys.argv[1]), json.loads(sys.argv[2]), float(sys.argv[3]))
