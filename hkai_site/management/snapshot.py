"""What `manage.py backup` and `manage.py restore` share: a PATH, the calls to
hkai_site.backup, and lines saying what was done, or a one-line error."""

from django.core.management.base import BaseCommand, CommandError

from hkai_site.backup import BackupError


class SnapshotCommand(BaseCommand):
    done = ""  # said after success, e.g. "Backed up the database to {path}."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            said = self.act(path, **options)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        for line in [self.done.format(path=path), *said]:
            self.stdout.write(line)

    def act(self, path, **options):
        """Do it; return the lines to say after `done`."""
        raise NotImplementedError
