# The content version, topic counts and slug redirects are kept by database triggers
# from here on (articles/triggers.py installs them after every migrate): the scheduled
# time no longer needs storing, since readers' state is derived at read time.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0008_search_prefix_indexes"),
    ]

    operations = [
        migrations.RemoveField(model_name="contentversion", name="next_publication"),
    ]
