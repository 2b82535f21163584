# Rebuilds the search entries: text is now also held in Simplified Chinese (OpenCC), so
# that a search in either script finds both, and HTML entities are no longer indexed as
# words (see articles/search/).

from django.db import migrations

BATCH = 2000


def rebuild_index(apps, schema_editor):
    from articles.search import entry_fields

    Section = apps.get_model("articles", "Section")
    SearchEntry = apps.get_model("articles", "SearchEntry")
    SearchEntry.objects.all().delete()
    batch = []
    for section in Section.objects.select_related("article").order_by("pk").iterator(BATCH):
        batch.append(SearchEntry(section_id=section.pk, **entry_fields(section.article, section)))
        if len(batch) >= BATCH:
            SearchEntry.objects.bulk_create(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0004_search"),
    ]

    operations = [
        migrations.RunPython(rebuild_index, migrations.RunPython.noop),
    ]
