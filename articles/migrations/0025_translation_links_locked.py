# Migration 0019's PostgreSQL trigger read the linked article without a lock: two
# transactions at once, one making A a translation of B and the other B a translation
# of A, each saw the other's row as it stood before and both committed a loop. The
# trigger now locks the article it links to (FOR SHARE) and reads it as it is once that
# lock is granted: whoever changes that article's own link holds its row, so the second
# of two such writers waits for the first and is refused (or deadlocks and is rolled
# back), as it would be one after the other. SQLite runs one writer at a time.

from django.db import migrations

MESSAGE = "an article translates an original, never a translation or itself"

LOCKED = f"""
CREATE OR REPLACE FUNCTION article_translation_one_level() RETURNS trigger AS $$
DECLARE
    its_original bigint;
BEGIN
    IF NEW.translation_of_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT translation_of_id INTO its_original FROM articles_article
        WHERE id = NEW.translation_of_id FOR SHARE;
    IF its_original IS NOT NULL
        OR EXISTS (SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""

UNLOCKED = f"""
CREATE OR REPLACE FUNCTION article_translation_one_level() RETURNS trigger AS $$
BEGIN
    IF NEW.translation_of_id IS NOT NULL AND (
        EXISTS (SELECT 1 FROM articles_article
                WHERE id = NEW.translation_of_id AND translation_of_id IS NOT NULL)
        OR EXISTS (SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id)
    ) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LOCKED)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNLOCKED)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0024_search_index_without_pending_list"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
