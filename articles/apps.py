from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from . import signals  # noqa: F401  (connects the receivers)

        pre_migrate.connect(uninstall_triggers, sender=self)
        post_migrate.connect(install_triggers, sender=self)


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
