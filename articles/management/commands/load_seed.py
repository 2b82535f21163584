from django.core.management import call_command
from django.core.management.base import BaseCommand
from taggit.models import Tag

from articles import search
from articles.models import Article


class Command(BaseCommand):
    help = "Load fixtures/seed.json into an empty database; otherwise do nothing."

    def handle(self, *args, **options):
        # The fixture has fixed primary keys: loading it over existing articles or
        # tags would overwrite them. An editor's content always wins.
        if Article.objects.exists() or Tag.objects.exists():
            self.stdout.write("Articles or tags already present; seed not loaded.")
            return
        call_command("loaddata", "seed", verbosity=options["verbosity"])
        # loaddata writes the taggings past the signal that puts an article's topics in
        # its search document and their words in "Did you mean" (articles/signals.py).
        search.index_documents(Article.objects.values_list("pk", flat=True))
