"""manage.py backup and restore. On SQLite here (the suite's database); on PostgreSQL,
scripts/smoke-production backs up, drops, restores and compares the final PDFs' SHA-256."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from challenge import backup
from programmes.models import Partner
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_restored_over_the_database_brings_back_what_it_held(tmp_path):
    partnership = f.default_partnership()
    Partner.objects.create(
        partnership=partnership, name="Salford City Council", contact_email="partnership@salford.example"
    )
    output = tmp_path / "challenge.dump"

    call_command("backup", output=str(output))
    Partner.objects.all().delete()
    Partner.objects.create(partnership=partnership, name="Made after the backup")
    call_command("restore", str(output), replace=True)

    assert list(Partner.objects.values_list("name", "contact_email")) == [
        ("Salford City Council", "partnership@salford.example")
    ]


def test_restore_refuses_a_database_that_is_not_empty_without_replace(tmp_path):
    output = tmp_path / "challenge.dump"
    call_command("backup", output=str(output))
    Partner.objects.create(partnership=f.default_partnership(), name="Kept")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(output))
    assert Partner.objects.filter(name="Kept").exists()


def test_backup_never_overwrites_a_file(tmp_path):
    output = tmp_path / "challenge.dump"
    output.write_bytes(b"an older backup")

    with pytest.raises(CommandError, match="exists"):
        call_command("backup", output=str(output))
    assert output.read_bytes() == b"an older backup"


def test_postgresql_password_goes_in_the_environment_not_on_the_command_line(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: f"/usr/bin/{name}")
    database = {"NAME": "challenge", "USER": "challenge", "PASSWORD": "s3cret", "HOST": "db", "PORT": 5432}

    env = backup.pg_environment(database)
    command = backup.pg_dump_command(Path("/backups/challenge.dump"))

    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGDATABASE"]) == (
        "db",
        "5432",
        "challenge",
        "s3cret",
        "challenge",
    )
    assert command == [
        "/usr/bin/pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--file=/backups/challenge.dump",
    ]
    assert not any("s3cret" in part for part in command)
