from django.core.management.base import BaseCommand

from articles.seed import FIXTURE_PATH, build_fixture


class Command(BaseCommand):
    help = "Rewrite fixtures/seed.json from fixtures/seeds/*.txt (see articles/seed.py)."

    def handle(self, *args, **options):
        FIXTURE_PATH.write_text(build_fixture(), encoding="utf-8")
        self.stdout.write(f"Wrote {FIXTURE_PATH}.")
