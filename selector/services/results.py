"""From stored rows to the scoring core's input and result: what every page, report and
export reads. The same data give the same numbers as `selector score` on the same files.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from selector.runtime import cyclic_gc_paused
from selector.scoring import engine
from selector.scoring.checks import DecisionChecks, Flag, decision_checks, flag_id
from selector.scoring.model import (
    Bid,
    Consensus,
    EvaluationInput,
    Result,
    ScoringError,
    Template,
    Text,
)
from selector.scoring.model import Entry as ScoreEntry
from selector.scoring.serialize import fingerprint
from selector.services import NotFound
from selector.services.access import SEALED, prices_opened
from selector.services.documents import report_documents
from selector.services.signers import report_facts
from selector.services.templates import template_of
from selector.store.audit import chain_head
from selector.store.models import (
    Assignment,
    AuditEvent,
    ConflictDeclaration,
    Entry,
    ExchangeRate,
    FlagReview,
    ScoreSheet,
    SheetState,
    Tender,
    TenderCriterion,
    User,
    Vendor,
)
from selector.store.models import Bid as BidRow
from selector.store.models import Consensus as ConsensusRow


def _tender(session: Session, tender_id: int) -> Tender:
    tender = session.get(Tender, tender_id)
    if tender is None:
        raise NotFound(
            Text(zh=f"没有编号为 {tender_id} 的项目", en=f"no tender with id {tender_id}")
        )
    return tender


def evaluation_input_for(session: Session, tender_id: int) -> EvaluationInput:
    """The scoring input of a tender: its template snapshot, vendors, the entries of
    *submitted* sheets (drafts never count), bids, consensus values, method, rates and
    thresholds. Evaluators are named by username. Raises NotFound for an unknown id, and
    ScoringError while the price envelope is sealed: no score uses a sealed bid.

    One query per table, as plain columns (no ORM objects), whatever the tender's size; the
    cyclic garbage collector is paused while the rows are read, as they all stay alive (it
    would walk them again and again: 3/4 of the time at 12,750 entries).
    """
    tender = _tender(session, tender_id)
    if not prices_opened(tender):
        raise ScoringError(SEALED)
    template = template_of(tender)
    with cyclic_gc_paused():
        return _input_of(session, tender, template)


def _input_of(session: Session, tender: Tender, template: Template) -> EvaluationInput:
    scale = {c.id for c in template.criteria() if c.kind == "scale"}
    on_committee = (Assignment.tender_id == ScoreSheet.tender_id) & (
        Assignment.user_id == ScoreSheet.evaluator_id
    )
    rows = session.execute(
        select(
            ScoreSheet.evaluator_id, User.username, Vendor.name, TenderCriterion.key,
            Entry.value, Entry.comment,
        )
        .select_from(Entry)
        .join(ScoreSheet, Entry.sheet_id == ScoreSheet.id)
        .join(Vendor, ScoreSheet.vendor_id == Vendor.id)
        .join(TenderCriterion, Entry.criterion_id == TenderCriterion.id)
        .outerjoin(Assignment, on_committee)
        .outerjoin(User, User.id == Assignment.user_id)
        .where(ScoreSheet.tender_id == tender.id, ScoreSheet.state == SheetState.SUBMITTED)
        .order_by(ScoreSheet.id, Entry.id)
    ).all()
    entries = tuple(
        ScoreEntry(
            username or f"user{evaluator_id}",
            vendor_name,
            key,
            Decimal(value) if key in scale else value,
            comment or "",
        )
        for evaluator_id, username, vendor_name, key, value, comment in rows
        if value != ""
    )
    in_order = (Vendor.position, Vendor.id)
    of_tender = Vendor.tender_id == tender.id
    vendors = tuple(session.scalars(select(Vendor.name).where(of_tender).order_by(*in_order)))
    bids = tuple(
        Bid(vendor_name, key, Decimal(amount), currency)
        for vendor_name, key, amount, currency in session.execute(
            select(Vendor.name, TenderCriterion.key, BidRow.amount, BidRow.currency)
            .select_from(BidRow)
            .join(Vendor, BidRow.vendor_id == Vendor.id)
            .join(TenderCriterion, BidRow.criterion_id == TenderCriterion.id)
            .where(of_tender)
            .order_by(*in_order, TenderCriterion.position)
        )
    )
    consensus = tuple(
        Consensus(vendor_name, key, Decimal(value) if key in scale else value, reason)
        for vendor_name, key, value, reason in session.execute(
            select(Vendor.name, TenderCriterion.key, ConsensusRow.value, ConsensusRow.reason)
            .select_from(ConsensusRow)
            .join(Vendor, ConsensusRow.vendor_id == Vendor.id)
            .join(TenderCriterion, ConsensusRow.criterion_id == TenderCriterion.id)
            .where(ConsensusRow.tender_id == tender.id)
            .order_by(ConsensusRow.id)
        )
    )
    rates = session.execute(
        select(ExchangeRate.currency, ExchangeRate.rate).where(ExchangeRate.tender_id == tender.id)
    )
    return EvaluationInput(
        template=template,
        vendors=vendors,
        entries=entries,
        bids=bids,
        consensus=consensus,
        method=tender.method,  # type: ignore[arg-type]
        base_currency=tender.base_currency,
        rates={currency: Decimal(rate) for currency, rate in rates},
        divergence_threshold=float(tender.divergence_threshold),
        low_bid_threshold=float(tender.low_bid_threshold),
    )


@dataclass
class Scored:
    """A tender's result with its decision checks, kept while its input stays the same;
    `memo` keeps what a page derives from it (the same for every request of that input)."""

    key: str
    fingerprint: str  # `serialize.fingerprint(result.input)`, as the pages print it
    result: Result
    checks: DecisionChecks | None = None
    derived: dict[str, Any] = field(default_factory=dict)

    def memo(self, name: str, build: Callable[[Result], Any]) -> Any:
        """`build(result)`, computed once per kept result."""
        if name not in self.derived:
            self.derived[name] = build(self.result)
        return self.derived[name]


class _ResultCache:
    """The last results computed in this process, by `input_key`: one LRU per database
    (so that two databases — two apps in one process, tests — never share results)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._by_database: weakref.WeakKeyDictionary[Any, OrderedDict[str, Scored]] = (
            weakref.WeakKeyDictionary()
        )

    def _lru(self, session: Session) -> OrderedDict[str, Scored]:
        bind = session.get_bind()
        engine_of_bind = getattr(bind, "engine", bind)
        with self._lock:
            return self._by_database.setdefault(engine_of_bind, OrderedDict())

    def get(self, session: Session, key: str) -> Scored | None:
        lru = self._lru(session)
        with self._lock:
            found = lru.get(key)
            if found is not None:
                lru.move_to_end(key)
            return found

    def put(self, session: Session, scored: Scored) -> Scored:
        lru = self._lru(session)
        with self._lock:
            lru[scored.key] = scored
            lru.move_to_end(scored.key)
            while len(lru) > self.size:
                lru.popitem(last=False)
        return scored

    def holding(self, result: Result) -> Scored | None:
        with self._lock:
            for lru in list(self._by_database.values()):
                for scored in lru.values():
                    if scored.result is result:
                        return scored
        return None


RESULTS = _ResultCache()


def input_key(
    inp: EvaluationInput, template_yaml: str, input_fingerprint: str | None = None
) -> str:
    """What a result is cached under: the input's fingerprint (every value the scoring reads)
    and what the fingerprint leaves out but the result carries or the pages show — the
    vendors' order, the thresholds of the flags, the comments, the template's own text.
    Any change of the input changes the key."""
    digest = hashlib.sha256((input_fingerprint or fingerprint(inp)).encode())
    comments = sorted(
        (e.evaluator, e.vendor, e.criterion, e.comment) for e in inp.entries if e.comment
    )
    digest.update(
        json.dumps(
            [
                inp.vendors,
                [inp.divergence_threshold, inp.low_bid_threshold],
                comments,
                [b.vendor + "\x1f" + b.component for b in inp.bids],
                hashlib.sha256(template_yaml.encode()).hexdigest(),
            ],
            ensure_ascii=False,
        ).encode()
    )
    return digest.hexdigest()


def scored(session: Session, tender_id: int) -> Scored:
    """The tender's result, computed once per change of its input: the input is read from the
    database (a constant number of queries), and the result of the same input is reused
    (`input_key`). Raises NotFound, or ScoringError while the data cannot be scored yet."""
    inp = evaluation_input_for(session, tender_id)
    printed = fingerprint(inp)
    key = input_key(inp, _tender(session, tender_id).template_yaml, printed)
    found = RESULTS.get(session, key)
    if found is not None:
        return found
    with cyclic_gc_paused():  # the result's objects all stay alive (see the input's note)
        result = engine.evaluate(inp)
    return RESULTS.put(session, Scored(key, printed, result))


def checks_for(result: Result) -> DecisionChecks:
    """`decision_checks(result)`, computed once for a result that `scored` keeps."""
    kept = RESULTS.holding(result)
    if kept is None:
        return decision_checks(result)
    if kept.checks is None:
        with cyclic_gc_paused():
            kept.checks = decision_checks(result)
    return kept.checks


def result_for(session: Session, tender_id: int) -> Result:
    """The scored result of a tender (its decision checks, where a page shows them, are
    `checks_for(result)`), reused while its input does not change (`scored`).

    Raises ScoringError when the data cannot be scored yet (a cell nobody scored, a missing
    bid): its `problems` say what to add.
    """
    return scored(session, tender_id).result


def try_scored(session: Session, tender_id: int) -> tuple[Scored | None, list[Text]]:
    """`scored`, or None and the problems (in both languages) that stop it being computed."""
    try:
        return scored(session, tender_id), []
    except ScoringError as error:
        return None, list(error.texts)


def try_result(session: Session, tender_id: int) -> tuple[Result | None, list[Text]]:
    """The result, or None and the problems (in both languages) that stop it being computed."""
    try:
        return result_for(session, tender_id), []
    except ScoringError as error:
        return None, list(error.texts)


@dataclass(frozen=True)
class ReviewNote:
    """A chair's review note on a flag: what it says, who wrote it and when."""

    flag_id: str
    note: str
    author: str  # display name ("" when the account is gone)
    created_at: datetime | None


def reviews_by_flag(session: Session, tender_id: int) -> dict[str, list[ReviewNote]]:
    """The tender's review notes by flag id, oldest first."""
    reviews: dict[str, list[ReviewNote]] = {}
    for review in session.scalars(
        select(FlagReview).where(FlagReview.tender_id == tender_id).order_by(FlagReview.id)
    ):
        reviews.setdefault(review.flag_id, []).append(
            ReviewNote(
                review.flag_id,
                review.note,
                review.author.display_name if review.author else "",
                review.created_at,
            )
        )
    return reviews


def evaluator_names(session: Session, tender_id: int) -> dict[str, str]:
    """The tender's committee: evaluator id (login) -> display name, the plain facts the
    flags' sentences and the leave-one-out lines name people by."""
    rows = session.execute(
        select(User.username, User.display_name)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.tender_id == tender_id)
    )
    return {username: display or username for username, display in rows}


def criterion_note_id(criterion: str) -> str:
    """The id a note on a criterion's non-decisive divergence is kept under (no flag has it:
    a divergence flag always names its vendor)."""
    return flag_id("divergence", None, criterion, None)


def notes_covering(flag: Flag) -> tuple[str, ...]:
    """The ids whose notes answer `flag`: its own, and for non-decisive divergence also its
    criterion's (docs/contract.md §11: decisive divergence, outliers, fragile results and
    low bids need a note of their own; non-decisive divergence one note per criterion)."""
    if flag.kind == "divergence" and not flag.decisive and flag.criterion is not None:
        return (flag.id, criterion_note_id(flag.criterion))
    return (flag.id,)


def open_flags(session: Session, tender_id: int, flags: Iterable[Flag]) -> list[Flag]:
    """The flags (of the tender's current result) that have no review note yet."""
    reviewed = set(reviews_by_flag(session, tender_id))
    return [flag for flag in flags if not any(i in reviewed for i in notes_covering(flag))]


@dataclass(frozen=True)
class PriceChange:
    """A bid or rate changed after the price envelope was opened: the record says who, when,
    what it was, what it became and why (`setup.set_bid` / `set_rate` with a reason)."""

    at: datetime
    by: str  # display name ("" when the account is gone)
    kind: str  # "bid" or "rate"
    vendor: str  # "" for a rate
    component: str  # the price criterion's key ("" for a rate)
    currency: str  # the bid's currency after the change, or the rate's currency
    before: Decimal | None
    before_currency: str
    after: Decimal
    reason: str


def _amount_and_currency(text: Any) -> tuple[Decimal | None, str]:
    """"650000.0000 CNY" (how a bid's former value is recorded) as (amount, currency)."""
    parts = str(text or "").split()
    try:
        return Decimal(parts[0]), parts[1] if len(parts) > 1 else ""
    except (IndexError, ArithmeticError):
        return None, ""


def price_changes(session: Session, tender_id: int) -> list[PriceChange]:
    """The changes of opened bids and rates, oldest first, from the audit record."""
    changes = []
    for event in session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.tender_id == tender_id,
            AuditEvent.action.in_(("bid.change", "rate.change")),
        )
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.seq)
    ):
        detail = event.detail or {}
        by = event.actor.display_name if event.actor is not None else ""
        if event.action == "bid.change":
            before, before_currency = _amount_and_currency(detail.get("before"))
            changes.append(
                PriceChange(
                    event.created_at,
                    by,
                    "bid",
                    str(detail.get("vendor", "")),
                    str(detail.get("component", "")),
                    str(detail.get("currency", "")),
                    before,
                    before_currency,
                    Decimal(str(detail.get("amount"))),
                    str(detail.get("reason", "")),
                )
            )
        else:
            before_rate = detail.get("before")
            currency = str(detail.get("currency", ""))
            changes.append(
                PriceChange(
                    event.created_at,
                    by,
                    "rate",
                    "",
                    "",
                    currency,
                    Decimal(str(before_rate)) if before_rate is not None else None,
                    currency,
                    Decimal(str(detail.get("rate"))),
                    str(detail.get("reason", "")),
                )
            )
    return changes


def report_context_extras(session: Session, tender_id: int) -> dict[str, Any]:
    """What the PDF's cover and sign-off page need beyond the result, as plain data.

    Keys: tender_id, tender_name, organisation, state, template, base_currency, method,
    chair {name, username}, opened_at / closed_at / finalised_at (datetimes or None),
    committee: one dict per evaluator {name, username, role, submitted_at (latest
    submission or None), sheets_submitted, sheets_expected, declared_at, conflicts (vendor
    names), statement}, flag_reviews {flag id: [{note, author, created_at}]}, documents
    (the bid documents: vendor, name, envelope, kind, size, sha256, uploaded_at in UTC),
    and signoff (`selector.services.signers.report_facts`: each member's and the chair's
    sign-off), prices_opened_at (when the chair opened the price envelope) and
    price_changes: one dict per change of an opened bid or rate {at, by, kind, vendor,
    component, currency, before, before_currency, after, reason} (`price_changes`).
    """
    tender = _tender(session, tender_id)
    declarations = {
        d.user_id: d
        for d in session.scalars(
            select(ConflictDeclaration).where(ConflictDeclaration.tender_id == tender.id)
        )
    }
    sheets = session.scalars(select(ScoreSheet).where(ScoreSheet.tender_id == tender.id)).all()
    committee = []
    for assignment in tender.assignments:
        own = [s for s in sheets if s.evaluator_id == assignment.user_id]
        declaration = declarations.get(assignment.user_id)
        conflicted = {v.id for v in declaration.vendors} if declaration else set()
        submitted = [s.submitted_at for s in own if s.state == SheetState.SUBMITTED]
        committee.append(
            {
                "name": assignment.user.display_name,
                "username": assignment.user.username,
                "role": "evaluator",
                "submitted_at": max(submitted) if submitted else None,
                "sheets_submitted": len(submitted),
                "sheets_expected": len([v for v in tender.vendors if v.id not in conflicted]),
                "declared_at": declaration.declared_at if declaration else None,
                "conflicts": [v.name for v in declaration.vendors] if declaration else [],
                "statement": declaration.statement if declaration else "",
            }
        )
    return {
        "tender_id": tender.id,
        "tender_name": tender.name,
        "organisation": tender.organisation,
        "state": tender.state,
        "template": tender.template_key,
        "base_currency": tender.base_currency,
        "method": tender.method,
        "chair": {"name": tender.chair.display_name, "username": tender.chair.username},
        "opened_at": tender.opened_at,
        "closed_at": tender.closed_at,
        "finalised_at": tender.finalised_at,
        "prices_opened_at": tender.prices_opened_at,
        "price_changes": [vars(change) for change in price_changes(session, tender.id)],
        "committee": committee,
        "audit_head": dict(zip(("seq", "hash"), chain_head(session), strict=True)),
        "documents": report_documents(session, tender.id),
        # part of the report's cache key: a sign-off gives another report
        "signoff": report_facts(session, tender),
        "flag_reviews": {
            flag: [
                {"note": r.note, "author": r.author, "created_at": r.created_at} for r in reviews
            ]
            for flag, reviews in reviews_by_flag(session, tender.id).items()
        },
    }
