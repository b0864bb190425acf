"""manage.py restore FILE [--replace]: a backup made by `manage.py backup`, back into the database
(see challenge/backup.py). Stop the web and worker processes first."""

from django.core.management.base import BaseCommand

from challenge import backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database (or, with --replace, over one)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Drop the database's tables and put the backup's in their place (default: refuse unless empty).",
        )

    def handle(self, *args, file, replace=False, **options):
        backup.restore(file, replace=replace)
        self.stdout.write(f"Restored the database from {file}")
