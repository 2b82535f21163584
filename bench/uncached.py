"""Where a page rendered from nothing spends its time, in process: every cache off
(bench/nocache_settings.py: no stored pages, no kept counts or lists, nothing from
`articles.cache.cached()`), each request a different page of its kind, through the
WSGI application as gunicorn calls it.

    DATABASE_URL=sqlite:///bench/data/bench-100000.sqlite3 \
        .venv/bin/python bench/uncached.py [--pages 60] [--profile detail]

Per page, the median over distinct pages of the CPU time of one request, split into
SQL (the database's execute and fetch calls), template rendering (less any SQL run
from a template) and the rest of Python (middleware, views, the ORM building queries
and model instances). `--profile NAME` prints cProfile's top functions for that page.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.nocache_settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "a local benchmark key, not a secret of any site")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")

from django.db.backends.sqlite3 import base as sqlite_base  # noqa: E402
from django.template import base  # noqa: E402
from django.template.backends import django as template_backend  # noqa: E402

from hkai_site.wsgi import application  # noqa: E402  (sets Django up)

CLOCK = time.process_time
spent = {"sql": 0.0, "template": 0.0, "sql_in_template": 0.0}
depth = {"template": 0}


def timed_sql(method):
    def run(self, *args, **kwargs):
        started = CLOCK()
        try:
            return method(self, *args, **kwargs)
        finally:
            elapsed = CLOCK() - started
            spent["sql"] += elapsed
            if depth["template"]:
                spent["sql_in_template"] += elapsed

    return run


cursor = sqlite_base.SQLiteCursorWrapper
for name in ("execute", "executemany"):
    setattr(cursor, name, timed_sql(getattr(cursor, name)))
for name in ("fetchone", "fetchmany", "fetchall"):
    setattr(cursor, name, timed_sql(getattr(sqlite_base.Database.Cursor, name)))

render = template_backend.Template.render


def timed_render(self, *args, **kwargs):
    depth["template"] += 1
    started = CLOCK()
    try:
        return render(self, *args, **kwargs)
    finally:
        depth["template"] -= 1
        if not depth["template"]:
            spent["template"] += CLOCK() - started


template_backend.Template.render = timed_render

# Per template (with --templates): the time inside each one's render, included ones too.
per_template = {}
inner_render = base.Template.render


def timed_inner_render(self, context):
    started = CLOCK()
    try:
        return inner_render(self, context)
    finally:
        name = self.origin.template_name if self.origin else "(string)"
        calls, seconds = per_template.get(name, (0, 0.0))
        per_template[name] = (calls + 1, seconds + CLOCK() - started)


def environ(path):
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": "bench",
        "REMOTE_ADDR": "127.0.0.1",
    }


def get(path):
    statuses = []
    body = application(environ(path), lambda status, headers, exc=None: statuses.append(status))
    content = b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return statuses[0], content


def pages(count, seed=5):
    """Each kind of page's addresses, picked from this database (distinct pages)."""
    from django.db.models import Count
    from taggit.models import Tag

    from articles.models import Article, Person

    rng = random.Random(seed)
    published = Article.objects.published()
    slugs = list(published.order_by("-published_at").values_list("slug", flat=True)[: count * 40])
    total = published.count()
    tags = Tag.objects.annotate(k=Count("articles_taggedarticle_items")).filter(k__gt=0)
    counted = list(tags.order_by("-k").values_list("slug", "k")[:count])
    tags = [slug for slug, _ in counted]
    people = Person.objects.filter(bylines__article__in=published).distinct()
    people = list(people.values_list("slug", flat=True)[:count])
    deep = [rng.randint(2, max(2, total // 10)) for _ in range(count)]
    return {
        "/": ["/"] * count,
        "/zh-hant/": ["/zh-hant/"] * count,
        "deep page": [f"/?page={n}" for n in deep],
        "detail": [f"/articles/{slug}/" for slug in rng.sample(slugs, count)],
        "topic": [f"/tags/{slug}/" for slug in tags],
        "deep topic": [
            f"/tags/{slug}/?page={rng.randint(2, max(2, k // 10))}" for slug, k in counted
        ],
        "/tags/": ["/tags/"] * count,
        # The few authors' pages over again: nothing is cached in between.
        "author": [f"/authors/{slug}/" for slug in (people * count)[:count]],
    }


def measure(paths):
    rows = []
    for path in paths:
        for key in spent:
            spent[key] = 0.0
        started = CLOCK()
        status, _ = get(path)
        total = CLOCK() - started
        assert status.startswith("200"), (path, status)
        template = spent["template"] - spent["sql_in_template"]
        rows.append((total, spent["sql"], template, total - spent["sql"] - template))
    return [statistics.median(column) * 1000 for column in zip(*rows, strict=True)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=60, help="distinct pages of each kind")
    parser.add_argument("--page", help="measure this page alone (a name in the table)")
    parser.add_argument("--profile", help="a page's name: measure it alone, print its cProfile")
    parser.add_argument("--rounds", type=int, default=3, help="the best of so many medians")
    parser.add_argument("--templates", action="store_true", help="time each template too")
    args = parser.parse_args()
    picked = pages(args.pages * 2)
    if args.templates:
        base.Template.render = timed_inner_render
    for paths in picked.values():  # the first request of each kind loads templates
        for path in paths[:3]:
            get(path)
    per_template.clear()
    print(f"{'page':12} {'total':>7} {'SQL':>7} {'template':>9} {'Python':>7}  (ms, median)")
    for name, paths in picked.items():
        if name != (args.profile or args.page or name) or not paths:
            continue
        shown = paths[: args.pages]
        rounds = [measure(shown) for _ in range(args.rounds)]
        total, sql, template, python = min(rounds)  # a busy moment on the machine shows less
        print(f"{name:12} {total:7.2f} {sql:7.2f} {template:9.2f} {python:7.2f}", flush=True)
        if args.templates:
            for template_name, (calls, seconds) in sorted(per_template.items()):
                each, per_page = seconds / calls * 1000, calls / len(shown) / args.rounds
                print(
                    f"    {template_name:36} {per_page:5.1f} a page, "
                    f"{each:6.3f} ms each (with what it includes)"
                )
            per_template.clear()
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(lambda rest=paths[args.pages :]: [get(path) for path in rest])
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
