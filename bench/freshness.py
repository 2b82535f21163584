"""What each way of knowing the content version costs a cached hit on PostgreSQL, in
process: the worker's CPU and the wall time per check, and the PostgreSQL backend's CPU
(read from /proc), over N checks.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/freshness.py

* heard: the listening session's socket read without waiting (no round trip; the
  notification can arrive after the writer has its answer: not fresh);
* sync: an empty query on the listening session, whose answer comes after every
  notification of a commit acknowledged before it was sent;
* prepared: the version row read by a prepared statement on a raw psycopg connection;
* orm: the state query through Django's connection (what a hit cost before listening);
* redis get / redis mget: a page fetched from Redis alone, and with a version key beside
  it in the same round trip.
"""

import os
import select
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_site.settings")
N = int(os.environ.get("CHECKS", "20000"))


def backend_cpu(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(name, check, backend=None):
    for _ in range(200):
        check()
    cpu, wall = time.process_time(), time.perf_counter()
    server = backend_cpu(backend) if backend else 0.0
    for _ in range(N):
        check()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    server = (backend_cpu(backend) - server) if backend else 0.0
    print(
        f"{name:<14} wall {wall / N * 1e6:7.1f} us   worker CPU {cpu / N * 1e6:6.1f} us   "
        f"PostgreSQL CPU {server / N * 1e6:6.1f} us"
    )


def main():
    import django

    django.setup()
    import psycopg
    from django.db import connection

    from articles import cache

    params = connection.get_connection_params()
    raw = connection.get_new_connection(params)
    raw.autocommit = True
    raw.execute("LISTEN hkai_content")
    pgconn = raw.pgconn

    def heard():
        pgconn.consume_input()
        while pgconn.notifies() is not None:
            pass

    def sync():
        pgconn.send_query(b"")
        while True:
            pgconn.flush()
            pgconn.consume_input()
            if not pgconn.is_busy():
                break
            select.select([pgconn.socket], [], [], 1.0)
        while pgconn.get_result() is not None:
            pass
        while pgconn.notifies() is not None:
            pass

    other = connection.get_new_connection(params)
    other.autocommit = True
    sql = b"SELECT version, changed FROM articles_contentversion WHERE id = 1"
    other.pgconn.prepare(b"hkai_version", sql)

    def prepared():
        result = other.pgconn.exec_prepared(b"hkai_version", [])
        result.get_value(0, 0)

    def orm():
        cache._LAST.value = None
        cache.current_version()

    connection.ensure_connection()
    measure("heard", heard, raw.info.backend_pid)
    measure("sync", sync, raw.info.backend_pid)
    measure("prepared", prepared, other.info.backend_pid)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        django_pid = cursor.fetchone()[0]
    measure("orm", orm, django_pid)
    if os.environ.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        client.set("page", b"x" * 20000)
        client.set("version", b"1234567890")
        measure("redis get", lambda: client.get("page"))
        measure("redis mget", lambda: client.mget("version", "page"))
    raw.close()
    other.close()
    del psycopg


if __name__ == "__main__":
    main()
