"""The audit log as people read it, and the events of reading: downloads, exports, denials.

Reading the log: `tender_log` (a tender's events, for its chair and, once final, its
observers) and `system_log` (the events outside any tender — logins, failed logins, users,
refusals — for admins), one page at a time with a fixed number of queries, filtered by a
`LogQuery` (person, kind, dates); each event told by `services.history` (its sentence, its
details, its changed values before → after, people by display name); `export_lines` gives
every matching line for a CSV or xlsx export (`selector.reports.auditlog`), which
`record_export` records.

Reading changes nothing stored, but the record must still say who took which document out
and who was refused what (issue 11): each download of a report, letter or export, each
export of the log itself and each access denial is an event of the chain, written in its
own short write transaction. Events stay compact — a code, a few short values, never a
password nor a page's content — so that a flood of refusals costs the chain little (the
web layer caps the denials recorded per user; failed logins are capped by the login limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from selector.scoring import words
from selector.scoring.limits import FORBIDDEN_IN_LINE
from selector.scoring.model import Text
from selector.services import Forbidden, audit
from selector.services.access import may_see_prices, may_see_results, visible_tender
from selector.services.history import change_lines, describe, display_names, people_named, who
from selector.services.templates import template_of
from selector.store.db import write_transaction
from selector.store.models import AuditEvent, Tender, User, Vendor

#: What a download may be (`document` of a `report.download` event).
DOCUMENTS = ("report", "appendix", "letters", "letter", "workbook", "csv")
#: The longest request path a denial keeps (the rest is cut: a path is attacker-chosen).
MAX_PATH = 200


def record_download(
    session: Session,
    tender_id: int,
    *,
    actor: User | None,
    document: str,
    lang: str,
    sheet: str | None = None,
    vendor: str | None = None,
    os_user: str = "",
) -> None:
    """Record that `actor` downloaded `document` (one of `DOCUMENTS`) of the tender in
    `lang`; `sheet` names a CSV sheet, `vendor` the bidder of a single letter. With no
    `actor` the command line wrote it (`selector report` / `export`), run by the
    operating-system user `os_user` (empty when unknown): the event keeps that name.

    The caller has already checked that the actor may (`access.results_tender`); the
    command line is the operator's, who may read everything stored.
    """
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r}")
    detail: dict[str, str] = {"document": document, "lang": lang}
    if actor is None:
        detail["os_user"] = os_user
    if sheet:
        detail["sheet"] = sheet
    if vendor:
        detail["vendor"] = vendor
    with write_transaction(session):
        audit(session, "report.download", actor=actor, tender_id=tender_id, **detail)


def record_denial(
    session: Session, *, actor: User, status: int, path: str, tender_id: int | None
) -> None:
    """Record that `actor` was refused `path` (403, or a 404 hiding a tender from them).

    `tender_id` is kept only when that tender exists, so the denial shows in its log; the
    refused person never reads the log, so keeping it tells them nothing. The path is cut
    to `MAX_PATH` characters, control characters replaced.
    """
    known = tender_id is not None and session.get(Tender, tender_id) is not None
    shown = FORBIDDEN_IN_LINE.sub("?", path[:MAX_PATH])
    with write_transaction(session):
        audit(
            session,
            "access.denied",
            actor=session.get(User, actor.id),
            tender_id=tender_id if known else None,
            status=status,
            path=shown,
        )


# --- the log as people read it -----------------------------------------------------------

#: The actions of each kind of the log's filter (`words.AUDIT_KINDS` names them); an entry
#: ending in "." stands for every action it begins (`bid.` : bid.set, bid.remove, ...).
KIND_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "scoring": ("conflict.", "sheet.", "sheets."),
    "bids": ("bid.", "bids.", "rate.", "prices."),
    "setup": ("tender.create", "tender.settings", "tender.template", "vendor.", "assignment."),
    "decisions": ("consensus.", "flag."),
    "state": ("tender.open", "tender.close", "tender.finalise", "tender.reopen",
              "tender.delete", "tender.change", "audit.baseline"),
    "documents": ("document.",),
    "signoff": ("signoff.", "reauth."),
    "downloads": ("report.download", "log.export"),
    "access": ("login", "login.", "logout", "access."),
    "users": ("user.",),
}
#: Events on one page of the log.
PAGE_SIZE = 50


@dataclass(frozen=True)
class LogQuery:
    """The log's filters, already read by the web's form: who (a user id), which kind (a key
    of `KIND_ACTIONS`), from and before when (UTC datetimes), which page (from 1)."""

    person: int | None = None
    kind: str | None = None
    since: datetime | None = None
    before: datetime | None = None
    page: int = 1

    def facts(self) -> dict[str, Any]:
        """The filters as an export event keeps them (compact, no empty ones)."""
        found: dict[str, Any] = {"person": self.person, "kind": self.kind,
                                 "since": self.since and self.since.isoformat(),
                                 "before": self.before and self.before.isoformat()}
        return {key: value for key, value in found.items() if value}


@dataclass(frozen=True)
class LogLine:
    """One event as the log shows it: sentences in both languages, people by name."""

    seq: int
    at: datetime
    person: Text
    kind: Text
    sentence: Text
    details: tuple[Text, ...]
    remote_addr: str


@dataclass(frozen=True)
class LogPage:
    """One page of a log: its lines (newest first), how many match, the page and the pages."""

    lines: tuple[LogLine, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class LogChoices:
    """What the log's filters offer: the people in this log (by display name), the kinds."""

    people: tuple[tuple[int, str], ...]
    kinds: tuple[tuple[str, Text], ...]


@dataclass(frozen=True)
class _Scope:
    """Which events a log holds: one tender's (with its template and vendors), or the
    system's (no tender); and whether entry values may be shown."""

    where: Any
    tender: Tender | None
    reveal_entries: bool
    reveal_prices: bool = False  # bid amounts and rates (`access.may_see_prices`)


def log_tender(session: Session, tender_id: int, viewer: User) -> Tender:
    """The tender whose log `viewer` may read: its chair, or an observer once it is final.
    NotFound when they may not know it; Forbidden for its evaluators and admins."""
    tender = visible_tender(session, tender_id, viewer)
    if tender.chair_id == viewer.id or viewer.role == "observer":
        return tender
    raise Forbidden(
        Text(
            zh="只有本项目的评审主任和观察员可以查看审计日志。",
            en="Only the chair and the observers of this tender read its audit log.",
        )
    )


def _tender_scope(session: Session, tender_id: int, viewer: User) -> _Scope:
    tender = log_tender(session, tender_id, viewer)
    return _Scope(AuditEvent.tender_id == tender.id, tender, may_see_results(tender, viewer),
                  may_see_prices(session, tender, viewer))


def _system_scope(viewer: User) -> _Scope:
    if viewer.role != "admin":
        raise Forbidden(
            Text(zh="只有管理员可以查看登录与用户日志。",
                 en="Only administrators read the log of logins and users.")
        )
    return _Scope(AuditEvent.tender_id.is_(None), None, False)


def tender_log(session: Session, tender_id: int, viewer: User, query: LogQuery) -> LogPage:
    """One page of a tender's log for its chair or an observer (see `log_tender`)."""
    return _page(session, _tender_scope(session, tender_id, viewer), query)


def system_log(session: Session, viewer: User, query: LogQuery) -> LogPage:
    """One page of the events outside any tender (logins, failed logins, users, refusals
    of pages that are no tender's) for an administrator; Forbidden for anyone else."""
    return _page(session, _system_scope(viewer), query)


def log_choices(session: Session, viewer: User, tender_id: int | None = None) -> LogChoices:
    """The filters' choices of a tender's log (or, with no `tender_id`, the system's), for
    whoever may read it (one query)."""
    scope = (_tender_scope(session, tender_id, viewer) if tender_id is not None
             else _system_scope(viewer))
    actors = select(AuditEvent.actor_id).where(scope.where, AuditEvent.actor_id.is_not(None))
    people = tuple(
        (user_id, name or "")
        for user_id, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(actors.distinct()))
            .order_by(User.display_name, User.id))
    )
    return LogChoices(people, tuple((key, words.AUDIT_KINDS[key]) for key in KIND_ACTIONS))


def export_lines(
    session: Session, viewer: User, query: LogQuery, tender_id: int | None = None
) -> tuple[str, tuple[LogLine, ...]]:
    """Every line that matches `query` (all pages) of a tender's log, or with no
    `tender_id` of the system's, for an export; and the log's name (the tender's)."""
    scope = (_tender_scope(session, tender_id, viewer) if tender_id is not None
             else _system_scope(viewer))
    events = list(session.scalars(
        _filtered(scope, query).order_by(AuditEvent.seq.desc())
        .options(selectinload(AuditEvent.actor))))
    name = scope.tender.name if scope.tender is not None else ""
    return name, _lines(session, scope, events)


def record_export(
    session: Session, viewer: User, query: LogQuery, fmt: str, tender_id: int | None = None
) -> None:
    """Record that `viewer` exported a log as `fmt` ("csv" or "xlsx") with these filters."""
    with write_transaction(session):
        audit(session, "log.export", actor=session.get(User, viewer.id), tender_id=tender_id,
              format=fmt, filters=query.facts())


def _filtered(scope: _Scope, query: LogQuery) -> Any:
    statement = select(AuditEvent).where(scope.where)
    if query.person is not None:
        statement = statement.where(AuditEvent.actor_id == query.person)
    if query.kind:
        statement = statement.where(_kind_clause(query.kind))
    if query.since is not None:
        statement = statement.where(AuditEvent.created_at >= _utc(query.since))
    if query.before is not None:
        statement = statement.where(AuditEvent.created_at < _utc(query.before))
    return statement


def _utc(moment: datetime) -> datetime:
    # SQLite keeps the stored UTC times without a zone, and compares them as text.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _kind_clause(kind: str) -> Any:
    actions = KIND_ACTIONS.get(kind, ())
    exact = [a for a in actions if not a.endswith(".")]
    clauses = [AuditEvent.action.like(f"{a}%") for a in actions if a.endswith(".")]
    if exact:
        clauses.append(AuditEvent.action.in_(exact))
    return or_(*clauses) if clauses else false()


def kind_of(action: str) -> str | None:
    """The log kind an action belongs to (None: none of them)."""
    for kind, actions in KIND_ACTIONS.items():
        if any(action.startswith(a) if a.endswith(".") else action == a for a in actions):
            return kind
    return None


def _page(session: Session, scope: _Scope, query: LogQuery) -> LogPage:
    """A constant number of queries whatever the log's size: the count, the page's events
    with their actors, the names and the vendors they mention."""
    filtered = _filtered(scope, query)
    total = session.scalar(select(func.count()).select_from(filtered.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, query.page), pages)
    events = list(session.scalars(
        filtered.order_by(AuditEvent.seq.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        .options(selectinload(AuditEvent.actor))))
    return LogPage(_lines(session, scope, events), total, page, pages)


_PERSON_KEYS = ("user", "username", "evaluator", "member")


def _lines(session: Session, scope: _Scope, events: list[AuditEvent]) -> tuple[LogLine, ...]:
    logins: set[str] = set()
    for event in events:
        detail = event.detail or {}
        logins |= {str(detail[k]) for k in _PERSON_KEYS if isinstance(detail.get(k), str)}
        logins |= people_named(detail.get("changes") or {})
    names = display_names(session, logins)
    tender = scope.tender
    template = template_of(tender) if tender is not None else None
    vendors: dict[int, str] = {
        vendor_id: name for vendor_id, name in session.execute(
            select(Vendor.id, Vendor.name).where(Vendor.tender_id == tender.id))
    } if tender is not None else {}
    lines = []
    for event in events:
        actor = event.actor.display_name if event.actor is not None else None
        detail = event.detail or {}
        sentence, details = describe(event.action, detail, actor, template, names,
                                     prices=scope.reveal_prices)
        changed = change_lines(event.action, detail.get("changes") or {}, template, names,
                               vendors, reveal_entries=scope.reveal_entries,
                               reveal_prices=scope.reveal_prices)
        kind = kind_of(event.action)
        lines.append(LogLine(
            seq=event.seq,
            at=event.created_at,
            person=who(actor, detail),
            kind=words.AUDIT_KINDS[kind] if kind else Text("", ""),
            sentence=sentence,
            details=(*details, *changed),
            remote_addr=event.remote_addr or "",
        ))
    return tuple(lines)
