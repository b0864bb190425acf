"""Backing up and restoring the database, which holds everything: accounts, programmes, answers,
comments, findings, the final PDFs and the built area self-evaluations (nothing is kept on a web
machine's disk). `manage.py backup` and `manage.py restore` call these.

PostgreSQL: pg_dump's custom format (compressed, restored with pg_restore, object by object),
with the connection's details from DATABASE_URL passed in the environment (the password never on
a command line). SQLite: SQLite's own online backup, page by page, safe while the app runs."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections


class BackupError(CommandError):
    pass


def _database(alias="default"):
    return connections[alias].settings_dict


def vendor(alias="default") -> str:
    return connections[alias].vendor


def pg_environment(database) -> dict:
    """libpq's variables for the database's connection details."""
    env = dict(os.environ)
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    return env


def _tool(name) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def pg_dump_command(output: Path) -> list[str]:
    return [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={output}"]


def pg_restore_command(source: Path, *, clean: bool) -> list[str]:
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        command += ["--clean", "--if-exists"]
    return [*command, f"--dbname={_database()['NAME']}", str(source)]


def _run(command, database):
    result = subprocess.run(command, env=pg_environment(database), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")


def backup(output: Path) -> Path:
    """Write a backup of the default database to `output`."""
    database = _database()
    output = Path(output)
    if vendor() == "postgresql":
        _run(pg_dump_command(output), database)
    elif vendor() == "sqlite":
        source = sqlite3.connect(database["NAME"])
        target = sqlite3.connect(output)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        raise BackupError(f"No backup for {vendor()} databases")
    return output


def _is_empty() -> bool:
    with connections["default"].cursor() as cursor:
        return not connections["default"].introspection.table_names(cursor)


def restore(source: Path, *, replace: bool = False) -> None:
    """Restore the backup `source` into the default database: an empty one (made with createdb)
    or, with `replace`, one whose tables are dropped and made again from the backup."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup at {source}")
    if not replace and not _is_empty():
        raise BackupError(
            "The database is not empty: restore into a new, empty database, or pass --replace to drop "
            "its tables and replace them with the backup's"
        )
    database = _database()
    connections["default"].close()
    if vendor() == "postgresql":
        _run(pg_restore_command(source, clean=replace), database)
    elif vendor() == "sqlite":
        backup_file = sqlite3.connect(source)
        target = sqlite3.connect(database["NAME"])
        try:
            with target:
                backup_file.backup(target)
        finally:
            backup_file.close()
            target.close()
    else:
        raise BackupError(f"No restore for {vendor()} databases")
