"""Checking the record: the audit chain is unbroken and the database says what it says.

`verify` walks the whole chain in order (`selector.store.audit`): every event must carry the
next sequence number, link to the previous event's hash and hash to its own content; the
first event that does not is named. It then replays each tender's events — the
``changes`` each unit of work recorded — and compares the last audited value of every
entry, bid, rate, consensus value and the tender's state with what the database holds now,
naming each value changed outside the application.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.scoring.model import Text
from selector.scoring.words import PERSON_AND_LOGIN
from selector.services.history import display_names, people_named, who
from selector.store.audit import chain_head, chain_revision, link_hash, tender_values, utc_text
from selector.store.models import AuditEvent, Tender, Vendor


@dataclass(frozen=True)
class Verification:
    """What `verify` found: the problems (empty when intact) and the chain it checked."""

    problems: list[Text]
    events: int
    head: str

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(session: Session, tender_id: int | None = None) -> Verification:
    """Check the chain, then replay the events of one tender (or of every tender)."""
    problems, count = _check_chain(session)
    seq, head = chain_head(session)
    if not problems and (seq, head) != (count, _last_hash(session)):
        problems.append(
            Text(
                zh=f"链头(第 {seq} 条)与最后一条事件(第 {count} 条)不符:末尾的事件被删除或改动",
                en=f"The chain head (event #{seq}) does not match the last event (#{count}): "
                "events at the end were deleted or changed",
            )
        )
    if tender_id is not None:
        tender_ids = [tender_id]
        if session.get(Tender, tender_id) is None:
            problems.append(
                Text(zh=f"项目 {tender_id} 不存在", en=f"tender {tender_id}: no such tender")
            )
    else:
        tender_ids = list(session.scalars(select(Tender.id).order_by(Tender.id)))
    for tid in tender_ids:
        problems.extend(_replay(session, tid))
    return Verification(problems, count, head)


def head(session: Session) -> tuple[int, str]:
    """The chain's length and last hash (shown on the results page and the PDF)."""
    return chain_head(session)


def revision(session: Session) -> tuple[int, str]:
    """The revision of everything stored: the chain's head, which every change of stored data
    moves (each unit of work appends its event in its own transaction). One small query on a
    connection of its own (the head as committed, whatever the session has read): what the
    page cache (`selector.web.pagecache`) keys pages on. Read it before the data it keys."""
    return chain_revision(session.get_bind().engine)


def _events(session: Session, **where: Any) -> Iterator[AuditEvent]:
    query = select(AuditEvent).filter_by(**where).order_by(AuditEvent.seq)
    yield from session.scalars(query.execution_options(yield_per=500))


def _last_hash(session: Session) -> str:
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
    return last or ""


def _check_chain(session: Session) -> tuple[list[Text], int]:
    """One problem naming the first broken event, or none; and the number of events."""
    prev, expected, count = "", 1, 0
    for event_row in _events(session):
        count += 1
        if event_row.seq != expected:
            return [
                Text(
                    zh=f"审计链在第 {expected} 条断开:下一条是第 {event_row.seq} 条"
                    "(事件被删除或重排)",
                    en=f"The audit chain breaks at event #{expected}: the next is "
                    f"#{event_row.seq} (an event was deleted or reordered)",
                )
            ], count
        if event_row.prev_hash != prev:
            name = _event_name(event_row)
            return [
                Text(
                    zh=f"审计链在事件 {name.zh} 断开:它没有接在上一条事件之后"
                    "(事件被删除、插入或重排)",
                    en=f"The audit chain breaks at event {name.en}: it does not follow the "
                    "previous event (an event was deleted, inserted or reordered)",
                )
            ], count
        if link_hash(event_row, prev) != event_row.hash:
            name = _event_name(event_row)
            return [
                Text(
                    zh=f"审计链在事件 {name.zh} 断开:其内容与其哈希不符(事件被改动)",
                    en=f"The audit chain breaks at event {name.en}: its content does not match "
                    "its hash (the event was edited)",
                )
            ], count
        prev, expected = event_row.hash, expected + 1
    return [], count


def _event_name(event_row: AuditEvent) -> Text:
    """An event as a broken chain names it: number, action, time and who when it says
    (a person by display name and login, or the command line's user)."""
    said = f"#{event_row.seq} ({event_row.action}, {utc_text(event_row.created_at)}"
    actor, detail = event_row.actor, event_row.detail or {}
    if actor is not None:
        by = _person(actor.username, actor.display_name)
    elif "os_user" in detail:
        by = who(None, detail)
    else:
        return Text(f"{said})", f"{said})")
    return Text(f"{said}, {by.zh})", f"{said}, {by.en})")


def _person(login: str, name: str | None) -> Text:
    """A person as verify names them: display name and login (the login alone when no
    account has it)."""
    if not name or name == login:
        return Text(login, login)
    return Text(*(PERSON_AND_LOGIN.get(lang).format(name=name, login=login)
                  for lang in ("zh", "en")))


def _replay(session: Session, tender_id: int) -> list[Text]:
    """Each stored value of the tender that differs from its last audited value."""
    audited: dict[str, Any] = {}
    for event_row in _events(session, tender_id=tender_id):
        for key, (_before, after) in (event_row.detail or {}).get("changes", {}).items():
            if after is None:
                audited.pop(key, None)
            else:
                audited[key] = after
    current = tender_values(session, tender_id)
    if not current:
        return []
    rows = session.execute(select(Vendor.id, Vendor.name).where(Vendor.tender_id == tender_id))
    vendors = {vendor_id: name for vendor_id, name in rows}
    people = display_names(session, people_named(set(audited) | set(current)))
    problems = []
    for key in sorted(set(audited) | set(current)):
        now, last = current.get(key), audited.get(key)
        if now == last:
            continue
        what = _describe(key, vendors, people)
        problems.append(
            Text(
                zh=f"项目 {tender_id}:{what.zh} 在数据库中为 {_shown(now, 'zh')},"
                f"最后审计的值为 {_shown(last, 'zh')}(在应用之外被改动)",
                en=f"tender {tender_id}: {what.en} is {_shown(now, 'en')} in the database, "
                f"last audited {_shown(last, 'en')} (changed outside the application)",
            )
        )
    return problems


def _describe(key: str, vendors: dict[int, str], people: dict[str, str]) -> Text:
    """What a key of the replay stands for: vendors by name, people by display name and
    login (the login alone when no account has it)."""
    kind, *parts = key.split(":")

    def vendor(text: str) -> str:
        return vendors.get(int(text), f"#{text}") if text.isdigit() else text

    def person(login: str) -> Text:
        return _person(login, people.get(login))

    if kind == "state":
        return Text(zh="项目状态", en="the tender's state")
    if kind == "entry":
        who = person(parts[0])
        vid, criterion = parts[1:]
        return Text(
            zh=f"评委 {who.zh} 对 {vendor(vid)} 的评分项 {criterion}",
            en=f"the entry of {who.en} for {vendor(vid)} on {criterion}",
        )
    if kind == "bid":
        vid, criterion = parts
        return Text(zh=f"{vendor(vid)} 的报价 {criterion}", en=f"{vendor(vid)}'s bid {criterion}")
    if kind == "rate":
        return Text(zh=f"汇率 {parts[0]}", en=f"the rate of {parts[0]}")
    if kind == "consensus":
        vid, criterion = parts
        return Text(
            zh=f"{vendor(vid)} 在 {criterion} 上的共识值",
            en=f"the consensus value for {vendor(vid)} on {criterion}",
        )
    if kind == "signoff":
        who = person(parts[0])
        return Text(zh=f"{who.zh} 的签字", en=f"the sign-off of {who.en}")
    return Text(zh=key, en=key)


def _shown(value: Any, lang: str) -> str:
    if value is None:
        return "(无)" if lang == "zh" else "(none)"
    if isinstance(value, list):
        if len(value) == 2 and value[1] == "":
            return repr(value[0])
        return " / ".join(repr(v) for v in value)
    return repr(value)
