"""Database triggers: the data keeps its own derived state, whoever writes it.

Written once here, installed on SQLite and PostgreSQL after every `migrate` (apps.py),
so that every way of writing — the ORM, `QuerySet.update()`, `bulk_create`, raw SQL,
`loaddata`, django-reversion's raw saves — keeps, in the same transaction:

* the content version (`ContentVersion`): any change to what readers see moves it, and
  cached pages keyed on it are never served again (articles/cache.py);
* counts of articles in the live state (`models.live_state_q`): per tag (`TopicCount`)
  and in all (`ContentVersion.live_articles`); readers' counts subtract the few waiting
  ones (topics.py, `models.published_count`);
* counts of articles in the live state with a publication time per calendar month
  (`MonthCount`, UTC), in all and per tag (`TopicMonthCount`): where a deep page of
  the list or of a topic starts (pagination.py);
* slug redirects (`SlugRedirect`): a published article's old address answers 301 to
  its current one, until another published article takes the slug; and the same for
  a renamed topic (`TopicRedirect`), until another topic takes the slug.

SQLite triggers run per row; PostgreSQL runs the same statements in a PL/pgSQL function
per trigger, first taking row locks in a fixed order so that concurrent transactions
neither lose an update nor deadlock on each other's counts; there a TRUNCATE, which
fires no row trigger, moves the version and counts every topic again.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from taggit.models import Tag

from .models import (
    Article,
    Byline,
    ContentVersion,
    Image,
    LeadStory,
    MonthCount,
    Person,
    SearchDocument,
    SearchEntry,
    Section,
    SlugRedirect,
    TaggedArticle,
    TopicMonthCount,
    TopicProfile,
    TopicRedirect,
)
from .models import TopicCount as Count

PREFIX = "articles_tracks"
ARTICLE = Article._meta.db_table
TAGGED = TaggedArticle._meta.db_table
COUNTS = Count._meta.db_table
REDIRECTS = SlugRedirect._meta.db_table
MONTHS = MonthCount._meta.db_table
TOPIC_MONTHS = TopicMonthCount._meta.db_table
TOPIC_REDIRECTS = TopicRedirect._meta.db_table
LIVE = f"'{Article.Status.PUBLISHED}'"  # the stored part of the published rule
# search.sort_key, as SQL (articles.search imports this module's models, not the reverse).
KEY_SPAN, UNPUBLISHED_SECONDS = 2**30, -(2**32)

# The months of NEW's, OLD's and a stored row's publication times ({month_new}, ...).
MONTH_OF = {
    "new": "NEW.published_at",
    "old": "OLD.published_at",
    "row": "published_at",
    "a": "a.published_at",  # the article aliased `a`
}

DIALECT = {
    "sqlite": {
        "new_version": "random()",
        "now_seconds": "CAST(strftime('%s', 'now') AS INTEGER)",
        "now": "strftime('%Y-%m-%d %H:%M:%f', 'now')",
        "seconds_published": "CAST(strftime('%s', NEW.published_at) AS INTEGER)",
        # MonthCount.month: YYYYMM of a stored time (SQLite stores UTC).
        **{
            f"month_{row}": f"CAST(strftime('%Y%m', {column}) AS INTEGER)"
            for row, column in MONTH_OF.items()
        },
    },
    "postgresql": {
        "new_version": "CAST(floor(random() * 4611686018427387904) AS bigint)",
        "now_seconds": "CAST(floor(extract(epoch FROM now())) AS bigint)",
        "now": "now()",
        "seconds_published": "CAST(trunc(extract(epoch FROM NEW.published_at)) AS bigint)",
        **{
            f"month_{row}": f"CAST(to_char({column} AT TIME ZONE 'UTC', 'YYYYMM') AS integer)"
            for row, column in MONTH_OF.items()
        },
    },
}


@dataclass
class Trigger:
    name: str
    table: str
    event: str  # INSERT, UPDATE, DELETE or "UPDATE OF column, ..."
    statements: list[str]
    when: str = ""  # a condition on NEW/OLD
    locks: list[str] = field(default_factory=list)  # PostgreSQL only, run first
    per_statement: bool = False  # PostgreSQL: once per statement (no NEW/OLD)
    postgresql_only: bool = False  # TRUNCATE: SQLite has none


def _bump():
    version = ContentVersion._meta.db_table
    return (
        f"INSERT INTO {version} (id, version, changed) VALUES (1, {{new_version}}, "
        "{now_seconds}) ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
        "changed = excluded.changed"
    )


def _count(row, sign):
    """Count `row`'s (NEW or OLD) tagging in or out, when its article is live."""
    return (
        f"UPDATE {COUNTS} SET articles = articles {sign} 1 WHERE tag_id = {row}.tag_id "
        f"AND EXISTS (SELECT 1 FROM {ARTICLE} WHERE id = {row}.content_object_id "
        f"AND status = {LIVE})"
    )


def _count_article(sign):
    version = ContentVersion._meta.db_table
    return f"UPDATE {version} SET live_articles = live_articles {sign} 1 WHERE id = 1"


def _dated(row):
    """`row` (NEW or OLD) is counted in its month: live, with a publication time."""
    return f"{row}.status = {LIVE} AND {row}.published_at IS NOT NULL"


def _count_month(row, sign):
    """Count `row`'s article in (+) or out (-) of its month, when it is counted there."""
    if sign == "-":
        return (
            f"UPDATE {MONTHS} SET articles = articles - 1 "
            f"WHERE month = {{month_old}} AND {_dated(row)}"
        )
    return (
        f"INSERT INTO {MONTHS} (month, articles) SELECT {{month_new}}, 1 WHERE {_dated(row)} "
        f"ON CONFLICT (month) DO UPDATE SET articles = {MONTHS}.articles + 1"
    )


def _count_tagging_month(row, sign):
    """Count tagging `row` (NEW or OLD) in or out of its tag's month, when its article
    is counted in a month."""
    article = (
        f"FROM {ARTICLE} a WHERE a.id = {row}.content_object_id AND a.status = {LIVE} "
        "AND a.published_at IS NOT NULL"
    )
    if sign == "-":
        return (
            f"UPDATE {TOPIC_MONTHS} SET articles = articles - 1 WHERE tag_id = {row}.tag_id "
            f"AND month = (SELECT {{month_a}} {article})"
        )
    return (
        f"INSERT INTO {TOPIC_MONTHS} (tag_id, month, articles) SELECT {row}.tag_id, "
        f"{{month_a}}, 1 {article} ON CONFLICT (tag_id, month) DO UPDATE SET "
        f"articles = {TOPIC_MONTHS}.articles + 1"
    )


def _count_article_tags_month(row, sign):
    """Count the taggings of article `row` in (+) or out (-) of their tags' months."""
    if sign == "-":
        return (
            f"UPDATE {TOPIC_MONTHS} SET articles = articles - 1 WHERE month = {{month_old}} "
            f"AND {_dated(row)} AND tag_id IN "
            f"(SELECT tag_id FROM {TAGGED} WHERE content_object_id = {row}.id)"
        )
    return (
        f"INSERT INTO {TOPIC_MONTHS} (tag_id, month, articles) SELECT tag_id, {{month_new}}, 1 "
        f"FROM {TAGGED} WHERE content_object_id = {row}.id AND {_dated(row)} "
        f"ON CONFLICT (tag_id, month) DO UPDATE SET articles = {TOPIC_MONTHS}.articles + 1"
    )


def _lock_article(row):
    return f"PERFORM 1 FROM {ARTICLE} WHERE id = {row}.content_object_id FOR SHARE"


def _lock_counts_of(row):
    return (
        f"PERFORM 1 FROM {COUNTS} WHERE tag_id IN (SELECT tag_id FROM {TAGGED} "
        f"WHERE content_object_id = {row}.id) ORDER BY tag_id FOR UPDATE"
    )


def triggers():
    user = get_user_model()._meta.db_table
    tracked = [ARTICLE, Section._meta.db_table, TAGGED, Tag._meta.db_table, REDIRECTS]
    # Topic pages show their descriptions and answer their old addresses.
    tracked += [TopicProfile._meta.db_table, TOPIC_REDIRECTS]
    # Search results change with the index.
    tracked += [SearchEntry._meta.db_table, SearchDocument._meta.db_table]
    # Pages show images' alt text, captions, credits and crops.
    tracked.append(Image._meta.db_table)
    # The home page shows the articles Editors pinned to lead it.
    tracked.append(LeadStory._meta.db_table)
    # Bylines and author pages show people's names and bios.
    tracked += [Person._meta.db_table, Byline._meta.db_table]
    defined = [
        Trigger(f"{table}_{event.lower()}", table, event, [_bump()], per_statement=True)
        for table in tracked
        for event in ("INSERT", "UPDATE", "DELETE")
    ]
    # PostgreSQL's TRUNCATE fires none of the above: move the version, count again.
    defined += [
        Trigger(
            f"{table}_truncate",
            table,
            "TRUNCATE",
            [_bump(), *(RECOUNT if table in (ARTICLE, TAGGED) else [])],
            per_statement=True,
            postgresql_only=True,
        )
        for table in tracked
    ]
    # Bylines show authors' names; a login (last_login) changes no page.
    defined.append(
        Trigger(
            "byline",
            user,
            "UPDATE OF username, first_name, last_name",
            [_bump()],
            per_statement=True,
        )
    )
    status_moved = f"(OLD.status = {LIVE}) <> (NEW.status = {LIVE})"
    defined += [
        Trigger(
            "count_new_tag",
            Tag._meta.db_table,
            "INSERT",
            [f"INSERT INTO {COUNTS} (tag_id, articles) VALUES (NEW.id, 0) ON CONFLICT DO NOTHING"],
        ),
        Trigger(
            "count_tagging",
            TAGGED,
            "INSERT",
            [_count("NEW", "+"), _count_tagging_month("NEW", "+")],
            "",
            [_lock_article("NEW")],
        ),
        Trigger(
            "uncount_tagging",
            TAGGED,
            "DELETE",
            [_count("OLD", "-"), _count_tagging_month("OLD", "-")],
            "",
            [_lock_article("OLD")],
        ),
        Trigger(
            "recount_moved_tagging",
            TAGGED,
            "UPDATE",
            [
                _count("OLD", "-"),
                _count("NEW", "+"),
                _count_tagging_month("OLD", "-"),
                _count_tagging_month("NEW", "+"),
            ],
            "OLD.tag_id <> NEW.tag_id OR OLD.content_object_id <> NEW.content_object_id",
            [_lock_article("OLD"), _lock_article("NEW")],
        ),
        Trigger(
            "recount_article_status",
            ARTICLE,
            "UPDATE OF status",
            [
                f"UPDATE {COUNTS} SET articles = articles + "
                f"(CASE WHEN NEW.status = {LIVE} THEN 1 ELSE -1 END) WHERE tag_id IN "
                f"(SELECT tag_id FROM {TAGGED} WHERE content_object_id = NEW.id)"
            ],
            status_moved,
            [_lock_counts_of("NEW")],
        ),
        Trigger(
            "uncount_deleted_article",
            ARTICLE,
            "DELETE",
            [
                f"UPDATE {COUNTS} SET articles = articles - 1 WHERE tag_id IN "
                f"(SELECT tag_id FROM {TAGGED} WHERE content_object_id = OLD.id)"
            ],
            f"OLD.status = {LIVE}",
            [_lock_counts_of("OLD")],
        ),
        Trigger(
            "count_new_article", ARTICLE, "INSERT", [_count_article("+")], f"NEW.status = {LIVE}"
        ),
        Trigger(
            "uncount_article", ARTICLE, "DELETE", [_count_article("-")], f"OLD.status = {LIVE}"
        ),
        Trigger(
            "recount_article",
            ARTICLE,
            "UPDATE OF status",
            [
                f"UPDATE {ContentVersion._meta.db_table} SET live_articles = live_articles + "
                f"(CASE WHEN NEW.status = {LIVE} THEN 1 ELSE -1 END) WHERE id = 1"
            ],
            status_moved,
        ),
        # Each month's live articles: an article counted out of the month it was in and
        # into the one it is in (a row lock on both first, in order, on PostgreSQL).
        Trigger(
            "count_month_new_article",
            ARTICLE,
            "INSERT",
            [_count_month("NEW", "+")],
            _dated("NEW"),
        ),
        Trigger(
            "uncount_month_deleted_article",
            ARTICLE,
            "DELETE",
            [_count_month("OLD", "-"), _count_article_tags_month("OLD", "-")],
            _dated("OLD"),
        ),
        Trigger(
            "recount_month_moved_article",
            ARTICLE,
            "UPDATE OF status, published_at",
            [
                _count_month("OLD", "-"),
                _count_month("NEW", "+"),
                _count_article_tags_month("OLD", "-"),
                _count_article_tags_month("NEW", "+"),
            ],
            "OLD.status IS DISTINCT FROM NEW.status "
            "OR OLD.published_at IS DISTINCT FROM NEW.published_at",
            [
                f"PERFORM 1 FROM {MONTHS} WHERE month IN ({{month_old}}, {{month_new}}) "
                "ORDER BY month FOR UPDATE",
                f"PERFORM 1 FROM {TOPIC_MONTHS} WHERE month IN ({{month_old}}, {{month_new}}) "
                f"AND tag_id IN (SELECT tag_id FROM {TAGGED} WHERE content_object_id = NEW.id) "
                "ORDER BY tag_id, month FOR UPDATE",
            ],
        ),
        # The search index reads documents in order of publication (search.sort_key),
        # however the date was changed (the admin's bulk actions use update()).
        Trigger(
            "search_order",
            ARTICLE,
            "UPDATE OF published_at",
            [
                f"UPDATE {SearchDocument._meta.db_table} SET sort_key = "
                f"COALESCE({{seconds_published}}, {UNPUBLISHED_SECONDS}) * {KEY_SPAN} + NEW.id "
                "WHERE article_id = NEW.id"
            ],
            "OLD.published_at IS DISTINCT FROM NEW.published_at",
        ),
        # A published article's old address keeps answering (the redirect names the
        # article, so chains of renames all lead to its current address).
        Trigger(
            "redirect_old_slug",
            ARTICLE,
            "UPDATE OF slug",
            [
                f"INSERT INTO {REDIRECTS} (old_slug, article_id, created_at) VALUES "
                "(OLD.slug, NEW.id, {now}) ON CONFLICT (old_slug) DO UPDATE SET "
                "article_id = excluded.article_id"
            ],
            f"OLD.slug <> NEW.slug AND OLD.status = {LIVE}",
        ),
        # A published article at an address ends its redirect; a draft there does not.
        *[
            Trigger(
                f"{name}_takes_slug",
                ARTICLE,
                event,
                [f"DELETE FROM {REDIRECTS} WHERE old_slug = NEW.slug"],
                f"NEW.status = {LIVE}",
            )
            for name, event in (("new", "INSERT"), ("renamed", "UPDATE OF slug, status"))
        ],
        # A renamed topic's old address keeps answering (naming the topic, so a chain of
        # renames leads to its current address); a topic at an address ends its redirect.
        Trigger(
            "redirect_old_topic_slug",
            Tag._meta.db_table,
            "UPDATE OF slug",
            [
                f"INSERT INTO {TOPIC_REDIRECTS} (old_slug, tag_id, created_at) VALUES "
                "(OLD.slug, NEW.id, {now}) ON CONFLICT (old_slug) DO UPDATE SET "
                "tag_id = excluded.tag_id"
            ],
            "OLD.slug <> NEW.slug",
        ),
        *[
            Trigger(
                f"{name}_topic_takes_slug",
                Tag._meta.db_table,
                event,
                [f"DELETE FROM {TOPIC_REDIRECTS} WHERE old_slug = NEW.slug"],
            )
            for name, event in (("new", "INSERT"), ("renamed", "UPDATE OF slug"))
        ],
    ]
    return defined


def sqlite_sql(trigger):
    name = f"{PREFIX}_{trigger.name}"
    when = f" WHEN {trigger.when}" if trigger.when else ""
    body = " ".join(f"{statement};" for statement in trigger.statements)
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} AFTER {trigger.event} ON {trigger.table} FOR EACH ROW"
        f"{when} BEGIN {body} END",
    ]


def postgresql_sql(trigger):
    name = f"{PREFIX}_{trigger.name}"
    body = " ".join(f"{statement};" for statement in [*trigger.locks, *trigger.statements])
    if trigger.when:
        body = f"IF {trigger.when} THEN {body} END IF;"
    each = "STATEMENT" if trigger.per_statement else "ROW"
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {trigger.table}",
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {body} RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {trigger.event} ON {trigger.table} FOR EACH {each} "
        f"EXECUTE FUNCTION {name}()",
    ]


# Every count from scratch (after a migrate, or a TRUNCATE), the version row existing.
RECOUNT = [
    f"INSERT INTO {COUNTS} (tag_id, articles) SELECT t.id, (SELECT COUNT(*) FROM {TAGGED} i "
    f"JOIN {ARTICLE} a ON a.id = i.content_object_id WHERE i.tag_id = t.id AND "
    f"a.status = {LIVE}) FROM {Tag._meta.db_table} t WHERE true "
    "ON CONFLICT (tag_id) DO UPDATE SET articles = excluded.articles",
    f"UPDATE {ContentVersion._meta.db_table} SET live_articles = "
    f"(SELECT COUNT(*) FROM {ARTICLE} WHERE status = {LIVE}) WHERE id = 1",
    f"DELETE FROM {MONTHS}",
    f"INSERT INTO {MONTHS} (month, articles) SELECT {{month_row}}, COUNT(*) FROM {ARTICLE} "
    f"WHERE status = {LIVE} AND published_at IS NOT NULL GROUP BY 1",
    f"DELETE FROM {TOPIC_MONTHS}",
    f"INSERT INTO {TOPIC_MONTHS} (tag_id, month, articles) SELECT i.tag_id, {{month_a}}, "
    f"COUNT(*) FROM {TAGGED} i JOIN {ARTICLE} a ON a.id = i.content_object_id "
    f"WHERE a.status = {LIVE} AND a.published_at IS NOT NULL GROUP BY 1, 2",
]


INSTALLED = {
    "sqlite": "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
    "postgresql": "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
}


def uninstall(connection):
    """Drop every trigger of ours: migrations run without them, since a trigger can name
    a table that a migration has not created yet or has just removed."""
    vendor = connection.vendor
    if vendor not in DIALECT:
        return
    with connection.cursor() as cursor:
        cursor.execute(INSTALLED[vendor], [f"{PREFIX}_%"])
        for name, table in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER {name}" + ("" if vendor == "sqlite" else f" ON {table}"))


def install(connection):
    """Create every trigger, count every topic from scratch and move the content version
    on (migrations may have changed content while no trigger watched); does nothing
    until the tables exist (e.g. after `migrate articles zero`)."""
    vendor = connection.vendor
    if vendor not in DIALECT:
        return
    uninstall(connection)
    tables = set(connection.introspection.table_names())
    defined = triggers()
    needed = {trigger.table for trigger in defined} | {COUNTS, MONTHS, TOPIC_MONTHS}
    needed.add(ContentVersion._meta.db_table)
    if not needed <= tables:
        return
    render = sqlite_sql if vendor == "sqlite" else postgresql_sql
    with connection.cursor() as cursor:
        for trigger in defined:
            if trigger.postgresql_only and vendor != "postgresql":
                continue
            for statement in render(trigger):
                cursor.execute(statement.format(**DIALECT[vendor]))
        cursor.execute(_bump().format(**DIALECT[vendor]))
        for statement in RECOUNT:
            cursor.execute(statement.format(**DIALECT[vendor]))
