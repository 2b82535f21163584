# Rebuilds the search entries: text is now also held in Simplified Chinese (OpenCC), so
# that a search in either script finds both (see articles/search/text.py).

from django.db import migrations
from django.utils.html import strip_tags

BATCH = 2000


def rebuild_index(apps, schema_editor):
    from articles.search.text import normalize

    Section = apps.get_model("articles", "Section")
    SearchEntry = apps.get_model("articles", "SearchEntry")
    SearchEntry.objects.all().delete()
    batch = []
    for section in Section.objects.select_related("article").order_by("pk").iterator(BATCH):
        batch.append(
            SearchEntry(
                section_id=section.pk,
                article_id=section.article_id,
                title=normalize(section.article.title),
                standfirst=normalize(section.article.standfirst),
                heading=normalize(section.heading),
                body=normalize(strip_tags(section.body_html).strip()),
            )
        )
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
