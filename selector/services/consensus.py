"""Consensus: the committee's agreed value for one cell (vendor × criterion), recorded by the
chair with a reason after scoring closes; it replaces the evaluators' aggregate for that cell.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from selector.scoring import rules
from selector.scoring.model import ScoringError
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
        raise ServiceError(_("Write the reason for the consensus value."), field="reason")
    if len(reason) > MAX_TEXT:
        raise ServiceError(
            _("The reason is too long: use at most %(n)d characters.", n=MAX_TEXT), field="reason"
        )
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.CLOSED],
        refusal=_(
            "Consensus values are recorded after scoring is closed and before "
            "the tender is finalised."
        ),
    ) as change:
        tender = change.tender
        vendor = vendor_of(tender, vendor_id)
        row = criterion_of(tender, criterion_key)
        criterion = template_of(tender).criterion(criterion_key)
        if criterion is None or not criterion.is_scored_by_evaluators:
            raise ServiceError(
                _(
                    "'%(key)s' is computed from the bids: it takes no consensus value.",
                    key=criterion_key,
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


def _value_hint(criterion: Any) -> str:
    if criterion.kind == "scale":
        return _(
            "Enter a number from 0 to %(max)s on steps of %(step)s.",
            max=_plain(criterion.max),
            step=_plain(rules.scale_step(criterion)),
        )
    keys = " / ".join(c.key for c in rules.choices(criterion))
    return _("Enter one of: %(keys)s.", keys=keys)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def remove_consensus(session: Session, tender_id: int, consensus_id: int, *, actor: User) -> None:
    """Withdraw a consensus value: the evaluators' aggregate counts again."""
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.CLOSED],
        refusal=_("Consensus values can only change while scoring is closed."),
    ) as change:
        tender = change.tender
        row = next((c for c in tender.consensus if c.id == consensus_id), None)
        if row is None:
            raise NotFound(_("There is no such consensus value."))
        change.audit(
            "consensus.remove", vendor=row.vendor.name, criterion=row.criterion.key, value=row.value
        )
        tender.consensus.remove(row)
