"""Database setup: SQLite pragmas and write transactions; PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from selector.store.db import get_database, get_session, write_transaction
from selector.store.models import User


def is_sqlite(app) -> bool:
    return get_database(app).is_sqlite


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(app):
    if not is_sqlite(app):
        pytest.skip("SQLite only")
    with get_database(app).engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_a_write_transaction_takes_the_sqlite_write_lock_up_front(app, database_url):
    if not is_sqlite(app):
        pytest.skip("SQLite only")
    path = database_url.removeprefix("sqlite:///")
    with app.app_context():
        session = get_session()
        with write_transaction(session):
            # No write has happened yet, but BEGIN IMMEDIATE already holds the lock:
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


def test_a_failed_write_transaction_leaves_nothing_behind(app):
    with app.app_context():
        session = get_session()
        with pytest.raises(RuntimeError), write_transaction(session):
            session.add(User(username="ghost", display_name="Ghost", password_hash="x",
                             role="chair"))
            session.flush()
            raise RuntimeError("boom")
        assert session.execute(text("SELECT count(*) FROM \"user\"")).scalar() == 0


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    from selector.store.models import Vendor

    with app.app_context():
        session = get_session()
        with pytest.raises(IntegrityError), write_transaction(session):
            session.add(Vendor(tender_id=424242, name="orphan", position=0))
            session.flush()


def test_the_backend_follows_the_url(app, database_url):
    expected = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    assert get_database(app).engine.dialect.name == expected
