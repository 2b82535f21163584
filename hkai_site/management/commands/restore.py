from hkai_site.backup import restore
from hkai_site.management.snapshot import SnapshotCommand


class Command(SnapshotCommand):
    help = (
        "Load a snapshot made by `manage.py backup` into this database. Refuses a "
        "database that already holds articles unless --replace is given."
    )
    done = "Restored the database from {path}."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--replace", action="store_true", help="replace the articles already here"
        )

    def act(self, path, replace, **options):
        restore(path, replace=replace)
