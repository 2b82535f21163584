import time

from django.core.management.base import BaseCommand

from articles import search


class Command(BaseCommand):
    help = "Rebuild the full-text search index from every article and section."

    def handle(self, *args, **options):
        started = time.monotonic()
        count = search.rebuild()
        self.stdout.write(
            f"Indexed {count} section{'s' if count != 1 else ''} "
            f"in {time.monotonic() - started:.1f} s."
        )
