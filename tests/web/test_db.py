"""Database setup: SQLite pragmas and write transactions; PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, text

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


def _hold_turn(path):
    """Take the writer queue's lock file as another process's writer would."""
    import fcntl
    import os

    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def test_sqlite_writers_wait_for_their_turn_before_begin_immediate(app, database_url):
    """A write transaction on a file database waits until the writer before it has left the
    queue (`WriterQueue`), and only then takes SQLite's lock."""
    import os
    import threading

    if not is_sqlite(app):
        pytest.skip("SQLite only")
    path = database_url.removeprefix("sqlite:///")
    handle = _hold_turn(f"{path}-writer.lock")
    entered = threading.Event()

    def write():
        with app.app_context():
            with write_transaction(get_session()):
                entered.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not entered.wait(0.3)  # still waiting for its turn
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        probe.execute("BEGIN IMMEDIATE")  # and it has not taken SQLite's lock meanwhile
        probe.execute("ROLLBACK")
        probe.close()
    finally:
        os.close(handle)
    writer.join(10)
    assert entered.is_set() and not writer.is_alive()


def test_a_writer_waits_for_its_turn_no_longer_than_the_busy_timeout(tmp_path):
    import os
    import threading

    from selector.store.db import WriterQueue

    path = str(tmp_path / "x.db-writer.lock")
    handle = _hold_turn(path)
    done = threading.Event()

    def write():
        with WriterQueue(path, timeout_s=0.05).turn():
            done.set()  # reached without the turn: BEGIN IMMEDIATE then waits as SQLite does

    worker = threading.Thread(target=write, daemon=True)
    worker.start()
    try:
        worker.join(10)
        assert done.is_set()
    finally:
        os.close(handle)


def test_a_turn_inside_the_threads_own_turn_does_not_wait_for_it(tmp_path):
    import threading

    from selector.store.db import WriterQueue

    queue = WriterQueue(str(tmp_path / "x.db-writer.lock"), timeout_s=60)
    done = threading.Event()

    def nested():
        with queue.turn(), queue.turn():
            done.set()

    worker = threading.Thread(target=nested, daemon=True)
    worker.start()
    worker.join(10)
    assert done.is_set()
    with queue.turn():  # and the outer turn was given back
        pass


def _server_database(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite has no server connection to lose")
    from selector.store.db import Database

    return Database(database_url)


def test_a_pooled_connection_that_died_while_idle_is_replaced_before_use(
    database_url, monkeypatch
):
    from sqlalchemy import create_engine

    from selector.store import db as store_db

    database = _server_database(database_url)
    other = create_engine(database_url)
    try:
        with database.engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with other.connect() as killer:  # the server drops it while it waits in the pool
            killer.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        monkeypatch.setattr(store_db, "PING_AFTER_IDLE_S", 0.0)  # it has been idle long enough
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        other.dispose()
        database.dispose()


def test_a_connection_handed_back_a_moment_ago_is_not_pinged_again(database_url, monkeypatch):
    from selector.store import db as store_db

    database = _server_database(database_url)
    pings = []
    real = database.engine.dialect.do_ping
    monkeypatch.setattr(
        database.engine.dialect, "do_ping", lambda c: pings.append(1) or real(c)
    )
    try:
        for _ in range(3):  # a request's reads, its write, the next request
            with database.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        assert pings == []
        monkeypatch.setattr(store_db, "PING_AFTER_IDLE_S", 0.0)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        assert pings == [1]
    finally:
        database.dispose()


@pytest.mark.parametrize("plain", [True, False])
def test_on_postgresql_a_plain_change_goes_on_in_the_read_transaction(app, database_url, plain):
    """A `plain` write transaction (statements only, as a prepared sheet save) goes on in
    the request's read transaction on PostgreSQL: one COMMIT, and a statement in it reads
    what another request committed meanwhile (READ COMMITTED). Any other change, and every
    change on SQLite, ends the read transaction first: two COMMITs."""
    from sqlalchemy import create_engine, event

    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite starts its write transaction afresh")
    with app.app_context():
        session = get_session()
        with write_transaction(session):
            session.add(User(username="reader", display_name="Before", password_hash="x",
                             role="chair"))
        assert session.scalar(select(User.display_name).where(User.username == "reader")) == (
            "Before"  # read: the request's read transaction is open
        )
        other = create_engine(database_url)
        with other.begin() as connection:  # another request renames them meanwhile
            connection.execute(text("UPDATE \"user\" SET display_name = 'After' "
                                    "WHERE username = 'reader'"))
        other.dispose()
        commits = []

        def committed(connection):
            commits.append(connection)

        engine = get_database(app).engine
        event.listen(engine, "commit", committed)
        try:
            with write_transaction(session, plain=plain):
                connection = session.connection()
                assert connection.scalar(
                    select(User.display_name).where(User.username == "reader")
                ) == "After"
                connection.execute(text("UPDATE \"user\" SET email = 'reader@example.org' "
                                        "WHERE username = 'reader'"))
        finally:
            event.remove(engine, "commit", committed)
        assert len(commits) == (1 if plain else 2)
        assert session.scalar(select(User.email).where(User.username == "reader")) == (
            "reader@example.org"
        )
