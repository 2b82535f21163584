from hkai_site.backup import backup
from hkai_site.management.snapshot import SnapshotCommand


class Command(SnapshotCommand):
    help = (
        "Write a consistent snapshot of the live database to PATH (SQLite online backup, "
        "or pg_dump for PostgreSQL). Safe while the site is serving."
    )
    done = "Backed up the database to {path}."

    def act(self, path, **options):
        backup(path)
