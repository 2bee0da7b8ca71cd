"""Copies of the whole database, taken while the application runs, and putting one back.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in one step
under a read transaction, so the copy is the database as it stood at one instant, whatever
writers do meanwhile (WAL: they are not held up); the copy is then switched out of WAL mode
so that it is one self-contained file. PostgreSQL: `pg_dump --format=custom`, run on a
snapshot that the caller's own REPEATABLE READ transaction exported (`pg_snapshot`), so the
caller can check exactly the data that went into the dump; `pg_restore` puts it back.

Nothing here knows the audit chain: `selector backup` and `selector restore`
(selector/commands/backup.py) check the chain of what they copied with
`selector.services.record.verify`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL

from selector.scoring.model import Text

# Tables whose rows make a database "hold data" (a restore over it needs --force). A new
# database from `selector init-db` has only the chain head's row and the schema version.
DATA_TABLES = ("audit_event", "tender", "user")


class BackupError(Exception):
    """A backup or restore that cannot be done; `text` says why, in both languages."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


# --- SQLite ------------------------------------------------------------------------------


def sqlite_path(url: URL) -> Path:
    """The file of a SQLite URL (refused: an in-memory database)."""
    if not url.database or url.database == ":memory:":
        raise BackupError(Text(zh="内存数据库无法备份或恢复。",
                               en="An in-memory database cannot be backed up or restored."))
    return Path(url.database)


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy the database `source` into `target` (created, or overwritten page by page) with
    the online backup API, in one step: a consistent copy while others write."""
    with _sqlite(source) as src, _sqlite(target) as dst:
        src.backup(dst)


def sqlite_single_file(path: Path) -> None:
    """Take a copied database out of WAL mode: one file, no -wal or -shm beside it."""
    with _sqlite(path) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")


def sqlite_integrity(path: Path) -> list[str]:
    """SQLite's own check of every page and index: [] when `PRAGMA integrity_check` says ok."""
    try:
        with _sqlite(path) as connection:
            rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:  # not a database at all
        return [str(error)]
    return [] if rows == ["ok"] else rows


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


# --- PostgreSQL --------------------------------------------------------------------------


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as a libpq connection string for pg_dump / pg_restore, and the environment
    that carries the password (kept off the command line, where `ps` would show it)."""
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(Text(
            zh=f"找不到 {name}:请安装 PostgreSQL 客户端(Debian 软件包 postgresql-client)。",
            en=f"{name} was not found: install the PostgreSQL client "
            "(Debian package postgresql-client).",
        ))
    return found


@contextmanager
def pg_snapshot(engine: Engine) -> Iterator[tuple[Connection, str]]:
    """A REPEATABLE READ, READ ONLY transaction and the name of its exported snapshot: what
    the caller reads through the connection is exactly what `pg_dump(snapshot=…)` dumps."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            snapshot = str(connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar())
            yield connection, snapshot


def pg_dump(url: URL, target: Path, snapshot: str | None = None) -> None:
    dsn, environment = libpq(url)
    command = [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
               f"--file={target}", f"--dbname={dsn}"]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    _run(command, environment)


def pg_list(path: Path) -> list[str]:
    """pg_restore's reading of the whole archive (written out as SQL to nowhere, so every
    table's data is read and decompressed): [] when it reads through without an error."""
    result = subprocess.run([tool("pg_restore"), f"--file={os.devnull}", str(path)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return [line for line in result.stderr.splitlines() if line.strip()] or ["pg_restore"]
    return []


def pg_restore(url: URL, path: Path) -> None:
    """Restore the archive into the database of `url`, in one transaction, replacing the
    objects it holds (`--clean`): all of it or nothing."""
    dsn, environment = libpq(url)
    _run([tool("pg_restore"), "--clean", "--if-exists", "--single-transaction",
          "--exit-on-error", "--no-owner", "--no-privileges", f"--dbname={dsn}", str(path)],
         environment)


def _run(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=environment,
                            check=False)
    if result.returncode != 0:
        said = " ".join(result.stderr.split())[:500]
        name = Path(command[0]).name
        raise BackupError(Text(zh=f"{name} 失败:{said}", en=f"{name} failed: {said}"))


# --- both --------------------------------------------------------------------------------


def holds_data(engine: Engine) -> bool:
    """Whether the database has rows in any of `DATA_TABLES` (an empty or new one has none)."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in DATA_TABLES:
            if table in present and connection.execute(
                text(f'SELECT 1 FROM "{table}" LIMIT 1')  # our own table names
            ).first():
                return True
    return False


def is_initialised(engine: Engine) -> bool:
    """Whether the database has Selector's tables (the audit record's, at least)."""
    names = set(inspect(engine).get_table_names())
    return {"audit_event", "audit_chain_head"} <= names
