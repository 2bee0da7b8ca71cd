"""The audit record holds up: a hash chain the database will not let anyone rewrite, with
every stored value's before and after, checked by `selector audit verify`."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from selector.services import sheets
from selector.services.record import verify
from selector.store.audit import chain_head, utc_text
from selector.store.db import get_database, get_session
from selector.store.models import AuditEvent, User
from tests.web.conftest import MINI_VALUES, login


def _raw(app, statement, **params):
    """Run SQL straight on the database, as someone with a database login would."""
    with get_database(app).engine.begin() as connection:
        connection.execute(text(statement), params)


def _problems(app, tender_id=None, lang="en"):
    with app.test_request_context():
        return [p.get(lang) for p in verify(get_session(), tender_id).problems]


def test_a_tender_run_through_the_app_verifies_intact(app, make_tender):
    setup = make_tender(state="finalised")
    assert _problems(app) == []
    assert _problems(app, setup.id) == []
    with app.test_request_context():
        session = get_session()
        seq, head = chain_head(session)
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.seq for e in events] == list(range(1, seq + 1))
    assert events[-1].hash == head and len(head) == 64
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))


def test_a_sheet_save_records_each_entry_value_and_comment_before_and_after(app, make_tender):
    setup = make_tender(state="open", submitted=False)
    client = app.test_client()
    login(client, "eval1")
    client.post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
    url = f"/tenders/{setup.id}/evaluate/{setup.vendors['Alpha']}"
    client.post(url, data={"version": "0", "save": "1", "value-fit": "full", "comment-fit": "a"})
    client.post(url, data={"version": "1", "save": "1", "value-fit": "partial", "comment-fit": "b"})
    with app.test_request_context():
        saves = (
            get_session()
            .scalars(
                select(AuditEvent).where(AuditEvent.action == "sheet.save").order_by(AuditEvent.seq)
            )
            .all()
        )
    key = f"entry:eval1:{setup.vendors['Alpha']}:fit"
    assert saves[0].detail["changes"][key] == [None, ["full", "a"]]
    assert saves[1].detail["changes"][key] == [["full", "a"], ["partial", "b"]]
    assert saves[1].remote_addr == "127.0.0.1"
    assert saves[1].actor_id is not None and saves[1].created_at is not None


def test_the_database_refuses_update_and_delete_on_the_audit_table(app, make_tender):
    make_tender()
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(app, "UPDATE audit_event SET action = 'x' WHERE seq = 1")
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(app, "DELETE FROM audit_event WHERE seq = 1")
    assert _problems(app) == []


def _without_triggers(app, statement, **params):
    """Tamper as a database owner would: drop the refusal, change the record, put it back."""
    from selector.store.models import AUDIT_DROP_TRIGGERS, AUDIT_TRIGGERS

    dialect = get_database(app).engine.dialect.name
    with get_database(app).engine.begin() as connection:
        for name, sql in AUDIT_DROP_TRIGGERS:
            if name == dialect:
                connection.execute(text(sql))
        for one in statement.split(";"):
            connection.execute(text(one), params)
        for name, sql in AUDIT_TRIGGERS:
            if name == dialect:
                connection.execute(text(sql))


def test_the_chain_names_an_edited_event(app, make_tender):
    make_tender(state="open")
    _without_triggers(app, "UPDATE audit_event SET action = 'vendor.renamed' WHERE seq = 3")
    problems = _problems(app)
    assert len(problems) == 1
    assert "event #3 (vendor.renamed" in problems[0] and "edited" in problems[0]


def test_a_broken_chain_names_who_did_the_event_by_name_and_login_or_command_line(
    app, exported_on_the_command_line
):
    with app.app_context():
        seq = get_session().scalar(select(AuditEvent.seq).where(
            AuditEvent.action == "report.download"))
    _without_triggers(app, "UPDATE audit_event SET remote_addr = '10.0.0.9' WHERE seq = :s",
                      s=seq)
    assert f"event #{seq} (report.download, " in _problems(app)[0]
    assert _problems(app)[0].split(": ")[0].endswith(", operator7 on the command line)")
    assert "命令行用户 operator7)" in _problems(app, lang="zh")[0]
    with app.app_context():
        created = get_session().scalar(select(AuditEvent.seq).where(
            AuditEvent.action == "tender.create"))
        first = get_session().scalars(select(AuditEvent).order_by(AuditEvent.seq)).first()
        assert first.action == "user.create" and first.actor_id is None
    _without_triggers(app, "UPDATE audit_event SET remote_addr = '10.0.0.9' WHERE seq = :s",
                      s=created)
    assert f"event #{created} (tender.create, " in _problems(app)[0]
    assert ", Chair (chair)): its content" in _problems(app)[0]
    assert ", Chair(chair)) 断开" in _problems(app, lang="zh")[0]
    _without_triggers(app, "UPDATE audit_event SET remote_addr = '10.0.0.9' WHERE seq = 1")
    # no one is named where the event names no one (not "a deleted user")
    assert f"event #1 (user.create, {utc_text(first.created_at)}): its content" in (
        _problems(app)[0])


def test_the_chain_names_a_deleted_event(app, make_tender):
    make_tender(state="open")
    _without_triggers(app, "DELETE FROM audit_event WHERE seq = 4")
    problems = _problems(app)
    assert problems and "breaks at event #4" in problems[0]


def test_the_chain_names_reordered_events(app, make_tender):
    make_tender(state="open")
    # swap the numbers of events 2 and 3 (through a free number: seq is unique)
    _without_triggers(
        app,
        "UPDATE audit_event SET seq = -2 WHERE seq = 2;"
        "UPDATE audit_event SET seq = 2 WHERE seq = 3;"
        "UPDATE audit_event SET seq = 3 WHERE seq = -2",
    )
    problems = _problems(app)
    assert problems and "breaks at event #2" in problems[0]


def test_the_chain_names_events_removed_at_the_end(app, make_tender):
    make_tender(state="open")
    with app.test_request_context():
        last, _ = chain_head(get_session())
    _without_triggers(app, "DELETE FROM audit_event WHERE seq = :s", s=last)
    problems = _problems(app)
    assert problems and "chain head" in problems[0]


def test_a_keyed_chain_does_not_verify_with_another_key(app, make_tender, monkeypatch):
    monkeypatch.setenv("SELECTOR_AUDIT_KEY", "committee-secret")
    make_tender()
    assert _problems(app) == []
    monkeypatch.setenv("SELECTOR_AUDIT_KEY", "another")
    assert "breaks at event #1" in _problems(app)[0]


def test_a_value_edited_directly_in_the_database_is_named(app, make_tender):
    setup = make_tender(state="closed")
    _raw(
        app,
        "UPDATE entry SET value = 'none' WHERE id = (SELECT MIN(e.id) FROM entry e "
        "JOIN tender_criterion c ON c.id = e.criterion_id WHERE c.key = 'fit')",
    )
    _raw(app, "UPDATE bid SET amount = 400000")
    _raw(app, "UPDATE tender SET state = 'open' WHERE id = :t", t=setup.id)
    problems = _problems(app, setup.id)
    assert any("Eval1 (eval1) for Alpha on fit is 'none'" in p and "'full'" in p
               for p in problems)
    assert any("Beta's bid" in p and "400000" in p for p in problems)
    assert any("the tender's state is 'open'" in p and "'closed'" in p for p in problems)
    assert all("changed outside the application" in p for p in problems)
    zh = _problems(app, setup.id, "zh")
    assert any("项目状态" in p for p in zh)


def test_verify_names_people_by_display_name_and_login_in_both_languages(
    app, make_tender, make_user
):
    make_user("eval1", display_name="王芳")
    make_user("eval2", display_name="Kim Lee")
    setup = make_tender(state="closed")
    sheets_of = ('SELECT s.id FROM score_sheet s JOIN "user" u ON u.id = s.evaluator_id '
                 "WHERE u.username = :login")
    _raw(app, f"UPDATE entry SET comment = 'edited' WHERE sheet_id IN ({sheets_of})",
         login="eval1")
    _raw(app, f"UPDATE entry SET value = 'none' WHERE sheet_id IN ({sheets_of}) AND "
         "criterion_id IN (SELECT id FROM tender_criterion WHERE key = 'fit')", login="eval2")
    en, zh = _problems(app, setup.id), _problems(app, setup.id, "zh")
    assert any(p.startswith(f"tender {setup.id}: the entry of 王芳 (eval1) for Alpha on fit")
               for p in en)
    assert any("the entry of Kim Lee (eval2) for Beta on fit is 'none'" in p for p in en)
    assert not any("eval1's" in p or "eval2's" in p for p in en)
    assert any("评委 王芳(eval1) 对 Alpha 的评分项 fit" in p for p in zh)
    assert any("评委 Kim Lee(eval2) 对 Beta 的评分项 fit" in p for p in zh)


def test_verify_names_a_login_without_an_account_as_the_login(app, make_tender):
    setup = make_tender(state="closed")
    _raw(app, """UPDATE "user" SET username = 'gone' WHERE username = 'eval1'""")
    problems = _problems(app, setup.id)
    assert any("the entry of eval1 for Alpha on fit is (none) in the database" in p
               for p in problems)
    assert any("the entry of Eval1 (gone) for Alpha on fit" in p and "last audited (none)" in p
               for p in problems)


def test_thirty_threads_saving_at_once_leave_one_unforked_chain(app, make_tender):
    setup = make_tender(state="open", submitted=False, evaluators=30, vendors=["A"], bids={"A": 1})
    with app.test_request_context():
        session = get_session()
        users = session.scalars(select(User).where(User.username.like("eval%"))).all()
        for user in users:
            sheets.declare_conflicts(session, setup.id, evaluator=user, vendor_ids=[], statement="")
        evaluators = [u.id for u in users]
    barrier = threading.Barrier(len(evaluators))
    errors: list[BaseException] = []

    def work(user_id):
        with app.test_request_context():
            session = get_session()
            user = session.get(User, user_id)
            session.commit()  # hand the connection back to the pool while waiting
            barrier.wait(timeout=60)
            try:
                sheets.save_sheet(
                    session,
                    setup.id,
                    setup.vendors["A"],
                    evaluator=user,
                    version=0,
                    values=dict(MINI_VALUES),
                    comments={},
                    submit=False,
                )
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=work, args=(u,)) for u in evaluators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.test_request_context():
        session = get_session()
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    saves = [e for e in events if e.action == "sheet.save"]
    assert len(saves) == 30
    prevs = [e.prev_hash for e in events]
    assert len(set(prevs)) == len(prevs)  # no two events link to the same predecessor
    assert _problems(app) == []


def test_selector_audit_verify_exits_0_when_intact_and_1_naming_each_edit(app, make_tender, runner):
    setup = make_tender(state="closed")
    intact = runner.invoke(["audit", "verify", "--lang", "en"])
    assert intact.exit_code == 0, intact.output
    assert "intact" in intact.output
    _raw(app, "UPDATE bid SET amount = 1 WHERE vendor_id = :v", v=setup.vendors["Alpha"])
    broken = runner.invoke(["audit", "verify", str(setup.id), "--lang", "zh"])
    assert broken.exit_code == 1
    lines = broken.output.strip().splitlines()
    assert lines and all("Alpha 的报价" in line and "'1'" in line for line in lines)
    missing = runner.invoke(["audit", "verify", "999", "--lang", "en"])
    assert missing.exit_code == 1 and "no such tender" in missing.output


def test_the_chain_head_is_on_the_results_page_and_the_report_facts(app, make_tender):
    from selector.reports.context import build_context
    from selector.services.results import report_context_extras, result_for

    setup = make_tender(state="finalised")
    client = app.test_client()
    login(client, "chair")
    page = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    with app.test_request_context():
        session = get_session()
        seq, head = chain_head(session)
        context = build_context(
            result_for(session, setup.id), "en", report_context_extras(session, setup.id)
        )
    assert f"#{seq} {head[:16]}" in page
    assert context.audit_head == f"#{seq} {head}"
