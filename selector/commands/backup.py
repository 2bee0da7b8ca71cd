"""`selector backup PATH` and `selector restore PATH`: a verified copy of the database.

Both check what they copied: SQLite's `PRAGMA integrity_check` (PostgreSQL: pg_restore
reads the archive whole), then the audit chain and the replay of `selector audit verify`
(`selector.services.record.verify`). A backup is checked on the copy itself (SQLite) or on
the very snapshot pg_dump dumps (PostgreSQL), so the chain head it prints is the backup's.
A restore prints the restored database's chain head: the same as the backup's.

Neither is an audit event: a restore puts back the record as it stood, its head included,
and a backup changes nothing. Exit 0 when done and verified; 1 when a check fails (the
problems are listed); 2 when it cannot be done (the reason is given).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy import create_engine, pool
from sqlalchemy.orm import Session

from selector.commands.files import ERROR_PREFIX
from selector.scoring.model import Text
from selector.services.record import Verification, verify
from selector.store.backup import (
    BackupError,
    holds_data,
    is_initialised,
    pg_dump,
    pg_list,
    pg_restore,
    pg_snapshot,
    sqlite_copy,
    sqlite_integrity,
    sqlite_path,
    sqlite_single_file,
)
from selector.store.db import Database, configured_database

lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh",
                           show_default=True, help="Language of the messages.")


def _fail(text: Text, lang: str, code: int = 2) -> NoReturn:
    click.echo(f"{ERROR_PREFIX[lang]}{text.get(lang)}", err=True)
    sys.exit(code)


def not_initialised(database: Database) -> Text:
    shown = database.url.render_as_string(hide_password=True)
    return Text(
        zh=f"数据库 {shown} 尚未初始化(没有 Selector 的数据表):请先运行 selector init-db。",
        en=f"The database {shown} is not initialised (it has no Selector tables): run "
        "selector init-db first.",
    )


def require_initialised(database: Database, lang: str) -> None:
    """Exit 2 with a message in `lang` when the database has no Selector tables (a SQLite
    file that does not exist is not created)."""
    if database.is_sqlite:
        path = sqlite_path(database.url)
        if not path.exists() or path.stat().st_size == 0:
            _fail(not_initialised(database), lang)
    if not is_initialised(database.engine):
        _fail(not_initialised(database), lang)


def _head(found: Verification) -> str:
    return f"#{found.events} {found.head or '-'}"


def _verified_file(path: Path) -> Verification:
    """The chain of a SQLite file, read without touching it (no WAL switch, no pool)."""
    engine = create_engine(f"sqlite:///{path}", poolclass=pool.NullPool)
    try:
        with Session(engine) as session:
            return verify(session)
    finally:
        engine.dispose()


def _report_problems(found: Verification, lang: str) -> None:
    for problem in found.problems:
        click.echo(problem.get(lang))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@lang_option
def backup(path: Path, force: bool, lang: str) -> None:
    """Copy the database (DATABASE_URL) to PATH while the application runs, then verify the
    copy: its integrity and its audit chain. SQLite: a single database file; PostgreSQL:
    a pg_dump archive (custom format) for `selector restore`."""
    if path.exists() and path.stat().st_size > 0 and not force:
        _fail(Text(zh=f"{path} 已存在:用 --force 替换它。",
                   en=f"{path} exists: give --force to replace it."), lang)
    database = configured_database()
    partial = path.with_name(f".{path.name}.partial")
    try:
        require_initialised(database, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        if database.is_sqlite:
            sqlite_copy(sqlite_path(database.url), partial)
            sqlite_single_file(partial)
            broken = sqlite_integrity(partial)
            found = None if broken else _verified_file(partial)
        else:
            # The chain is checked in the transaction whose snapshot pg_dump dumps.
            with pg_snapshot(database.engine) as (connection, snapshot):
                with Session(bind=connection) as session:
                    found = verify(session)
                pg_dump(database.url, partial, snapshot)
            broken = pg_list(partial)
        if broken:
            partial.unlink(missing_ok=True)
            for line in broken:
                click.echo(line)
            _fail(Text(zh="备份副本未通过完整性检查,已删除。",
                       en="The copy failed its integrity check and was removed."), lang, 1)
        assert found is not None
        os.replace(partial, path)
    except BackupError as error:
        partial.unlink(missing_ok=True)
        _fail(error.text, lang)
    finally:
        database.dispose()
    if found.problems:
        _report_problems(found, lang)
        _fail(Text(
            zh=f"备份已写入 {path},但其审计记录有上述问题(数据库本身如此)。",
            en=f"The backup was written to {path}, but its audit record has the problems "
            "above (the database itself has them).",
        ), lang, 1)
    if lang == "zh":
        click.echo(f"备份已写入 {path}:完整性检查通过,审计记录完整({found.events} 条事件),"
                   f"链头 {_head(found)}")
    else:
        click.echo(f"Backup written to {path}: integrity check ok, audit record intact "
                   f"({found.events} events), chain head {_head(found)}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database that holds data without asking.")
@lang_option
def restore(path: Path, force: bool, lang: str) -> None:
    """Put the backup at PATH back as the database (DATABASE_URL), after checking it, then
    verify the restored database: integrity, audit chain, every value against the record.
    A database that holds data is replaced only with --force or when you confirm."""
    database = configured_database()
    try:
        if database.is_sqlite:
            broken = sqlite_integrity(path)
            if not broken:
                before = _verified_file(path)
                if before.problems:
                    _report_problems(before, lang)
                    _fail(Text(zh=f"{path} 的审计记录有上述问题:未恢复。",
                               en=f"The audit record in {path} has the problems above: "
                               "nothing was restored."), lang, 1)
        else:
            broken = pg_list(path)
        if broken:
            for line in broken:
                click.echo(line)
            _fail(Text(zh=f"{path} 不是完整的 Selector 备份:未恢复。",
                       en=f"{path} is not a whole Selector backup: nothing was restored."),
                  lang, 1)
        _confirm_replacing(database, force, lang)
        database.dispose()  # no pooled connection to the database being replaced
        if database.is_sqlite:
            target = sqlite_path(database.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            sqlite_copy(path, target)
            broken = sqlite_integrity(target)
        else:
            pg_restore(database.url, path)
            broken = []
        database.dispose()  # connections opened before the restore see the old schema
        with database.session() as session:
            found = verify(session)
    except BackupError as error:
        _fail(error.text, lang)
    finally:
        database.dispose()
    if broken or found.problems:
        for line in broken:
            click.echo(line)
        _report_problems(found, lang)
        _fail(Text(zh="恢复后的数据库未通过检查。",
                   en="The restored database failed its checks."), lang, 1)
    shown = database.url.render_as_string(hide_password=True)
    if lang == "zh":
        click.echo(f"已从 {path} 恢复 {shown}:完整性检查通过,审计记录完整"
                   f"({found.events} 条事件),链头 {_head(found)}")
    else:
        click.echo(f"Restored {shown} from {path}: integrity check ok, audit record intact "
                   f"({found.events} events), chain head {_head(found)}")


def _confirm_replacing(database: Database, force: bool, lang: str) -> None:
    """Go on over an empty (or new) database; over one that holds data only with --force
    or a yes at the terminal."""
    if database.is_sqlite:
        target = sqlite_path(database.url)
        if not target.exists():
            return
    if not holds_data(database.engine) or force:
        return
    shown = database.url.render_as_string(hide_password=True)
    question = Text(zh=f"数据库 {shown} 中已有数据,恢复将替换全部数据。继续吗?",
                    en=f"The database {shown} holds data; the restore replaces all of it. "
                    "Go on?")
    if sys.stdin.isatty() and click.confirm(question.get(lang), default=False):
        return
    _fail(Text(zh=f"数据库 {shown} 中已有数据:未恢复。确认要替换时请加 --force。",
               en=f"The database {shown} holds data: nothing was restored. Give --force to "
               "replace it."), lang)

