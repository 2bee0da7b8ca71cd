"""Consensus: the committee's agreed value for one cell (vendor × criterion), recorded by the
chair with a reason after scoring closes; it replaces the evaluators' aggregate for that cell.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from selector.scoring import values
from selector.scoring.model import Text
from selector.services import NotFound, ServiceError, written
from selector.services.setup import criterion_of, vendor_of
from selector.services.templates import template_of
from selector.services.uow import tender_change
from selector.store.models import Consensus, TenderState, User, utcnow


def record_consensus(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    vendor_id: int,
    criterion_key: str,
    value: str,
    reason: str,
    replace: bool = True,
) -> Consensus:
    """Record the committee's agreed value for one cell, with a reason (scoring closed).

    The value is read by the criterion's rule (full/partial/none, yes/no, a grade, pass/fail,
    a number for scale). It replaces the evaluators' aggregate for that cell. With
    `replace=False` (the moderation view until the chair confirms), a cell that has a
    consensus value already is refused (field `replace`), naming the value it holds.
    """
    reason = written(
        reason,
        field="reason",
        what=Text(zh="理由", en="The reason"),
        missing=Text(zh="请填写共识值的理由。", en="Write the reason for the consensus value."),
    )
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.CLOSED],
        refusal=Text(
            zh="共识值在评分关闭后、项目定稿前录入。",
            en=(
                "Consensus values are recorded after scoring is closed and before the tender is "
                "finalised."
            ),
        ),
    ) as change:
        tender = change.tender
        vendor = vendor_of(tender, vendor_id)
        row = criterion_of(tender, criterion_key)
        criterion = template_of(tender).criterion(criterion_key)
        if criterion is None or not criterion.is_scored_by_evaluators:
            raise ServiceError(
                Text(
                    zh=f"“{criterion_key}”由报价计算得出,不能录入共识值。",
                    en=f"'{criterion_key}' is computed from the bids: it takes no consensus value.",
                ),
                field="criterion",
            )
        read = values.read(criterion, value or "")
        if isinstance(read, values.Problem):
            raise ServiceError(read.sentence, field="value")
        normalised = values.as_text(read)
        existing = next(
            (c for c in tender.consensus if c.vendor_id == vendor.id and c.criterion_id == row.id),
            None,
        )
        before = None if existing is None else existing.value
        if existing is not None and not replace:
            held = values.label(criterion, existing.value)
            raise ServiceError(
                Text(
                    zh=f"该项已有共识值“{held.zh}”:请勾选“替换已录入的共识值”以确认替换。",
                    en=f"This cell already has the consensus value “{held.en}”: tick "
                    "“Replace the recorded consensus value” to confirm.",
                ),
                field="replace",
            )
        if existing is None:
            existing = Consensus(
                vendor=vendor,
                criterion=row,
                value=normalised,
                reason=reason,
                author_id=actor.id,
            )
            tender.consensus.append(existing)
        else:
            existing.value, existing.reason, existing.author_id = normalised, reason, actor.id
            existing.created_at = utcnow()
        change.audit(
            "consensus.set",
            vendor=vendor.name,
            criterion=criterion_key,
            value=normalised,
            before=before,
            reason=reason,
        )
    return existing


def remove_consensus(session: Session, tender_id: int, consensus_id: int, *, actor: User) -> None:
    """Withdraw a consensus value: the evaluators' aggregate counts again."""
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.CLOSED],
        refusal=Text(
            zh="只有在评分关闭期间才能修改共识值。",
            en="Consensus values can only change while scoring is closed.",
        ),
    ) as change:
        tender = change.tender
        row = next((c for c in tender.consensus if c.id == consensus_id), None)
        if row is None:
            raise NotFound(Text(zh="该共识值不存在。", en="There is no such consensus value."))
        change.audit(
            "consensus.remove", vendor=row.vendor.name, criterion=row.criterion.key, value=row.value
        )
        tender.consensus.remove(row)
