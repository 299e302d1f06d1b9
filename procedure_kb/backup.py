"""Backups of the database, taken while the servers run, and their restore.

SQLite: the `sqlite3` online backup API copies a consistent snapshot page by page while
writers keep working (WAL mode). PostgreSQL: `pg_dump --format=custom`, restored with
`pg_restore --clean --if-exists`. Usage:

    python -m procedure_kb.backup backup var/backups/letan-2026-11-22.db   # or .dump
    python -m procedure_kb.backup restore var/backups/letan-2026-11-22.db

Both use LETAN_DATABASE_URL (default: the embedded SQLite file). Restore over a running
system only after stopping the servers.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

from sqlalchemy.engine import make_url

from procedure_kb.settings import get_settings

PAGES_PER_STEP = 256  # copy in steps so writers are not held up for long


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


def backup(database_url: str, destination: Path) -> Path:
    """Write a consistent copy of the database to `destination`."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(url.database or ""), destination)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--file", str(destination), *_pg_args(database_url)],
             url.password)
    else:
        raise BackupError(f"No backup method for {url.get_backend_name()} databases")
    return destination


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with a backup made by `backup`."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(source, Path(url.database or ""))
    elif url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_args(database_url, "--dbname"),
              str(source)], url.password)
    else:
        raise BackupError(f"No restore method for {url.get_backend_name()} databases")


def _sqlite_copy(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupError(f"No SQLite database at {source}")
    with sqlite3.connect(source) as reader, sqlite3.connect(destination) as writer:
        reader.backup(writer, pages=PAGES_PER_STEP)


def _pg_args(database_url: str, database_option: str = "") -> List[str]:
    """Connection options for pg_dump/pg_restore (the password goes through PGPASSWORD)."""
    url = make_url(database_url)
    args = [f"--host={url.host or '127.0.0.1'}", f"--port={url.port or 5432}"]
    if url.username:
        args.append(f"--username={url.username}")
    database = url.database or ""
    return args + ([f"{database_option}={database}"] if database_option else [database])


def _run(command: List[str], password: Optional[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client)")
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-500:]}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m procedure_kb.backup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    url = get_settings().database_url
    try:
        if args.action == "backup":
            print(f"Backup written to {backup(url, args.file)}")
        else:
            restore(url, args.file)
            print(f"Restored from {args.file}")
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
