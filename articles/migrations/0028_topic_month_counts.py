# Each tag's number of articles in the live state per month, kept by triggers
# (articles/triggers.py, counted from scratch after migrate): where a deep page of a
# topic starts.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0027_month_counts'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.CreateModel(
            name='TopicMonthCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.PositiveIntegerField()),
                ('articles', models.PositiveIntegerField(default=0)),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='month_counts', to='taggit.tag')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('tag', 'month'), name='topic_month_count_unique')],
            },
        ),
    ]
