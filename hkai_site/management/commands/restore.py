from django.core.management.base import BaseCommand, CommandError

from hkai_site.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Load a snapshot made by `manage.py backup` into this database. Refuses a "
        "database that already holds articles unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--replace", action="store_true", help="replace the articles already here"
        )

    def handle(self, *args, path, replace, **options):
        try:
            restore(path, replace=replace)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the database from {path}.")
