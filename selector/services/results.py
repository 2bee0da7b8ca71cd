"""From stored rows to the scoring core's input and result: what every page, report and
export reads. The same data give the same numbers as `selector score` on the same files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from selector.scoring import engine
from selector.scoring.checks import Flag, flag_id
from selector.scoring.model import Bid, Consensus, EvaluationInput, Result, ScoringError, Text
from selector.scoring.model import Entry as ScoreEntry
from selector.services import NotFound
from selector.services.documents import report_documents
from selector.services.signers import report_facts
from selector.services.templates import template_of
from selector.store.audit import chain_head
from selector.store.models import (
    Assignment,
    ConflictDeclaration,
    Entry,
    FlagReview,
    ScoreSheet,
    SheetState,
    Tender,
    User,
    Vendor,
)


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
    thresholds. Evaluators are named by username. Raises NotFound for an unknown id.
    """
    tender = _tender(session, tender_id)
    template = template_of(tender)
    rows = session.execute(
        select(ScoreSheet.evaluator_id, Vendor.name, Entry)
        .join(ScoreSheet, Entry.sheet_id == ScoreSheet.id)
        .join(Vendor, ScoreSheet.vendor_id == Vendor.id)
        .where(ScoreSheet.tender_id == tender.id, ScoreSheet.state == SheetState.SUBMITTED)
        .options(selectinload(Entry.criterion))
        .order_by(ScoreSheet.id, Entry.id)
    ).all()
    usernames = {a.user_id: a.user.username for a in tender.assignments}
    criteria = {c.id: c for c in template.criteria()}
    entries = []
    for evaluator_id, vendor_name, entry in rows:
        if entry.value == "":
            continue
        criterion = criteria.get(entry.criterion.key)
        value: str | Decimal = entry.value
        if criterion is not None and criterion.kind == "scale":
            value = Decimal(entry.value)
        entries.append(
            ScoreEntry(
                usernames.get(evaluator_id, f"user{evaluator_id}"),
                vendor_name,
                entry.criterion.key,
                value,
                entry.comment or "",
            )
        )
    bids = tuple(
        Bid(vendor.name, bid.criterion.key, Decimal(bid.amount), bid.currency)
        for vendor in tender.vendors
        for bid in sorted(vendor.bids, key=lambda b: b.criterion.position)
    )
    consensus = tuple(
        Consensus(
            c.vendor.name,
            c.criterion.key,
            Decimal(c.value) if criteria[c.criterion.key].kind == "scale" else c.value,
            c.reason,
        )
        for c in tender.consensus
    )
    return EvaluationInput(
        template=template,
        vendors=tuple(v.name for v in tender.vendors),
        entries=tuple(entries),
        bids=bids,
        consensus=consensus,
        method=tender.method,  # type: ignore[arg-type]
        base_currency=tender.base_currency,
        rates={r.currency: Decimal(r.rate) for r in tender.rates},
        divergence_threshold=float(tender.divergence_threshold),
        low_bid_threshold=float(tender.low_bid_threshold),
    )


def result_for(session: Session, tender_id: int) -> Result:
    """The scored result of a tender (its decision checks, where a page shows them, are
    `selector.scoring.checks.decision_checks(result)`).

    Raises ScoringError when the data cannot be scored yet (a cell nobody scored, a missing
    bid): its `problems` say what to add.
    """
    return engine.evaluate(evaluation_input_for(session, tender_id))


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


def report_context_extras(session: Session, tender_id: int) -> dict[str, Any]:
    """What the PDF's cover and sign-off page need beyond the result, as plain data.

    Keys: tender_id, tender_name, organisation, state, template, base_currency, method,
    chair {name, username}, opened_at / closed_at / finalised_at (datetimes or None),
    committee: one dict per evaluator {name, username, role, submitted_at (latest
    submission or None), sheets_submitted, sheets_expected, declared_at, conflicts (vendor
    names), statement}, flag_reviews {flag id: [{note, author, created_at}]}, documents
    (the bid documents: vendor, name, envelope, kind, size, sha256, uploaded_at in UTC),
    and signoff (`selector.services.signers.report_facts`: each member's and the chair's
    sign-off).
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
