"""A tender's life cycle: open, close, finalise and reopen scoring, give a sheet back, delete
a draft; and what the chair reads about it (what stops it opening, progress, history).

State machine (anything else is refused with a message):

    draft --open--> open --close--> closed --finalise--> finalised
                      ^                |                    |
                      +----reopen------+--------------------+   (reopen needs a reason)

The price envelope (two envelopes: issue 11): bids and rates may be entered at any time
before it is opened, but they are sealed — no one sees them and no score uses them — until
scoring is closed and the chair opens it (`open_prices`, audited as ``prices.open``). It
stays open after that, through a reopening too: what was seen cannot be unseen. Finalising
needs it open (the result is computed with the prices).

A tender's settings and committee are locked once scoring opens (they are the rules the
committee scores by): they change while it is a draft, or after a reopening with a written
reason while scoring is open again (`setup_unlocked`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.scoring.model import ScoringError, Text
from selector.scoring.serialize import fingerprint
from selector.services import NotFound, ServiceError, audit, signoff, written
from selector.services.access import prices_opened
from selector.services.moderation import flag_anchor
from selector.services.results import checks_for, evaluator_names, open_flags, result_for
from selector.services.uow import tender_change
from selector.store.models import (
    AuditEvent,
    ScoreSheet,
    SheetState,
    Tender,
    TenderState,
    User,
    utcnow,
)

TRANSITIONS = {
    "open": ((TenderState.DRAFT,), TenderState.OPEN),
    "close": ((TenderState.OPEN,), TenderState.CLOSED),
    "finalise": ((TenderState.CLOSED,), TenderState.FINALISED),
    "reopen": ((TenderState.CLOSED, TenderState.FINALISED), TenderState.OPEN),
}


@dataclass(frozen=True)
class ProgressCell:
    """One evaluator × vendor sheet: its state (missing, draft, submitted or conflict)."""

    state: str
    submitted_at: Any = None
    sheet_id: int | None = None


@dataclass(frozen=True)
class ProgressRow:
    """One evaluator's sheets, a cell per vendor in the tender's order."""

    evaluator: str  # display name
    declared: bool
    conflicts: tuple[str, ...]  # vendor names
    cells: tuple[ProgressCell, ...]
    submitted: int
    expected: int


@dataclass(frozen=True)
class Progress:
    """Who has submitted what: sheet states only, never scores (scoring is blind)."""

    vendors: tuple[str, ...] = ()
    rows: tuple[ProgressRow, ...] = ()
    submitted: int = 0
    expected: int = 0

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.submitted == self.expected


def progress(session: Session, tender: Tender) -> Progress:
    """Sheet states per evaluator × vendor, for the chair's progress table."""
    sheets = session.scalars(select(ScoreSheet).where(ScoreSheet.tender_id == tender.id)).all()
    by_cell = {(s.evaluator_id, s.vendor_id): s for s in sheets}
    declarations = {d.user_id: d for d in tender.declarations}
    rows = []
    for assignment in tender.assignments:
        declaration = declarations.get(assignment.user_id)
        conflicted = {v.id for v in declaration.vendors} if declaration else set()
        cells = []
        for vendor in tender.vendors:
            if vendor.id in conflicted:
                cells.append(ProgressCell("conflict"))
                continue
            sheet = by_cell.get((assignment.user_id, vendor.id))
            cells.append(
                ProgressCell(sheet.state, sheet.submitted_at, sheet.id)
                if sheet
                else ProgressCell("missing")
            )
        counted = [c for c in cells if c.state != "conflict"]
        rows.append(
            ProgressRow(
                evaluator=assignment.user.display_name,
                declared=declaration is not None,
                conflicts=tuple(v.name for v in declaration.vendors) if declaration else (),
                cells=tuple(cells),
                submitted=sum(c.state == SheetState.SUBMITTED for c in counted),
                expected=len(counted),
            )
        )
    return Progress(
        vendors=tuple(v.name for v in tender.vendors),
        rows=tuple(rows),
        submitted=sum(r.submitted for r in rows),
        expected=sum(r.expected for r in rows),
    )


def missing_bids(tender: Tender) -> list[str]:
    """'vendor: component' for each price criterion a vendor has no bid for."""
    price = [c for c in tender.criteria if c.is_price]
    missing = []
    for vendor in tender.vendors:
        have = {b.criterion_id for b in vendor.bids}
        missing += [f"{vendor.name}: {c.key}" for c in price if c.id not in have]
    return missing


def unrated_currencies(tender: Tender) -> list[str]:
    rated = {r.currency for r in tender.rates} | {tender.base_currency}
    used = {b.currency for v in tender.vendors for b in v.bids}
    return sorted(used - rated)


def open_problems(tender: Tender) -> list[Text]:
    """What stops scoring from opening (empty when it can open)."""
    problems = []
    if not tender.vendors:
        problems.append(Text(zh="请至少添加一个投标人。", en="Add at least one vendor."))
    if not tender.assignments:
        problems.append(Text(zh="请至少指派一名评委。", en="Assign at least one evaluator."))
    scored = [g for g in tender.groups if g.scored_by_evaluators]
    covered: set[str] = set()
    for assignment in tender.assignments:
        covered |= {g.key for g in (assignment.groups or scored)}
    uncovered = [g for g in scored if g.key not in covered]
    if tender.assignments and uncovered:
        groups = ", ".join(f"{g.title_en} / {g.title_zh}" for g in uncovered)
        problems.append(
            Text(
                zh=f"以下分组没有评委评分:{groups}。",
                en=f"No evaluator scores these groups: {groups}.",
            )
        )
    return problems


def price_problems(tender: Tender) -> list[Text]:
    """What stops the price envelope from opening (empty when it can open): every vendor's
    bid for every price criterion, and a rate for every currency the bids are in."""
    problems = []
    missing = missing_bids(tender)
    if missing:
        listed = "; ".join(missing[:20])
        problems.append(Text(zh=f"缺少报价:{listed}。", en=f"Bids are missing: {listed}."))
    unrated = unrated_currencies(tender)
    if unrated:
        codes = ", ".join(unrated)
        problems.append(
            Text(zh=f"缺少以下币种的汇率:{codes}。", en=f"Exchange rates are missing for: {codes}.")
        )
    return problems


def setup_unlocked(session: Session, tender: Tender) -> bool:
    """Whether the tender's settings and committee may change now: while it is a draft, or
    while scoring is open again after a reopening (which needed a written reason)."""
    if tender.state == TenderState.DRAFT:
        return True
    if tender.state != TenderState.OPEN:
        return False
    reopened = session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.tender_id == tender.id, AuditEvent.action == "tender.reopen")
        .limit(1)
    )
    return reopened is not None


SETUP_LOCKED = Text(
    zh="评分开放后,项目的设置、评分标准和评审委员会即被锁定:它们是评委评分所依据的规则。"
    "如确需修改,请先关闭评分,再填写理由重新开放评分。",
    en="The tender's settings, criteria and committee are locked once scoring has opened: "
    "they are the rules the committee scores by. To change them, close scoring and reopen "
    "it with a written reason.",
)


def open_prices(session: Session, tender_id: int, *, actor: User) -> Tender:
    """Open the price envelope (the chair, once scoring is closed): from now on the bids
    and rates are seen by those `access.may_see_prices` allows and used by the result."""
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.CLOSED],
        refusal=Text(
            zh="只有在技术评分关闭后才能开启报价信封。",
            en="The price envelope can only be opened once technical scoring is closed.",
        ),
    ) as change:
        tender = change.tender
        if prices_opened(tender):
            raise ServiceError(
                Text(zh="报价信封已经开启。", en="The price envelope is already open.")
            )
        problems = price_problems(tender)
        if problems:
            raise ServiceError(
                Text(zh="暂时无法开启报价信封:", en="The price envelope cannot open yet:"),
                problems=problems,
            )
        tender.prices_opened_at = utcnow()
        prog = progress(session, tender)
        change.audit(
            "prices.open",
            bids=sum(len(v.bids) for v in tender.vendors),
            submitted=prog.submitted,
            expected=prog.expected,
        )
    return tender


def transition(
    session: Session, tender_id: int, action: str, *, actor: User, reason: str = ""
) -> Tender:
    """Move a tender along its state machine: open, close, finalise or reopen.

    - open (from draft): needs vendors and evaluators covering every scored group (bids
      may come later: they are sealed until the price envelope is opened).
    - close (from open): sheets not submitted by then are left out of the results.
    - finalise (from closed): the price envelope must be open, the result must compute,
      and every flag of the decision checks must have a review note.
    - reopen (from closed or finalised): needs a written reason.
    Raises ServiceError with the reason and the list of what is missing.
    """
    if action not in TRANSITIONS:
        raise ServiceError(Text(zh="未知操作。", en="Unknown action."))
    sources, target = TRANSITIONS[action]
    reason = written(reason, field="reason", what=Text(zh="理由", en="The reason"))
    if action == "reopen" and not reason:
        raise ServiceError(
            Text(
                zh="请填写重新开放的理由:理由将记入记录。",
                en="Write the reason for reopening: it is kept in the record.",
            ),
            field="reason",
        )
    with tender_change(
        session, tender_id, actor, states=sources, refusal=_illegal_transition(action)
    ) as change:
        tender = change.tender
        detail: dict[str, Any] = {"from": tender.state, "to": str(target)}
        if action == "open":
            problems = open_problems(tender)
            if problems:
                raise ServiceError(
                    Text(zh="暂时无法开放评分:", en="Scoring cannot open yet:"), problems=problems
                )
            tender.opened_at = tender.opened_at or utcnow()
        elif action == "close":
            tender.closed_at = utcnow()
            prog = progress(session, tender)
            detail["submitted"] = prog.submitted
            detail["expected"] = prog.expected
        elif action == "finalise":
            try:
                result = result_for(session, tender.id)
            except ScoringError as error:
                raise ServiceError(
                    Text(
                        zh="暂时无法计算结果,因此项目不能定稿:",
                        en="The result cannot be computed yet, so the tender cannot be finalised:",
                    ),
                    problems=error.texts,
                ) from None
            unreviewed = open_flags(session, tender.id, checks_for(result).flags)
            if unreviewed:
                names = evaluator_names(session, tender.id)
                raise ServiceError(
                    Text(
                        zh="定稿前每个提示都需要复核说明。尚未复核:",
                        en="Every flag needs a review note before finalising. Still open:",
                    ),
                    # sentences naming people by name, never ids; each links to its flag
                    problems=[f.sentence(names) for f in unreviewed],
                    anchors=[flag_anchor(f) for f in unreviewed],
                )
            tender.finalised_at = utcnow()
            detail["winner"] = result.winner
            detail["fingerprint"] = fingerprint(result.input)
        elif action == "reopen":
            tender.finalised_at = None
            tender.closed_at = None
            detail["reason"] = reason
            # given to the result that is reopened; the record keeps them (`changes`)
            signoff.clear(session, tender)
        if reason:
            detail["reason"] = reason
        tender.state = target
        change.audit(f"tender.{action}", **detail)
    return tender


def _illegal_transition(action: str) -> Text:
    messages = {
        "open": Text(
            zh="只有草稿项目才能开放评分。", en="Scoring can only be opened from a draft."
        ),
        "close": Text(
            zh="只有在评分开放期间才能关闭评分。", en="Scoring can only be closed while it is open."
        ),
        "finalise": Text(
            zh="只有评分已关闭的项目才能定稿。",
            en="Only a tender whose scoring is closed can be finalised.",
        ),
        "reopen": Text(
            zh="只有评分已关闭或已定稿的项目才能重新开放。",
            en="Only a closed or finalised tender can be reopened.",
        ),
    }
    return messages[action]


def return_sheet(
    session: Session, tender_id: int, sheet_id: int, *, actor: User, reason: str
) -> ScoreSheet:
    """Give a submitted sheet back to its evaluator as a draft (scoring open; reason kept)."""
    reason = written(
        reason,
        field="reason",
        what=Text(zh="理由", en="The reason"),
        missing=Text(
            zh="请填写退回理由:评委会看到。",
            en="Write why the sheet goes back: the evaluator will see it.",
        ),
    )
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.OPEN],
        refusal=Text(
            zh="只有在评分开放期间才能将评分表退回评委。",
            en="A sheet can only go back to its evaluator while scoring is open.",
        ),
    ) as change:
        tender = change.tender
        sheet = session.get(ScoreSheet, sheet_id)
        if sheet is None or sheet.tender_id != tender.id:
            raise NotFound(
                Text(zh="本项目中没有该评分表。", en="There is no such score sheet in this tender.")
            )
        sheet.state = SheetState.DRAFT
        sheet.submitted_at = None
        sheet.updated_at = utcnow()
        change.audit(
            "sheet.return",
            evaluator=sheet.evaluator.username,
            vendor=sheet.vendor.name,
            reason=reason,
        )
    return sheet


def delete_tender(session: Session, tender_id: int, *, actor: User) -> str:
    """Delete a draft tender and everything in it; returns its name."""
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.DRAFT],
        refusal=Text(
            zh="只有草稿项目可以删除;本项目已开放过评分。",
            en="Only a draft tender can be deleted; this one has been opened.",
        ),
    ) as change:
        tender = change.tender
        name = tender.name
        # The event outlives the tender, so it names it instead of pointing at it.
        audit(session, "tender.delete", actor=actor, tender_id=tender.id, name=name)
        session.delete(tender)
    return name
