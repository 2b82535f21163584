# Text is now also indexed in Simplified Chinese (OpenCC), so that a search in either
# script finds both. The entries are rebuilt after migrate by the indexing code itself
# (search.INDEX_FORMAT, articles/apps.py): this migration only marks the step.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0004_search"),
    ]

    operations = []
