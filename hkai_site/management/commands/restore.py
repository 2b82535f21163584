from django.core.management.base import BaseCommand, CommandError

from hkai_site.backup import BackupError, check_media, media_path, restore, restore_media


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
            check_media(path)
            restore(path, replace=replace)
            images = restore_media(path)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the database from {path}.")
        if images is None:
            self.stdout.write(f"No {media_path(path)} beside it: no image files restored.")
        else:
            self.stdout.write(f"Restored {images[0]} image files ({images[1]} already here).")
