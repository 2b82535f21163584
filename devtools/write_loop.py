"""An editor in a loop: create, edit and publish articles with sections and tags.

Run by tests/test_server.py as separate processes against the server's database.
Prints "saved N" when all N articles were written and read back.
"""

import sys

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Section  # noqa: E402


def main(count, prefix):
    saved = 0
    for n in range(count):
        with transaction.atomic():
            article = Article.objects.create(
                title=f"Load test {prefix} {n}",
                slug=f"load-{prefix}-{n}",
                standfirst="Written under load.",
            )
            for position in range(3):
                Section.objects.create(
                    article=article, position=position, heading=f"Part {position}", body="Text."
                )
            article.tags.add("Load test", f"Batch {n % 5}")
        # A read, then a write in one transaction: without IMMEDIATE, two such
        # writers deadlock on the lock upgrade and one fails at once.
        with transaction.atomic():
            count = Section.objects.filter(article=article).count()
            article.standfirst = f"Written under load, {count} sections."
            article.save()
        article.status, article.published_at = Article.Status.PUBLISHED, timezone.now()
        article.save()
        saved += Article.objects.filter(slug=f"load-{prefix}-{n}", sections__position=2).count()
    print(f"saved {saved}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
