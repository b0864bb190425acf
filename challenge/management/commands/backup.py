"""manage.py backup [--output FILE]: the whole database in one file (see challenge/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from challenge import backup


class Command(BaseCommand):
    help = "Back up the database (PostgreSQL: pg_dump's custom format; SQLite: a copy) to one file."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="The file to write (default: challenge-YYYYMMDD-HHMMSS.dump here).")

    def handle(self, *args, output=None, **options):
        output = Path(output or f"challenge-{timezone.now():%Y%m%d-%H%M%S}.dump")
        if output.exists():
            raise backup.BackupError(f"{output} exists: choose another name")
        backup.backup(output)
        self.stdout.write(f"Backed up the database to {output} ({output.stat().st_size:,} bytes)")
