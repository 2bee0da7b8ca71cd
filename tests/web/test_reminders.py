"""Deadlines and reminders: the due date, time left and who is missing, reminders by the
chair and automatic ones (once each), through a real local SMTP server or the outbox."""

from __future__ import annotations

import socket
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from selector.mail import today_of
from selector.services import reminders, sheets
from selector.services.history import tender_history
from selector.store.db import get_session
from selector.store.models import AuditEvent, MailMessage, Tender, User
from tests.web.conftest import MINI_VALUES, login


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP server on a free local port, for this module."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app_config(request):
    if "smtp" in request.fixturenames:
        controller, inbox = request.getfixturevalue("smtp")
        inbox.messages.clear()
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": controller.port,
            "MAIL_SENDER": "selector@example.org",
            "BASE_URL": "https://selector.example.org/",
        }
    return {}


def contact(app, username, email, language):
    with app.test_request_context():
        session = get_session()
        user = session.scalar(select(User).where(User.username == username))
        from selector.services.users import set_contact

        set_contact(session, user.id, email=email, language=language)


def set_due(app, setup, due_on):
    with app.test_request_context():
        session = get_session()
        session.get(Tender, setup.id).due_on = due_on
        session.commit()


def submit_all(app, setup, username):
    with app.test_request_context():
        session = get_session()
        evaluator = session.scalar(select(User).where(User.username == username))
        sheets.declare_conflicts(session, setup.id, evaluator=evaluator, vendor_ids=[],
                                 statement="")
        for vendor_id in setup.vendors.values():
            sheets.save_sheet(session, setup.id, vendor_id, evaluator=evaluator, version=0,
                              values=MINI_VALUES, comments={k: "ok" for k in MINI_VALUES},
                              submit=True)


def count(app, model, **where):
    with app.test_request_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return get_session().scalar(query)


def today(app):
    return today_of(app.config)


@pytest.fixture
def open_tender(make_tender):
    return make_tender(state="open", submitted=False, name="CRM 2027")


def test_the_chair_sets_a_due_date_validated_and_audited(app, open_tender):
    chair = app.test_client()
    login(chair, "chair")
    url = f"/tenders/{open_tender.id}/deadline"
    past = (today(app) - timedelta(days=1)).isoformat()
    response = chair.post(url, data={"due_on": past, "submit": "1"})
    assert response.status_code == 422
    assert "The due date is in the past" in response.get_data(as_text=True)
    response = chair.post(url, data={"due_on": "31/12/2026", "submit": "1"})
    assert response.status_code == 422
    assert "Due date: write a day as YYYY-MM-DD" in response.get_data(as_text=True)
    assert count(app, AuditEvent, action="tender.due") == 0
    due = today(app) + timedelta(days=3)
    assert chair.post(url, data={"due_on": due.isoformat(), "submit": "1"}).status_code == 302
    with app.test_request_context():
        session = get_session()
        assert session.get(Tender, open_tender.id).due_on == due
        line = tender_history(session, open_tender.id)[0]
    assert line.sentence.en == f"Chair set the scoring due date to {due.isoformat()}"
    assert line.sentence.zh == f"Chair 将评分截止日期设为 {due.isoformat()}"
    assert chair.post(url, data={"clear": "1"}).status_code == 302
    with app.test_request_context():
        assert get_session().get(Tender, open_tender.id).due_on is None


def test_time_left_and_what_is_missing_are_shown_to_chair_and_evaluator(app, open_tender):
    set_due(app, open_tender, today(app) + timedelta(days=3))
    submit_all(app, open_tender, "eval2")
    chair = app.test_client()
    login(chair, "chair")
    page = chair.get(f"/tenders/{open_tender.id}").get_data(as_text=True)
    assert "3 days left" in page
    assert "<strong>Eval1</strong>: the declaration of interests; the sheets of Alpha, Beta" in page
    assert "<strong>Eval2</strong>" not in page.split('id="deadline"')[1].split("</div>")[0]
    evaluator = app.test_client()
    login(evaluator, "eval1")
    evaluator.post(f"/tenders/{open_tender.id}/evaluate/conflicts", data={"no_conflict": "y"})
    evaluator.post("/language", data={"lang": "zh", "next": "/"})
    page = evaluator.get(f"/tenders/{open_tender.id}/evaluate").get_data(as_text=True)
    assert "还剩 3 天" in page and "Alpha, Beta" in page


def test_reminders_go_through_smtp_in_each_recipients_language(app, open_tender, smtp):
    _, inbox = smtp
    due = today(app) + timedelta(days=2)
    set_due(app, open_tender, due)
    contact(app, "eval1", "eval1@example.org", "en")
    contact(app, "eval2", "eval2@example.org", "zh")
    chair = app.test_client()
    login(chair, "chair")
    page = chair.get(f"/tenders/{open_tender.id}/deadline").get_data(as_text=True)
    assert 'data-confirm="Send a reminder to each of these evaluators now?"' in page
    response = chair.post(f"/tenders/{open_tender.id}/remind")
    assert response.status_code == 302
    assert "2 by e-mail, 0 kept in the outbox" in chair.get(response.location).get_data(
        as_text=True
    )
    by_address = {rcpt[0]: message for rcpt, message in inbox.messages}
    assert set(by_address) == {"eval1@example.org", "eval2@example.org"}
    link = f"https://selector.example.org/tenders/{open_tender.id}/evaluate"
    english, chinese = by_address["eval1@example.org"], by_address["eval2@example.org"]
    assert english["Subject"] == f"Reminder: scoring of CRM 2027 is due on {due.isoformat()}"
    body = english.get_content()
    assert "Dear Eval1," in body and link in body and "the sheets of Alpha, Beta" in body
    assert chinese["Subject"] == f"提醒:项目 CRM 2027 的评分截止日期为 {due.isoformat()}"
    body = chinese.get_content()
    assert "Eval2,您好" in body and link in body and "Alpha、Beta 的评分表" in body
    assert english["From"] == "selector@example.org"
    assert count(app, MailMessage, status="sent") == 2
    assert count(app, AuditEvent, action="reminder.send") == 1
    outbox = chair.get(f"/tenders/{open_tender.id}/outbox").get_data(as_text=True)
    assert outbox.count("mail-sent") == 2


def test_without_a_mail_server_the_messages_wait_in_the_outbox(app, open_tender):
    set_due(app, open_tender, today(app) + timedelta(days=5))
    contact(app, "eval1", "eval1@example.org", "en")
    chair = app.test_client()
    login(chair, "chair")
    page = chair.get(f"/tenders/{open_tender.id}/deadline").get_data(as_text=True)
    assert "No mail server is configured" in page
    response = chair.post(f"/tenders/{open_tender.id}/remind")
    assert response.status_code == 302
    assert count(app, MailMessage, status="outbox") == 2
    outbox = chair.get(f"/tenders/{open_tender.id}/outbox").get_data(as_text=True)
    assert "Reminder: scoring of CRM 2027 is due on" in outbox  # eval1 reads English
    assert "提醒:项目 CRM 2027 的评分截止日期为" in outbox  # eval2 (no choice made) Chinese
    assert f"http://localhost:5000/tenders/{open_tender.id}/evaluate" in outbox
    assert outbox.count("mail-outbox") == 2
    evaluator = app.test_client()
    login(evaluator, "eval1")
    assert evaluator.get(f"/tenders/{open_tender.id}/outbox").status_code == 403


def test_a_reminder_needs_open_scoring_and_someone_to_remind(app, make_tender):
    setup = make_tender(state="open", submitted=True)  # everyone submitted
    chair = app.test_client()
    login(chair, "chair")
    response = chair.post(f"/tenders/{setup.id}/remind")
    assert response.status_code == 422
    assert "there is nobody to remind" in response.get_data(as_text=True)
    closed = make_tender(state="closed")
    response = chair.post(f"/tenders/{closed.id}/remind")
    assert response.status_code == 422
    assert "Reminders are sent while scoring is open." in response.get_data(as_text=True)
    assert count(app, MailMessage) == 0


def test_automatic_reminders_go_the_day_before_and_on_the_day_once_each(
    app, open_tender, smtp, runner
):
    _, inbox = smtp
    due = date(2031, 3, 14)
    set_due(app, open_tender, due)
    contact(app, "eval1", "eval1@example.org", "en")
    contact(app, "eval2", "eval2@example.org", "zh")
    submit_all(app, open_tender, "eval2")  # done: never reminded

    def run(day):
        with app.test_request_context():
            return reminders.send_due_reminders(
                get_session(), mailer=__import__("selector.mail").mail.mailer_from_config(
                    app.config), base_url="https://s.example", today=day
            )

    assert run(due - timedelta(days=2)) == 0
    assert run(due - timedelta(days=1)) == 1
    assert run(due - timedelta(days=1)) == 0  # the same day again: nothing twice
    assert len(inbox.messages) == 1
    assert inbox.messages[0][1]["Subject"] == "Reminder: scoring of CRM 2027 is due on 2031-03-14"
    assert "(due tomorrow)" in inbox.messages[0][1].get_content()
    result = runner.invoke(["remind", "--today", due.isoformat()])  # the command, on the day
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) recorded." in result.output
    assert run(due) == 0
    assert run(due + timedelta(days=1)) == 0  # overdue: no automatic mail
    with app.test_request_context():
        kinds = sorted(get_session().scalars(select(MailMessage.kind)))
    assert kinds == ["reminder.day_before", "reminder.due_day"]
    assert count(app, AuditEvent, action="reminder.auto") == 2
    with app.test_request_context():
        line = tender_history(get_session(), open_tender.id)[0]
    assert line.sentence.en == (
        "An automatic reminder before the due date 2031-03-14 went to Eval1"
    )


def test_the_worker_runs_the_reminders_every_hour(app, open_tender):
    from selector.queue import get_queue

    queue = get_queue(app)
    names = [task.__name__ for task in queue.huey._registry._periodic_tasks]
    assert "selector.remind" in names
    set_due(app, open_tender, today(app))
    assert queue.remind() == 2  # what the periodic task calls; no mail server: the outbox
    assert queue.remind() == 0
    assert count(app, MailMessage, kind="reminder.due_day", status="outbox") == 2


def test_the_administrator_sets_an_address_and_a_language(app, make_user):
    make_user("admin", "admin")
    eval_id = make_user("eva", "evaluator")
    admin = app.test_client()
    login(admin, "admin")
    url = f"/admin/users/{eval_id}/contact"
    response = admin.post(url, data={"email": "not-an-address", "language": "en"})
    assert response.status_code == 422
    assert "The e-mail address is not valid" in response.get_data(as_text=True)
    response = admin.post(url, data={"email": "eva@example.org", "language": "en"})
    assert response.status_code == 302
    with app.test_request_context():
        eva = get_session().get(User, eval_id)
        assert (eva.email, eva.language) == ("eva@example.org", "en")


def test_a_server_that_cannot_be_reached_leaves_the_message_in_the_outbox(app, open_tender):
    from selector.mail import SmtpMailer

    contact(app, "eval1", "eval1@example.org", "en")
    unreachable = SmtpMailer(server="127.0.0.1", port=free_port(), sender="s@example.org",
                             timeout=2)
    with app.test_request_context():
        session = get_session()
        chair = session.scalar(select(User).where(User.username == "chair"))
        done = reminders.send_reminders(session, open_tender.id, actor=chair, mailer=unreachable,
                                        base_url="https://s.example", today=today(app))
        assert done.sent == 0 and done.kept == 2
        rows = {m.to_address: m for m in session.scalars(select(MailMessage))}
        assert rows["eval1@example.org"].status == "failed"
        assert "ConnectionRefusedError" in rows["eval1@example.org"].error
        assert rows[""].error == "no e-mail address"  # eval2 has none
        sentence = tender_history(session, open_tender.id)[0].sentence
    assert sentence.en == "Chair sent a scoring reminder to Eval1, Eval2"
    assert sentence.zh == "Chair 向 Eval1、Eval2 发送了评分提醒"
    client = app.test_client()
    login(client, "chair")
    page = client.get(f"/tenders/{open_tender.id}/outbox").get_data(as_text=True)
    assert page.count("mail-failed") == 2 and "not sent" in page
