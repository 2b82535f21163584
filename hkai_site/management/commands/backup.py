from django.core.management.base import BaseCommand, CommandError

from hkai_site.backup import BackupError, backup, backup_media, media_path


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of the live database to PATH (SQLite online backup, "
        "or pg_dump for PostgreSQL), and the uploaded images to PATH.media.tar. Safe "
        "while the site is serving."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            backup(path)
            images = backup_media(path)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up the database to {path}.")
        self.stdout.write(f"Backed up {images} image files to {media_path(path)}.")
