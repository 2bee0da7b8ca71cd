"""Deadlines and reminders: the chair's due date for scoring, who still has sheets to
submit, and the messages that remind them.

A message is a `MailMessage` row first (in the same transaction as its audit event), then
delivered through the `Mailer` the caller passes (SMTP, `selector.mail`); without one — no
mail server configured — or when the server refuses it, it stays in the tender's outbox,
which the chair reads. Each message is written in its recipient's language
(`User.language`) and names the tender, the due date and the link to the evaluator's page.

Automatic reminders (`send_due_reminders`, run hourly by the queue's worker or by
`selector remind`) go out the day before the due date and on the day, once each: a message's
`dedup_key` (tender, recipient, kind, due date) is unique.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from selector.scoring.model import Text
from selector.services import ServiceError, audit
from selector.services.access import chaired_tender
from selector.services.uow import tender_change
from selector.store.db import write_transaction
from selector.store.models import (
    MailMessage,
    ScoreSheet,
    SheetState,
    Tender,
    TenderState,
    User,
    utcnow,
)

#: How far ahead a due date may be set.
MAX_DAYS_AHEAD = 366 * 2

#: Message kinds: sent by the chair, or automatically the day before and on the day.
MANUAL, DAY_BEFORE, DUE_DAY = "reminder", "reminder.day_before", "reminder.due_day"


class Mailer(Protocol):
    """Delivers one message or raises (`selector.mail.SmtpMailer`)."""

    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class Deadline:
    """A tender's due date as pages show it: the date and the time left, in words."""

    due_on: date | None
    days_left: int | None  # negative once overdue
    left: Text | None  # "3 days left", "due today", "overdue by 2 days"


def time_left(due_on: date | None, today: date) -> Deadline:
    """The deadline of `due_on` seen on `today`."""
    if due_on is None:
        return Deadline(None, None, None)
    days = (due_on - today).days
    if days > 1:
        left = Text(zh=f"还剩 {days} 天", en=f"{days} days left")
    elif days == 1:
        left = Text(zh="明天截止", en="due tomorrow")
    elif days == 0:
        left = Text(zh="今天截止", en="due today")
    else:
        left = Text(zh=f"已逾期 {-days} 天", en=f"overdue by {-days} day{'s' if days < -1 else ''}")
    return Deadline(due_on, days, left)


@dataclass(frozen=True)
class Missing:
    """What one evaluator has still to do: the declaration, and the vendors' sheets."""

    user_id: int
    evaluator: str  # display name
    declared: bool
    vendors: tuple[str, ...]  # vendors whose sheet is not submitted (conflicts left out)
    has_address: bool

    @property
    def done(self) -> bool:
        return self.declared and not self.vendors

    def words(self) -> Text:
        """`the declaration of interests; Alpha, Beta` in both languages."""
        zh, en = [], []
        if not self.declared:
            zh.append("利益冲突声明")
            en.append("the declaration of interests")
        if self.vendors:
            zh.append("、".join(self.vendors) + " 的评分表")
            en.append("the sheets of " + ", ".join(self.vendors))
        return Text(zh=";".join(zh), en="; ".join(en))


def missing_by_evaluator(session: Session, tender: Tender) -> list[Missing]:
    """Per evaluator of the committee (in assignment order), what they have not submitted."""
    submitted = {
        (s.evaluator_id, s.vendor_id)
        for s in session.scalars(
            select(ScoreSheet).where(
                ScoreSheet.tender_id == tender.id, ScoreSheet.state == SheetState.SUBMITTED
            )
        )
    }
    declarations = {d.user_id: d for d in tender.declarations}
    lines = []
    for assignment in tender.assignments:
        declaration = declarations.get(assignment.user_id)
        conflicted = {v.id for v in declaration.vendors} if declaration else set()
        vendors = tuple(
            v.name
            for v in tender.vendors
            if v.id not in conflicted and (assignment.user_id, v.id) not in submitted
        )
        lines.append(
            Missing(
                assignment.user_id,
                assignment.user.display_name,
                declaration is not None,
                vendors,
                bool(assignment.user.email),
            )
        )
    return lines


def set_due_date(
    session: Session, tender_id: int, *, actor: User, due_on: date | None, today: date
) -> Tender:
    """Set (or clear, with None) the day scoring is due; the tender's chair, before closing.

    ServiceError on `due_on` for a day before `today` or more than two years ahead.
    """
    if due_on is not None and due_on < today:
        raise ServiceError(
            Text(
                zh=f"截止日期不能早于今天({today.isoformat()}):请选择今天或以后的日期。",
                en=f"The due date is in the past: choose today ({today.isoformat()}) or a "
                "later day.",
            ),
            field="due_on",
        )
    if due_on is not None and due_on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ServiceError(
            Text(
                zh="截止日期太远:请选择两年以内的日期。",
                en="The due date is too far ahead: choose a day within two years.",
            ),
            field="due_on",
        )
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.DRAFT, TenderState.OPEN],
        refusal=Text(
            zh="评分关闭后不能再设置截止日期。",
            en="The due date is set before scoring closes.",
        ),
    ) as change:
        tender = change.tender
        was = tender.due_on
        tender.due_on = due_on
        change.audit(
            "tender.due",
            due=due_on.isoformat() if due_on else None,
            was=was.isoformat() if was else None,
        )
    return tender


# --- the messages ------------------------------------------------------------------------


def _when(due_on: date, today: date, lang: str) -> str:
    left = time_left(due_on, today).left
    return left.get(lang) if left else ""


def compose(
    tender: Tender, recipient: User, missing: Missing, *, base_url: str, today: date
) -> tuple[str, str, str]:
    """(language, subject, body) of a reminder to `recipient`, in their language."""
    lang = "en" if recipient.language == "en" else "zh"
    due = tender.due_on.isoformat() if tender.due_on else ""
    link = f"{base_url.rstrip('/')}/tenders/{tender.id}/evaluate"
    chair = tender.chair.display_name if tender.chair else ""
    todo = missing.words().get(lang)
    when = _when(tender.due_on, today, lang) if tender.due_on else ""
    if lang == "en":
        subject = (
            f"Reminder: scoring of {tender.name} is due on {due}"
            if due
            else f"Reminder: scoring of {tender.name}"
        )
        lines = [
            f"Dear {recipient.display_name},",
            "",
            (
                f"Your score sheets for the tender {tender.name} are due on {due} ({when})."
                if due
                else f"Your score sheets for the tender {tender.name} are awaited."
            ),
            f"Still to submit: {todo}.",
            "",
            f"Open your sheets: {link}",
            "",
            f"Selector, on behalf of {chair}",
        ]
    else:
        subject = (
            f"提醒:项目 {tender.name} 的评分截止日期为 {due}"
            if due
            else f"提醒:请完成项目 {tender.name} 的评分"
        )
        lines = [
            f"{recipient.display_name},您好:",
            "",
            (
                f"您在项目 {tender.name} 中的评分表截止日期为 {due}({when})。"
                if due
                else f"项目 {tender.name} 正在等待您的评分表。"
            ),
            f"尚未提交:{todo}。",
            "",
            f"打开评分表:{link}",
            "",
            f"评标选型系统,代表评审主任 {chair}",
        ]
    return lang, subject, "\n".join(lines) + "\n"


def _message(
    tender: Tender,
    recipient: User,
    missing: Missing,
    kind: str,
    *,
    base_url: str,
    today: date,
    dedup_key: str | None = None,
) -> MailMessage:
    lang, subject, body = compose(tender, recipient, missing, base_url=base_url, today=today)
    return MailMessage(
        tender_id=tender.id,
        recipient_id=recipient.id,
        kind=kind,
        to_address=recipient.email or "",
        language=lang,
        subject=subject,
        body=body,
        status="outbox",
        error="",
        dedup_key=dedup_key,
        created_at=utcnow(),
    )


def deliver(session: Session, message_ids: list[int], mailer: Mailer | None) -> int:
    """Send the messages `message_ids` through `mailer`; returns how many went out.

    Without a mailer they stay in the outbox; a recipient without an address, or a server
    that refuses, leaves them there marked failed, with why.
    """
    if mailer is None or not message_ids:
        return 0
    sent = 0
    for message_id in message_ids:
        with write_transaction(session):
            message = session.get(MailMessage, message_id)
            if message is None or message.status == "sent":
                continue
            if not message.to_address:
                message.status, message.error = "failed", "no e-mail address"
                continue
            try:
                mailer.send(message.to_address, message.subject, message.body)
            except Exception as error:  # noqa: BLE001 - any failure keeps it in the outbox
                message.status, message.error = "failed", f"{type(error).__name__}: {error}"[:500]
            else:
                message.status, message.sent_at, message.error = "sent", utcnow(), ""
                sent += 1
    return sent


@dataclass(frozen=True)
class Reminded:
    """What a round of reminders did: who was written to, how many went out by mail."""

    recipients: tuple[str, ...]  # display names
    sent: int

    @property
    def kept(self) -> int:
        return len(self.recipients) - self.sent


def send_reminders(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    mailer: Mailer | None,
    base_url: str,
    today: date,
) -> Reminded:
    """The chair reminds every evaluator who has not submitted all their sheets.

    ServiceError unless scoring is open, or when nobody has anything left to submit.
    """
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.OPEN],
        refusal=Text(
            zh="只有在评分开放期间才能发送提醒。", en="Reminders are sent while scoring is open."
        ),
    ) as change:
        tender = change.tender
        users = {a.user_id: a.user for a in tender.assignments}
        waiting = [m for m in missing_by_evaluator(session, tender) if not m.done]
        if not waiting:
            raise ServiceError(
                Text(
                    zh="每位评委都已提交全部评分表,无需提醒。",
                    en="Every evaluator has submitted every sheet: there is nobody to remind.",
                )
            )
        messages = [
            _message(tender, users[m.user_id], m, MANUAL, base_url=base_url, today=today)
            for m in waiting
        ]
        session.add_all(messages)
        session.flush()
        ids = [m.id for m in messages]
        change.audit(
            "reminder.send",
            recipients=[m.evaluator for m in waiting],
            due=tender.due_on.isoformat() if tender.due_on else None,
        )
    sent = deliver(session, ids, mailer)
    return Reminded(tuple(m.evaluator for m in waiting), sent)


def send_due_reminders(
    session: Session, *, mailer: Mailer | None, base_url: str, today: date
) -> int:
    """The automatic reminders of `today`: for every open tender due tomorrow or today, a
    message to each evaluator with sheets left — once (a reminder already recorded, by this
    run or another worker's, is not sent again). Returns the number of messages recorded."""
    due = session.scalars(
        select(Tender.id).where(
            Tender.state == TenderState.OPEN,
            Tender.due_on.in_([today, today + timedelta(days=1)]),
        )
    ).all()
    recorded: list[int] = []
    for tender_id in due:
        try:
            recorded += _due_reminders_of(session, tender_id, base_url=base_url, today=today)
        except IntegrityError:  # another worker recorded them first
            session.rollback()
    deliver(session, recorded, mailer)
    return len(recorded)


def _due_reminders_of(session: Session, tender_id: int, *, base_url: str, today: date) -> list[int]:
    with write_transaction(session):
        tender = session.get(Tender, tender_id)
        if tender is None or tender.state != TenderState.OPEN or tender.due_on is None:
            return []
        kind = DUE_DAY if tender.due_on == today else DAY_BEFORE
        users = {a.user_id: a.user for a in tender.assignments}
        keys = {
            m.user_id: f"{tender.id}:{m.user_id}:{kind}:{tender.due_on.isoformat()}"
            for m in missing_by_evaluator(session, tender)
            if not m.done
        }
        known = set(
            session.scalars(select(MailMessage.dedup_key).where(MailMessage.dedup_key.in_(
                list(keys.values()))))
        )
        waiting = [
            m for m in missing_by_evaluator(session, tender)
            if not m.done and keys[m.user_id] not in known
        ]
        if not waiting:
            return []
        messages = [
            _message(
                tender, users[m.user_id], m, kind,
                base_url=base_url, today=today, dedup_key=keys[m.user_id],
            )
            for m in waiting
        ]
        session.add_all(messages)
        session.flush()
        audit(
            session,
            "reminder.auto",
            tender=tender,
            recipients=[m.evaluator for m in waiting],
            due=tender.due_on.isoformat(),
        )
        return [m.id for m in messages]


# --- the outbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxLine:
    """One message as the chair's outbox page shows it."""

    created_at: datetime
    recipient: str  # display name ("" once the account is gone)
    to_address: str
    kind: str
    status: str  # outbox | sent | failed
    error: str
    subject: str
    body: str


def outbox(session: Session, tender_id: int, user: User) -> tuple[Tender, list[OutboxLine]]:
    """Every message of the tender, newest first; the tender's chair only."""
    tender = chaired_tender(session, tender_id, user)
    rows = session.scalars(
        select(MailMessage)
        .where(MailMessage.tender_id == tender.id)
        .order_by(MailMessage.created_at.desc(), MailMessage.id.desc())
    )
    return tender, [
        OutboxLine(
            m.created_at,
            m.recipient.display_name if m.recipient else "",
            m.to_address,
            m.kind,
            m.status,
            m.error,
            m.subject,
            m.body,
        )
        for m in rows
    ]
