from hkai_site.backup import check_media, media_path, restore, restore_media
from hkai_site.management.snapshot import SnapshotCommand


class Command(SnapshotCommand):
    help = (
        "Load a snapshot made by `manage.py backup` into this database, and the images "
        "beside it (PATH.media.tar). Refuses a database that already holds articles "
        "unless --replace is given."
    )
    done = "Restored the database from {path}."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--replace", action="store_true", help="replace the articles already here"
        )

    def act(self, path, replace, **options):
        check_media(path)  # before the database is touched
        restore(path, replace=replace)
        images = restore_media(path)
        if images is None:
            return [f"No {media_path(path)} beside it: no image files restored."]
        return [f"Restored {images[0]} image files ({images[1]} already here)."]
