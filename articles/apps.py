from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import signals  # noqa: F401  (connects the receivers)

        pre_migrate.connect(uninstall_triggers, sender=self)
        post_migrate.connect(install_triggers, sender=self)
        connection_created.connect(track_own_writes)


def track_own_writes(connection, **kwargs):
    """On PostgreSQL, this process's own writes move its change mark as they are sent
    (articles/cache.py, `_Listener`); other processes' are heard as they commit."""
    if connection.vendor == "postgresql":
        from .cache import count_own_write

        if count_own_write not in connection.execute_wrappers:
            connection.execute_wrappers.append(count_own_write)


def uninstall_triggers(using, **kwargs):
    """Before every migrate: migrations run without the triggers (articles/triggers.py)."""
    from django.db import connections

    from . import triggers

    triggers.uninstall(connections[using])


def install_triggers(using, **kwargs):
    """After every migrate: the database's own change tracking (articles/triggers.py),
    and a search index made the way the code makes it (migrations hold no indexing code)."""
    from django.db import connections, transaction

    from . import search, triggers

    connection = connections[using]
    with transaction.atomic(using=using):
        triggers.install(connection)
    # Only where every table the index is made of exists: a migration back to an
    # earlier state (tests of data migrations do) has not got them all.
    if {model._meta.db_table for model in search.INDEX_MODELS} <= set(
        connection.introspection.table_names()
    ):
        search.ensure_index()
