"""A draft's save does its reads and checks before the write lock and, under it, only
re-checks and writes (`sheets._prepare_save`, `uow.prepared_change`): the same rows and the
same audit record as the full save, and the full save's answer whenever what it read has
moved in between (another save, the close, the evaluator's groups)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from selector.services import ServiceError, StaleEdit, lifecycle, setup, sheets
from selector.services.record import verify
from selector.store.db import get_database, get_session
from selector.store.models import AuditEvent, Entry, ScoreSheet, TenderCriterion, User
from tests.web.conftest import MINI_VALUES, login


def _user(session, username):
    return session.scalar(select(User).where(User.username == username))


def _last_seq(session):
    return session.scalar(select(func.max(AuditEvent.seq)))


def _entries(session, sheet_id):
    return {
        key: (value, comment)
        for key, value, comment in session.execute(
            select(TenderCriterion.key, Entry.value, Entry.comment)
            .join(TenderCriterion, Entry.criterion_id == TenderCriterion.id)
            .where(Entry.sheet_id == sheet_id)
        )
    }


def _sheet(session, evaluator, vendor_id):
    return session.scalar(
        select(ScoreSheet).where(
            ScoreSheet.evaluator_id == evaluator.id, ScoreSheet.vendor_id == vendor_id
        )
    )


@pytest.fixture
def drafted(make_tender, db):
    """An open tender where eval1 has declared and holds a draft (version 1) on Alpha."""
    built = make_tender(state="open", submitted=False, vendors=["Alpha", "Beta"])
    evaluator = _user(db, "eval1")
    sheets.declare_conflicts(db, built.id, evaluator=evaluator, vendor_ids=[], statement="")
    sheets.save_sheet(db, built.id, built.vendors["Alpha"], evaluator=evaluator, version=0,
                      values=MINI_VALUES, comments={"fit": "first"}, submit=False)
    return built


@pytest.fixture
def fast_saves(monkeypatch):
    """The saves written by the prepared path (True) or handed to the full save (False)."""
    taken: list[bool] = []
    real = sheets._write_prepared

    def spy(session, save):
        taken.append(real(session, save))
        return taken[-1]

    monkeypatch.setattr(sheets, "_write_prepared", spy)
    return taken


@pytest.fixture
def meanwhile(app, monkeypatch):
    """meanwhile(action): run action(session) in a session of its own, committed, once,
    between the next save's reads and its write lock — a request that came in between."""

    def arrange(action):
        real = sheets.prepared_change
        done = []

        @contextmanager
        def late(session, *args, **kwargs):
            if not done:
                done.append(True)
                other = get_database(app).session()
                try:
                    action(other)
                    other.commit()
                finally:
                    other.close()
            with real(session, *args, **kwargs) as change:
                yield change

        monkeypatch.setattr(sheets, "prepared_change", late)

    return arrange


def _save(session, built, *, version, values=MINI_VALUES, comments=None, submit=False,
          username="eval1"):
    return sheets.save_sheet(
        session, built.id, built.vendors["Alpha"], evaluator=_user(session, username),
        version=version, values=values, comments=comments or {}, submit=submit,
    )


def test_a_saved_draft_is_written_by_the_prepared_path_and_the_chain_verifies(
    drafted, db, fast_saves
):
    outcome = _save(db, drafted, version=1, comments={"fit": "second", "api": "why"})
    outcome = _save(db, drafted, version=outcome.sheet.version,
                    values={**MINI_VALUES, "plan": ""}, comments={"fit": "second"})
    outcome = _save(db, drafted, version=outcome.sheet.version,
                    comments={k: "because" for k in MINI_VALUES}, submit=True)
    assert fast_saves == [True, True, True]
    assert outcome.sheet.version == 4 and outcome.sheet.state == "submitted"
    assert outcome.sheet.submitted_at is not None
    assert _entries(db, outcome.sheet.id) == {k: (v, "because") for k, v in MINI_VALUES.items()}
    assert verify(db, drafted.id).problems == []


def _normalised(event, vendor_id):
    detail = dict(event.detail)
    detail["changes"] = {
        key.replace(f":{vendor_id}:", ":VENDOR:"): value
        for key, value in detail.get("changes", {}).items()
    }
    return event.action, detail


def test_the_prepared_and_the_full_save_store_and_record_the_same(
    make_tender, db, monkeypatch, fast_saves
):
    steps = [
        ({"fit": "partial", "api": "yes"}, {"fit": "second", "api": "note"}, False),
        ({"fit": "partial", "api": ""}, {"fit": "second"}, False),  # an entry cleared
        ({"fit": "partial", "api": ""}, {"fit": "second"}, False),  # nothing changed
        ({"fit": "none", "ux": "good"}, {"ux": "new entry", "fit": "weak"}, False),
        (MINI_VALUES, {k: "because" for k in MINI_VALUES}, True),
    ]
    stored, recorded = [], []
    for prepared in (False, True):
        built = make_tender(state="open", submitted=False, vendors=["Alpha"])
        evaluator = _user(db, "eval1")
        vendor_id = built.vendors["Alpha"]
        sheets.declare_conflicts(db, built.id, evaluator=evaluator, vendor_ids=[], statement="")
        sheets.save_sheet(db, built.id, vendor_id, evaluator=evaluator, version=0,
                          values={"fit": "full"}, comments={"fit": "first"}, submit=False)
        with monkeypatch.context() as patch:
            if not prepared:
                patch.setattr(sheets, "_prepare_save", lambda *args, **kwargs: None)
            first = _last_seq(db)
            for version, (values, comments, submit) in enumerate(steps, start=1):
                outcome = sheets.save_sheet(
                    db, built.id, vendor_id, evaluator=_user(db, "eval1"), version=version,
                    values=values, comments=comments, submit=submit,
                )
        sheet = outcome.sheet
        stored.append((_entries(db, sheet.id), sheet.version, sheet.state))
        events = db.scalars(select(AuditEvent).where(AuditEvent.seq > first)).all()
        recorded.append([_normalised(e, vendor_id) for e in events])
        assert verify(db, built.id).problems == []
    assert fast_saves == [True] * len(steps)  # the second round only
    assert stored[0] == stored[1]
    assert recorded[0] == recorded[1]
    assert len(recorded[1]) == len(steps)


def test_a_save_in_between_makes_the_prepared_save_stale(drafted, db, meanwhile, fast_saves):
    def other_tab(session):
        _save(session, drafted, version=1, comments={"fit": "other tab"})

    meanwhile(other_tab)
    seq = _last_seq(db)
    with pytest.raises(StaleEdit):
        _save(db, drafted, version=1, comments={"fit": "this tab"})
    assert fast_saves == [True, False]  # the other tab's save, then this one's fallback
    sheet = _sheet(db, _user(db, "eval1"), drafted.vendors["Alpha"])
    assert sheet.version == 2
    assert _entries(db, sheet.id)["fit"] == ("full", "other tab")
    assert _last_seq(db) == seq + 1  # the other tab's event only
    assert verify(db, drafted.id).problems == []


def test_closing_in_between_refuses_the_prepared_save(drafted, db, meanwhile):
    def close(session):
        lifecycle.transition(session, drafted.id, "close", actor=_user(session, "chair"))

    meanwhile(close)
    with pytest.raises(ServiceError) as refused:
        _save(db, drafted, version=1, comments={"fit": "too late"})
    assert refused.value.message == sheets.CLOSED_REFUSAL
    sheet = _sheet(db, _user(db, "eval1"), drafted.vendors["Alpha"])
    assert sheet.version == 1
    assert _entries(db, sheet.id)["fit"] == ("full", "first")
    assert verify(db, drafted.id).problems == []


def test_groups_changed_in_between_are_the_ones_the_save_checks(drafted, db, meanwhile):
    chair = _user(db, "chair")
    lifecycle.transition(db, drafted.id, "close", actor=chair)
    lifecycle.transition(db, drafted.id, "reopen", actor=_user(db, "chair"), reason="again")

    def only_checks(session):
        setup.assign_evaluator(
            session, drafted.id, actor=_user(session, "chair"),
            user_id=_user(session, "eval1").id, group_keys=["checks"], can_see_prices=False,
        )

    meanwhile(only_checks)
    _save(db, drafted, version=1, values={**MINI_VALUES, "fit": "none"},
          comments={"fit": "not theirs now", "licence_ok": "checked"})
    sheet = _sheet(db, _user(db, "eval1"), drafted.vendors["Alpha"])
    entries = _entries(db, sheet.id)
    assert entries["fit"] == ("full", "first")  # no longer their criterion: left as stored
    assert entries["licence_ok"] == ("pass", "checked")
    assert verify(db, drafted.id).problems == []


def test_tabs_racing_on_a_stored_draft_never_lose_a_save(app, make_tender):
    built = make_tender(state="open", submitted=False)
    tabs = []
    for _ in range(4):
        client = app.test_client()
        login(client, "eval1")
        tabs.append(client)
    tabs[0].post(f"/tenders/{built.id}/evaluate/conflicts", data={"no_conflict": "y"})
    url = f"/tenders/{built.id}/evaluate/{built.vendors['Alpha']}"
    first = tabs[0].post(url, data={"version": "0", "save": "1", "value-fit": "full"})
    assert first.status_code == 302
    barrier = threading.Barrier(len(tabs))
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def work(index, client):
        barrier.wait()
        response = client.post(
            url,
            data={"version": "1", "save": "1", "value-fit": "partial",
                  "comment-fit": f"tab {index}"},
        )
        with lock:
            answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == [302, 409, 409, 409]
    assert all("Your changes were NOT saved" in body for status, body in answers
               if status == 409)
    with app.test_request_context():
        session = get_session()
        sheet = session.scalars(select(ScoreSheet)).one()
        assert sheet.version == 2
        (value, comment), = _entries(session, sheet.id).values()
        assert value == "partial" and comment.startswith("tab ")
        assert verify(session, built.id).problems == []


def test_a_drafts_post_reads_the_evaluators_access_rows_once(app, make_tender):
    """The POST's `sheet_criteria` read — the tender, the assignment and its groups, the
    vendor and the declaration, in one statement — is handed to `save_sheet` (`checked`)."""
    from sqlalchemy import event

    built = make_tender(state="open", submitted=False)
    client = app.test_client()
    login(client, "eval1")
    client.post(f"/tenders/{built.id}/evaluate/conflicts", data={"no_conflict": "y"})
    url = f"/tenders/{built.id}/evaluate/{built.vendors['Alpha']}"
    assert client.post(url, data={"version": "0", "save": "1", "value-fit": "full"}).status_code \
        == 302
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = get_database(app).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        answer = client.post(url, data={"version": "1", "save": "1", "value-fit": "partial"})
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert answer.status_code == 302
    declarations = [s for s in statements if "conflict_declaration" in s]
    vendors = [s for s in statements if "FROM vendor" in s or "JOIN vendor " in s]
    groups = [s for s in statements if "tender_group" in s]
    assignments = [s for s in statements
                   if s.lstrip().startswith("SELECT")
                   and ("FROM assignment" in s or "JOIN assignment " in s)]
    assert len(declarations) == 1, declarations  # with the vendors declared, one query
    assert declarations == vendors == groups, statements  # ... which reads them all
    assert len(assignments) == 1, assignments  # the read; the check under the lock is ...
    moves = [s for s in statements if s.lstrip().startswith("UPDATE score_sheet")]
    assert len(moves) == 1 and "FROM assignment" in moves[0]  # ... in the sheet's UPDATE
    assert not any(s.lstrip().startswith("SELECT score_sheet.id, score_sheet.tender_id")
                   for s in statements), "the stored sheet is not read again after a save"


def test_the_chain_head_read_in_a_transaction_follows_its_appends(drafted, db):
    from selector.services import audit
    from selector.store.audit import HEAD_ID, chain_head
    from selector.store.db import write_transaction
    from selector.store.models import AuditChainHead

    with write_transaction(db):
        held = db.get(AuditChainHead, HEAD_ID)  # the head row, held by the session
        seq = held.seq
        audit(db, "test.note", tender_id=drafted.id)
        assert chain_head(db)[0] == seq + 1
        assert held.seq == seq + 1
    assert verify(db, drafted.id).problems == []


def test_on_postgresql_the_saves_event_is_sent_with_its_commit(
    app, drafted, db, database_url, fast_saves, monkeypatch
):
    """PostgreSQL: the prepared save's audit event (and the chain head's move) goes in one
    query with the COMMIT (`audit._commit_with`), so the head is held one round trip less;
    the save, its event and the chain are as with two."""
    import psycopg

    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite commits on its own")
    sent: list[str] = []
    real = psycopg.ClientCursor.execute

    def spy(cursor, query, params=None, **kwargs):
        sent.append(query)
        return real(cursor, query, params, **kwargs)

    monkeypatch.setattr(psycopg.ClientCursor, "execute", spy)
    before = _last_seq(db)
    evaluator = _user(db, "eval1")
    sheets.save_sheet(db, drafted.id, drafted.vendors["Alpha"], evaluator=evaluator,
                      version=1, values=MINI_VALUES, comments={"fit": "second"}, submit=False)
    db.commit()
    assert fast_saves == [True]
    assert len(sent) == 1 and "INSERT INTO audit_event" in sent[0]
    assert sent[0].endswith("; COMMIT")
    event = db.scalar(select(AuditEvent).where(AuditEvent.seq == before + 1))
    assert event is not None and event.action == "sheet.save"
    assert event.detail["changes"]  # the comment's change, before and after
    assert verify(db, drafted.id).problems == []


def test_on_postgresql_an_event_that_fails_with_its_commit_leaves_nothing(
    app, drafted, db, database_url
):
    """A statement sent with its COMMIT that fails stops before the COMMIT: the unit rolls
    back, nothing of it is stored and the session goes on."""
    from sqlalchemy.exc import DBAPIError

    from selector.store.audit import append
    from selector.store.db import write_transaction

    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite commits on its own")
    before = _last_seq(db)
    with pytest.raises(DBAPIError):
        with write_transaction(db):
            db.execute(User.__table__.update().where(User.username == "eval1")
                       .values(display_name="Changed in the failed unit"))
            append(db, "x" * 65, actor_id=None, tender_id=None, detail={},  # too long
                   ends_transaction=True)
    assert _last_seq(db) == before
    assert _user(db, "eval1").display_name != "Changed in the failed unit"
