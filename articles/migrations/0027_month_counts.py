# Each month's number of articles in the live state, kept by triggers
# (articles/triggers.py, installed and counted from scratch after migrate): a deep page
# of the list starts from them instead of skipping every article before it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0026_search_links_and_narrow_documents'),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthCount',
            fields=[
                ('month', models.PositiveIntegerField(primary_key=True, serialize=False)),
                ('articles', models.PositiveIntegerField(default=0)),
            ],
        ),
    ]
