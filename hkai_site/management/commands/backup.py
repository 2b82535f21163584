from hkai_site.backup import backup, backup_media, media_path
from hkai_site.management.snapshot import SnapshotCommand


class Command(SnapshotCommand):
    help = (
        "Write a consistent snapshot of the live database to PATH (SQLite online backup, "
        "or pg_dump for PostgreSQL), and the uploaded images to PATH.media.tar. Safe "
        "while the site is serving."
    )
    done = "Backed up the database to {path}."

    def act(self, path, **options):
        backup(path)
        images = backup_media(path)
        return [f"Backed up {images} image files to {media_path(path)}."]
