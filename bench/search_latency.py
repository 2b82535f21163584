"""Search latency, in process, on a database of N synthetic articles.

    python bench/search_latency.py --articles 1000            # SQLite, in bench/data/
    python devtools/with_postgres.py python bench/search_latency.py --articles 1000

Builds the database on first use (migrate + devtools.generate), then times the whole
search page (view, queries, template) for each query, several rounds, and prints p50
and p95 per query in milliseconds.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "香港",
    "人工智能",
    "網絡安全",
    "cyber",
    "model",
    "bank regulation",
    "Hong Kong finance",
    "privacy oversight",
    "quantum",
    "香港 startups",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    if "DATABASE_URL" not in os.environ:
        data = ROOT / "bench" / "data"
        data.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{data / f'search-{args.articles}.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_site.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from articles.models import Article
    from devtools.generator import generate

    call_command("migrate", verbosity=0)
    if Article.objects.count() < args.articles:
        generate(args.articles - Article.objects.count(), seed=1)
    client = Client()
    print(f"{connection.vendor}, {Article.objects.count()} articles, {args.rounds} rounds")
    print(f"{'query':<22}{'results':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for query in QUERIES:
        client.get("/search/", {"q": query})  # warm up
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            response = client.get("/search/", {"q": query})
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        found = re.search(r"(\d+) articles? found", response.content.decode())[1]
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{query:<22}{found:>8}{statistics.median(times):>9.1f}{p95:>9.1f}")


if __name__ == "__main__":
    main()
