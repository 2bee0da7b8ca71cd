"""Consensus: the committee's agreed value for one cell (vendor × criterion), recorded by the
chair with a reason after scoring closes; it replaces the evaluators' aggregate for that cell.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from selector.scoring import rules
from selector.scoring.model import ScoringError, Text
from selector.scoring.numbers import plain
from selector.services import NotFound, ServiceError
from selector.services.setup import MAX_TEXT, criterion_of, vendor_of
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
) -> Consensus:
    """Record the committee's agreed value for one cell, with a reason (scoring closed).

    The value is read by the criterion's rule (full/partial/none, yes/no, a grade, pass/fail,
    a number for scale). It replaces the evaluators' aggregate for that cell.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            Text(zh="请填写共识值的理由。", en="Write the reason for the consensus value."),
            field="reason",
        )
    if len(reason) > MAX_TEXT:
        raise ServiceError(
            Text(
                zh=f"理由过长:最多 {MAX_TEXT} 个字符。",
                en=f"The reason is too long: use at most {MAX_TEXT} characters.",
            ),
            field="reason",
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
        try:
            normalised = rules.parse_value(criterion, value)
        except ScoringError:
            raise ServiceError(_value_hint(criterion), field="value") from None
        existing = next(
            (c for c in tender.consensus if c.vendor_id == vendor.id and c.criterion_id == row.id),
            None,
        )
        if existing is None:
            existing = Consensus(
                vendor=vendor,
                criterion=row,
                value=str(normalised),
                reason=reason,
                author_id=actor.id,
            )
            tender.consensus.append(existing)
        else:
            existing.value, existing.reason, existing.author_id = str(normalised), reason, actor.id
            existing.created_at = utcnow()
        change.audit(
            "consensus.set",
            vendor=vendor.name,
            criterion=criterion_key,
            value=str(normalised),
            reason=reason,
        )
    return existing


def _value_hint(criterion: Any) -> Text:
    if criterion.kind == "scale":
        return Text(
            zh=(
                f"请输入 0 到 {plain(criterion.max)} 之间的数字,步长为 "
                f"{plain(rules.scale_step(criterion))}。"
            ),
            en=(
                f"Enter a number from 0 to {plain(criterion.max)} on steps of "
                f"{plain(rules.scale_step(criterion))}."
            ),
        )
    keys = " / ".join(c.key for c in rules.choices(criterion))
    return Text(zh=f"请输入以下之一:{keys}。", en=f"Enter one of: {keys}.")


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
