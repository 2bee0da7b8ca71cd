"""Engine and session setup for SQLite (the embedded default) and PostgreSQL.

SQLite is used by several threads or gunicorn workers at once, so every connection gets
WAL (readers never wait for the writer), a busy timeout (a writer waits for the lock
instead of failing at once) and foreign keys. Python's sqlite3 module would start
transactions as DEFERRED, where two writers can both read and then deadlock on the
upgrade to a write lock; so we take over BEGIN ourselves and services open their write
transactions with BEGIN IMMEDIATE (`write_transaction`).

Writers of one SQLite file also take turns on a lock file beside it before BEGIN IMMEDIATE
(`WriterQueue`): SQLite's busy handler makes a writer that finds the lock taken sleep and
retry (after 1, 2, 5, 10 … up to 100 ms), so the lock stands idle while its waiters sleep
and one that has waited can keep losing to newer ones; under a burst of sheet saves from
several gunicorn workers the slowest waited a second and more. The lock file hands the turn
on within a millisecond of the commit.

On PostgreSQL (READ COMMITTED) a write transaction that must see every change made before
it and hold off those after it — a tender closed while sheets are submitted — takes a row
lock (`lock_row`: SELECT … FOR UPDATE); on SQLite BEGIN IMMEDIATE already holds the
database's one write lock for the whole transaction.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from selector.config import load_config

EXTENSION_KEY = "selector.db"
BEGIN_OPTION = "selector_sqlite_begin"


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 10000, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        engine_args: dict[str, Any] = {"echo": echo, "future": True}
        if self.is_sqlite:
            engine_args["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(self.url, **engine_args)
        if self.is_sqlite:
            _configure_sqlite(self.engine, busy_timeout_ms)
        else:
            _ping_idle_connections(self.engine)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=True)

    def session(self) -> Session:
        return self.sessionmaker()

    def dispose(self) -> None:
        self.engine.dispose()


class WriterQueue:
    """Turns of the writers of one SQLite file, taken on an flock of `path` (see the module
    docstring), by threads and processes alike: each turn opens the file anew, and the kernel
    drops the lock of a process that dies.

    A writer polls for its turn (every `POLL_S`) for at most `timeout_s`, the busy timeout,
    and then goes on to BEGIN IMMEDIATE all the same, which waits and fails as it would
    without the queue; a lock file that cannot be opened (a read-only folder) is no queue,
    and a turn taken inside the thread's own turn does not wait for it. The queue only
    orders the writers: SQLite's own lock still keeps them apart.
    """

    POLL_S = 0.0005

    def __init__(self, path: str, timeout_s: float) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self._held = threading.local()  # this thread's turns (a write inside a write)

    @contextmanager
    def turn(self) -> Iterator[None]:
        depth = getattr(self._held, "depth", 0)
        handle = None
        if depth == 0:
            try:
                handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                pass
        self._held.depth = depth + 1
        try:
            if handle is not None:
                self._wait(handle)
            yield
        finally:
            self._held.depth = depth
            if handle is not None:
                os.close(handle)  # releases the lock

    def _wait(self, handle: int) -> None:
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(self.POLL_S)


#: The writer queue of each SQLite file engine (`write_transaction`).
_QUEUES: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.url.database not in (None, "", ":memory:"):
        _QUEUES[engine] = WriterQueue(f"{engine.url.database}-writer.lock", busy_timeout_ms / 1000)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, start transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


#: A pooled server connection idle this long is pinged before it is handed out.
PING_AFTER_IDLE_S = 1.0


def _ping_idle_connections(engine: Engine) -> None:
    """`pool_pre_ping`, for connections idle `PING_AFTER_IDLE_S` or more: one that no longer
    answers (the server restarted, a firewall dropped it) is replaced before a request
    uses it. A connection handed back a moment ago is not pinged again: a request takes
    one out for its reads and again for its write, and on a busy server each ping is a
    round trip that every request would pay twice."""

    @event.listens_for(engine, "connect")
    def on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info["selector_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["selector_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("selector_idle_since")
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool discards it and hands out another
            raise DisconnectionError("the pooled connection did not answer") from error


def database_from_config(config: Mapping[str, Any]) -> Database:
    """A Database for the settings `DATABASE_URL`, `SQLITE_BUSY_TIMEOUT_MS`, `SQLALCHEMY_ECHO`."""
    return Database(
        config["DATABASE_URL"],
        busy_timeout_ms=int(config.get("SQLITE_BUSY_TIMEOUT_MS", 10000)),
        echo=bool(config.get("SQLALCHEMY_ECHO", False)),
    )


def configured_database(overrides: Mapping[str, Any] | None = None) -> Database:
    """The database the web app uses (same settings and defaults), without building the app:
    for the command line. Dispose of it when done."""
    return database_from_config(load_config(overrides=overrides))


def init_app(app: Flask) -> Database:
    """Create the app's Database from its `DATABASE_URL` and close sessions per request."""
    database = database_from_config(app.config)
    app.extensions[EXTENSION_KEY] = database

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("_selector_session", None)
        if session is not None:
            session.close()

    return database


def get_database(app: Flask | None = None) -> Database:
    database: Database = (app or current_app).extensions[EXTENSION_KEY]
    return database


def get_session() -> Session:
    """The session of the current request or app context (one per context)."""
    session: Session | None = g.get("_selector_session")
    if session is None:
        session = get_database().session()
        g._selector_session = session
    return session


@contextmanager
def write_transaction(session: Session, *, plain: bool = False) -> Iterator[Session]:
    """Run a block in one write transaction, committed at the end or rolled back on error.

    Any read transaction the request has open is ended first, so that the write
    transaction starts fresh — with BEGIN IMMEDIATE on SQLite, which takes the write lock
    up front (waiting up to the busy timeout) so that concurrent writers queue instead of
    deadlocking; a file database's writers take turns first (`WriterQueue`), until the
    commit or the rollback.

    `plain`: the block reads and writes by plain statements only, not through the rows the
    session holds (a prepared sheet save). On PostgreSQL (READ COMMITTED: each statement
    reads what is committed when it runs) such a block goes on in the read transaction,
    which saves its COMMIT and the next BEGIN: two round trips. The rows read before are
    not read again (expiring them would cost a query each time one is used).
    """
    bind = session.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if session.in_transaction() and (
        sqlite or not plain or session.new or session.dirty or session.deleted
    ):
        session.commit()
    queue = _QUEUES.get(bind) if isinstance(bind, Engine) else None
    with queue.turn() if queue is not None else nullcontext():
        if sqlite:
            session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE"})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def lock_row(session: Session, model: Any, row_id: int) -> None:
    """Lock the row `row_id` of `model` until the write transaction ends (PostgreSQL's
    SELECT … FOR UPDATE): another transaction locking it waits, then reads what this one
    committed. Call it first in the transaction, before the row is read. On SQLite the
    transaction already holds the write lock (BEGIN IMMEDIATE), so nothing is sent."""
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(select(model.id).where(model.id == row_id).with_for_update())
