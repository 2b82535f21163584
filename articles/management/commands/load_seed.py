from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article


class Command(BaseCommand):
    help = "Load fixtures/seed.json into an empty database; otherwise do nothing."

    def handle(self, *args, **options):
        if Article.objects.exists():
            self.stdout.write("Articles already present; seed not loaded.")
            return
        call_command("loaddata", "seed", verbosity=options["verbosity"])
