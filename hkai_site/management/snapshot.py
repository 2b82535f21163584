"""What `manage.py backup` and `manage.py restore` share: a PATH, one call to
hkai_site.backup, and one line saying what was done, or a one-line error."""

from django.core.management.base import BaseCommand, CommandError

from hkai_site.backup import BackupError


class SnapshotCommand(BaseCommand):
    done = ""  # said after success, e.g. "Backed up the database to {path}."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            self.act(path, **options)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.done.format(path=path))

    def act(self, path, **options):
        raise NotImplementedError
