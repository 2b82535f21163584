"""Load with faults: readers, an editor and a killed worker, and nothing may be lost.

    make loadtest                       # 60 s, 32 readers
    .venv/bin/python bench/loadtest.py --seconds 20 --readers 16

A fresh SQLite site (seed articles plus synthetic ones) is served by gunicorn in
production mode on 127.0.0.1; with `--restart-postgres`, run under devtools/with_postgres.py,
a fresh PostgreSQL database on that throwaway server instead, which is restarted two
thirds of the way in: requests may then fail cleanly (503, a one-line log entry), none
afterwards, and no confirmed edit may be lost. For the whole run, reader threads in
this process load mixed pages while an editor (a second thread with its own session) signs in to the
admin and adds, publishes and edits articles in a loop, recording each save the server
confirmed. A third of the way in, one gunicorn worker is killed with SIGKILL; gunicorn
starts a replacement. Pass: no 5xx, no "database is locked" anywhere, and every edit
the editor saw succeed is in the database afterwards. Prints a summary table; exits
non-zero on failure. Sends traffic to 127.0.0.1 only and stops by itself.
"""

import argparse
import collections
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devtools.html_forms import form_fields  # noqa: E402  (reads forms as a browser sends them)
from devtools.services import free_port  # noqa: E402

ADMIN_FORMS = "form#article_form, form#login-form"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "load-test-" + secrets.token_urlsafe(12)


class Session:
    """A tiny HTTP client with cookies, for one thread."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), content
        finally:
            connection.close()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = collections.defaultdict(list)
        self.statuses = collections.Counter()
        self.errors = collections.Counter()

        self.failures = []  # (when, what): 5xx statuses and connection errors

    def record(self, kind, status, seconds):
        with self.lock:
            self.latency[kind].append(seconds * 1000)
            self.statuses[status] += 1
            if status >= 500:
                self.failures.append((time.monotonic(), status))

    def error(self, kind, error):
        with self.lock:
            self.errors[f"{kind}: {type(error).__name__}"] += 1
            self.failures.append((time.monotonic(), type(error).__name__))


def reader(port, paths, stats, stop, rng):
    session = Session(port)
    while not stop.is_set():
        kind, path = rng.choice(paths)
        started = time.perf_counter()
        try:
            status, _, _ = session.request("GET", path)
            stats.record(kind, status, time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as error:  # e.g. the killed worker's
            stats.error(kind, error)


def editor(port, stats, stop, saved, problems):
    """Sign in, then add and publish an article and edit its section, over and over."""
    session = Session(port)
    status = None
    while status is None and not stop.is_set():
        try:
            _, _, page = session.request("GET", "/admin/login/?next=/admin/")
            login = form_fields(page, ADMIN_FORMS)
            login.update(username="editor", password=PASSWORD)
            status, headers, _ = session.request("POST", "/admin/login/?next=/admin/", login)
        except (OSError, http.client.HTTPException) as error:  # e.g. on the killed worker
            stats.error("admin sign-in", error)
    if status != 302:
        problems.append((time.monotonic(), f"editor could not sign in ({status})"))
        return
    n = 0
    while not stop.is_set():
        n += 1
        slug, body = f"load-{n}", f"Body {n} written under load."
        try:
            status, _, page = session.request("GET", "/admin/articles/article/add/")
            if status != 200:
                problems.append((time.monotonic(), f"add form: {status}"))
                continue
            data = form_fields(page, ADMIN_FORMS)
            data.update(
                {
                    "title": f"Load test {n}",
                    "slug": slug,
                    "standfirst": "Saved while readers load pages.",
                    "tags": "Load test",
                    "status": "published",
                    "sections-TOTAL_FORMS": "2",
                    "sections-0-heading": "",
                    "sections-0-body": body,
                    "sections-1-heading": "More",
                    "sections-1-body": "Second section.",
                    "_continue": "Save and continue editing",
                }
            )
            started = time.perf_counter()
            status, headers, content = session.request("POST", "/admin/articles/article/add/", data)
            stats.record("admin save", status, time.perf_counter() - started)
            if status != 302:
                problems.append((time.monotonic(), f"add {slug}: {status}"))
                continue
            saved[slug] = {"title": f"Load test {n}", "body": body}
            change = headers["Location"]
            status, _, page = session.request("GET", change)
            if status != 200:
                problems.append((time.monotonic(), f"change form of {slug}: {status}"))
                continue
            data = form_fields(page, ADMIN_FORMS)
            data["sections-0-body"] = body + " Edited."
            data["_publish_changes"] = "Publish changes"  # live: a plain save is a draft
            started = time.perf_counter()
            status, _, _ = session.request("POST", change, data)
            stats.record("admin save", status, time.perf_counter() - started)
            if status == 302:
                saved[slug]["body"] = body + " Edited."
            else:
                problems.append((time.monotonic(), f"edit {slug}: {status}"))
        except (OSError, http.client.HTTPException) as error:
            stats.error("admin save", error)


def workers_of(master):
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument(
        "--restart-postgres",
        action="store_true",
        help="under devtools/with_postgres.py: restart the server mid-run",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hkai-load-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    database = f"sqlite:///{work / 'db.sqlite3'}"
    if args.restart_postgres:
        database = postgres_database(os.environ.get("DATABASE_URL", ""))
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database,
        DJANGO_STATIC_ROOT=str(work / "static"),
        DJANGO_LOGIN_FAILURE_LIMIT="1000",
        PORT=str(port),
        WEB_CONCURRENCY=str(args.workers),
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    print(f"Preparing a site in {work} …", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "load_seed")
    subprocess.run([PYTHON, "-m", "devtools.generate", "--count", str(args.articles), "--seed",
                    "1"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    manage(env, "collectstatic", "--noinput")
    manage(env, "createsuperuser", "--noinput", "--username", "editor", "--email", "e@hkai.test")
    log = open(work / "gunicorn.log", "w")
    server = subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py", "hkai_site.wsgi"], cwd=ROOT,
                              env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        return run(args, port, server, work, env)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def postgres_database(url):
    """A fresh database on the throwaway server of devtools/with_postgres.py."""
    if not url.startswith("postgres") or "HKAI_TEST_PG_RESTART" not in os.environ:
        raise SystemExit("--restart-postgres runs under devtools/with_postgres.py")
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS hkai_load")
        db.execute("CREATE DATABASE hkai_load")
    return url.rsplit("/", 1)[0] + "/hkai_load"


def restart_postgres():
    """Restart the database server; (started, finished) in monotonic seconds."""
    import json

    started = time.monotonic()
    subprocess.run(json.loads(os.environ["HKAI_TEST_PG_RESTART"]), check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    return started, time.monotonic()


def run(args, port, server, work, env):
    deadline = time.monotonic() + 30
    while True:
        try:
            if Session(port).request("GET", "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
        if time.monotonic() > deadline:
            raise SystemExit("gunicorn did not start; see " + str(work / "gunicorn.log"))

    home = Session(port).request("GET", "/")[2].decode()
    css = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home)[1]
    os.environ.update(DATABASE_URL=env["DATABASE_URL"], DJANGO_SETTINGS_MODULE="hkai_site.settings",
                      DJANGO_SECRET_KEY=env["DJANGO_SECRET_KEY"])  # fmt: skip
    import django

    django.setup()
    from articles.models import Article

    slugs = list(Article.objects.values_list("slug", flat=True)[:200])
    paths = (
        [("home", "/")] * 4
        + [("home page 3", "/?page=3")]
        + [("article", f"/articles/{slug}/") for slug in slugs[:50]]
        + [("topics", "/tags/"), ("topic", "/tags/hong-kong/"), ("topic", "/tags/fintech/")]
        + [("search", "/search/?q=%E9%A6%99%E6%B8%AF"), ("search", "/search/?q=bank")]
        + [("feed", "/feed/"), ("static css", css)]
    )
    stats, stop, saved, problems = Stats(), threading.Event(), {}, []
    threads = [
        threading.Thread(target=reader, args=(port, paths, stats, stop, random.Random(n)))
        for n in range(args.readers)
    ]
    threads.append(threading.Thread(target=editor, args=(port, stats, stop, saved, problems)))
    started = time.monotonic()
    for thread in threads:
        thread.start()

    time.sleep(args.seconds / 3)
    before = workers_of(server.pid)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic() - started
    replaced, outage = None, None
    # A run must see the editor's work: on a machine busy with other jobs the first save
    # can take longer than a short run, so it goes on (up to five times as long) until
    # one is confirmed.
    while (elapsed := time.monotonic() - started) < args.seconds or (
        not saved and elapsed < args.seconds * 5
    ):
        now = workers_of(server.pid)
        if replaced is None and victim not in now and len(now) == len(before):
            replaced = time.monotonic() - started - killed_at
        if (
            args.restart_postgres
            and outage is None
            and time.monotonic() - started > args.seconds * 2 / 3
        ):
            outage = restart_postgres()
        time.sleep(0.25)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    from django.db import connections

    connections.close_all()  # this process's own connection did not survive a restart
    missing = []
    for slug, expected in saved.items():
        article = Article.objects.filter(slug=slug).prefetch_related("sections").first()
        bodies = [s.body for s in article.sections.all()] if article else []
        if (
            article is None
            or article.title != expected["title"]
            or not article.is_published
            or expected["body"] not in bodies
        ):
            missing.append(slug)
    server_log = (work / "gunicorn.log").read_text()
    locked = server_log.count("database is locked")
    tracebacks = server_log.count("Traceback")
    # While the database restarts (and 2 s after, as workers reconnect) requests may fail
    # with a 503 or a closed connection; a 5xx other than 503, or any failure outside
    # that window, fails the run.
    window = (outage[0], outage[1] + 2) if outage else (0, 0)
    during = [f for f in stats.failures if window[0] <= f[0] <= window[1]]
    fivexx = len([f for f in stats.failures if f not in during and isinstance(f[1], int)])
    fivexx += len([f for f in during if isinstance(f[1], int) and f[1] != 503])
    errors_after = [
        f for f in stats.failures if outage and f[0] > window[1] and not isinstance(f[1], int)
    ]
    problems = [text for when, text in problems if not window[0] <= when <= window[1]]

    total = sum(len(v) for v in stats.latency.values())
    print(f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s), "
          f"{args.readers} readers + 1 editor, {args.workers} gunicorn workers\n")  # fmt: skip
    print(f"{'page':<14}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for kind, values in sorted(stats.latency.items()):
        p99 = statistics.quantiles(values, n=100)[-1] if len(values) > 1 else values[0]
        print(f"{kind:<14}{len(values):>9}{statistics.median(values):>9.1f}{p99:>9.1f}")
    print()
    rows = [
        ("status codes", dict(sorted(stats.statuses.items()))),
        ("5xx responses", fivexx),
        ("connection errors", dict(stats.errors) or 0),
        *(
            [
                (
                    "database restarted",
                    f"in {outage[1] - outage[0]:.1f} s at "
                    f"{outage[0] - started:.1f} s; {len(during)} clean failures meanwhile",
                ),
                ("failures after restart", len(errors_after)),
            ]
            if outage
            else []
        ),
        ('"database is locked"', locked),
        ("tracebacks in server log", tracebacks),
        ("worker killed", f"pid {victim} at {killed_at:.1f} s"),
        ("replacement worker", f"up {replaced:.1f} s later" if replaced is not None else "NONE"),
        ("editor saves confirmed", len(saved)),
        ("confirmed edits missing", len(missing)),
        ("editor problems", problems[:5] or 0),
    ]
    for name, value in rows:
        print(f"{name:<26}{value}")
    passed = (
        fivexx == 0 and locked == 0 and tracebacks == 0 and not missing and saved
        and replaced is not None and not problems and not errors_after
        and (outage is not None or not args.restart_postgres)
    )  # fmt: skip
    print("\nPASS" if passed else "\nFAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
