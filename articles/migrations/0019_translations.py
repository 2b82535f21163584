# An article may name the article it translates (its original). Links are one level
# deep: an original is never itself a translation, so no link can loop. The check
# constraint refuses a link to itself; the triggers below refuse the rest, for every
# writer (forms give the same rules as form errors first: Article.clean()).

import django.db.models.deletion
from django.db import migrations, models

MESSAGE = "an article translates an original, never a translation or itself"

SQLITE = [
    f"""
    CREATE TRIGGER article_translation_one_level_{name}
    BEFORE {event} ON articles_article
    WHEN NEW.translation_of_id IS NOT NULL AND (
        (SELECT translation_of_id FROM articles_article WHERE id = NEW.translation_of_id)
            IS NOT NULL
        OR EXISTS (SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id)
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """
    for name, event in [("insert", "INSERT"), ("update", "UPDATE OF translation_of_id")]
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS article_translation_one_level_insert",
    "DROP TRIGGER IF EXISTS article_translation_one_level_update",
]

POSTGRESQL = [
    f"""
    CREATE FUNCTION article_translation_one_level() RETURNS trigger AS $$
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
    """,
    """
    CREATE TRIGGER article_translation_one_level
    BEFORE INSERT OR UPDATE OF translation_of_id ON articles_article
    FOR EACH ROW EXECUTE FUNCTION article_translation_one_level()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS article_translation_one_level ON articles_article",
    "DROP FUNCTION IF EXISTS article_translation_one_level()",
]


def install(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])
    for statement in sql:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_review_steps"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="translation_of",
            field=models.ForeignKey(
                blank=True,
                help_text="The article this one translates. Readers of each are offered the other.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="translations",
                to="articles.article",
                verbose_name="translation of",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(("translation_of", models.F("id")), _negated=True),
                name="article_not_a_translation_of_itself",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
