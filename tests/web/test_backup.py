"""`selector backup` and `selector restore`: a copy taken while the app writes restores to
the chain head it had at that instant, with the same results and fingerprint; both refuse
to overwrite what holds data; `selector audit verify` on a database without tables says so.

On PostgreSQL (SELECTOR_TEST_DATABASE_URL) the live database and the restore target are
scratch databases of their own (CREATE DATABASE), dropped afterwards: pg_dump dumps a whole
database, not the per-test schema the other tests use.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from selector.scoring.serialize import result_to_json
from selector.services.consensus import record_consensus
from selector.services.record import verify
from selector.services.results import result_for
from selector.store.audit import chain_head
from selector.store.db import Database, get_session
from selector.store.models import AuditEvent, User
from tests.web.conftest import SelectorRunner

HEAD = re.compile(r"chain head #(\d+) ([0-9a-f]{64})")


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[Any]:
    """make(name) -> the URL of a new, empty database of this test's own."""
    base = os.environ.get("SELECTOR_TEST_DATABASE_URL")
    made: list[str] = []
    admin = create_engine(base, isolation_level="AUTOCOMMIT") if base else None

    def make(name: str) -> str:
        if admin is None:
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        database = f"selector_{name}_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        made.append(database)
        return make_url(base).set(database=database).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for database in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(scratch_url: Any) -> str:
    """The app's database: a scratch one (see the module's note), not a shared schema."""
    return str(scratch_url("live"))


def _state(session: Any, tender_id: int) -> tuple[int, str, dict[str, Any]]:
    seq, head = chain_head(session)
    return seq, head, result_to_json(result_for(session, tender_id))


def test_a_backup_under_write_load_restores_to_the_head_it_had_with_the_same_results(
    app: Any, make_tender: Any, runner: SelectorRunner, scratch_url: Any, tmp_path: Path
) -> None:
    setup = make_tender(state="closed")
    states: dict[int, tuple[str, dict[str, Any]]] = {}
    with app.test_request_context():
        seq, head, result = _state(get_session(), setup.id)
        states[seq] = (head, result)
    stop = threading.Event()
    writes = threading.Semaphore(0)
    errors: list[BaseException] = []

    def writer() -> None:
        # audited changes one after another: consensus values, each moving the results
        with app.test_request_context():
            session = get_session()
            chair = session.scalar(select(User).where(User.username == setup.chair))
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    record_consensus(
                        session, setup.id, actor=chair,
                        vendor_id=setup.vendors["Alpha" if i % 2 else "Beta"],
                        criterion_key="plan", value=str(1 + (i % 8) / 2), reason=f"agreed {i}")
                    seq, head, result = _state(session, setup.id)
                    session.commit()
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)
                    return
                states[seq] = (head, result)
                writes.release()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(3):  # the writer is under way
            assert writes.acquire(timeout=60)
        path = tmp_path / "backup.db"
        made = runner.invoke(["backup", str(path), "--lang", "en"])
        for _ in range(3):  # and goes on after the backup
            assert writes.acquire(timeout=60)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert made.exit_code == 0, made.output
    backed = HEAD.search(made.output)
    assert backed, made.output
    seq, head = int(backed.group(1)), backed.group(2)
    assert min(states) < seq < max(states)  # taken while the writer wrote
    assert states[seq][0] == head  # the head as it stood after that many events

    target = scratch_url("restored")
    restored = SelectorRunner(target).invoke(["restore", str(path), "--lang", "en"])
    assert restored.exit_code == 0, restored.output
    assert HEAD.search(restored.output).groups() == (str(seq), head)  # type: ignore[union-attr]
    database = Database(target)
    try:
        with database.session() as session:
            assert chain_head(session) == (seq, head)
            assert verify(session).problems == []
            again = result_to_json(result_for(session, setup.id))
    finally:
        database.dispose()
    assert again == states[seq][1]  # the same results and fingerprint as at that head
    assert again["fingerprint"] != states[max(states)][1]["fingerprint"]  # not the latest
    with app.test_request_context():
        live = get_session().scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
    assert live == head  # the restored chain is the live chain's first `seq` events


def test_backup_and_restore_refuse_to_overwrite_without_force(
    app: Any, make_tender: Any, runner: SelectorRunner, scratch_url: Any, tmp_path: Path
) -> None:
    make_tender(state="closed")
    path = tmp_path / "backup.db"
    assert runner.invoke(["backup", str(path)]).exit_code == 0
    again = runner.invoke(["backup", str(path), "--lang", "en"])
    assert again.exit_code == 2 and "give --force" in again.output
    assert runner.invoke(["backup", str(path), "--force"]).exit_code == 0

    target = scratch_url("busy")
    busy = SelectorRunner(target)
    assert busy.invoke(["init-db"]).exit_code == 0
    assert busy.invoke(["restore", str(path)]).exit_code == 0  # a new database holds no data
    refused = busy.invoke(["restore", str(path), "--lang", "zh"])  # now it does
    assert refused.exit_code == 2 and "已有数据" in refused.output and "--force" in refused.output
    refused = busy.invoke(["restore", str(path), "--lang", "en"], input="n\n")
    assert refused.exit_code == 2 and "holds data" in refused.output
    assert busy.invoke(["restore", str(path), "--force"]).exit_code == 0


def test_a_damaged_backup_is_refused_and_the_database_left_as_it_was(
    app: Any, make_tender: Any, runner: SelectorRunner, scratch_url: Any, tmp_path: Path
) -> None:
    make_tender(state="closed")
    path = tmp_path / "backup.db"
    assert runner.invoke(["backup", str(path)]).exit_code == 0
    damaged = tmp_path / "damaged.db"
    data = bytearray(path.read_bytes())
    data[len(data) // 2:] = b"\0" * (len(data) - len(data) // 2)
    damaged.write_bytes(bytes(data[: len(data) * 3 // 4]))
    target = scratch_url("untouched")
    fresh = SelectorRunner(target)
    assert fresh.invoke(["init-db"]).exit_code == 0
    refused = fresh.invoke(["restore", str(damaged), "--lang", "en"])
    assert refused.exit_code == 1 and "nothing was restored" in refused.output
    uninitialised = fresh.invoke(["audit", "verify", "--lang", "en"])
    assert uninitialised.exit_code == 0  # still the new, empty database: intact


@pytest.mark.parametrize("lang, words", [("en", "not initialised"), ("zh", "尚未初始化")])
def test_audit_verify_on_a_database_without_tables_says_so_and_exits_2(
    scratch_url: Any, lang: str, words: str
) -> None:
    empty = SelectorRunner(scratch_url(f"empty_{lang}"))
    for command in (["audit", "verify"], ["backup", "/nonexistent/x.db"]):
        outcome = empty.invoke([*command, "--lang", lang])
        assert outcome.exit_code == 2, outcome.output
        assert words in outcome.output and "selector init-db" in outcome.output
        assert "Traceback" not in outcome.output
