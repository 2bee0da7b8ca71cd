"""Who signs a finalised tender off and where each stands: plain facts for the sign-off page,
the results page and the report (whose cache key they are part of). The verbs that sign
are in `selector.services.signoff`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.store.models import Assignment, SignOff, Tender, TenderState, User

AWAITING = "awaiting"


@dataclass(frozen=True)
class Signer:
    """One person's place in the sign-off: who, their state, when, and what they wrote."""

    user_id: int
    name: str  # display name
    role: str  # "evaluator" or "chair"
    state: str  # AWAITING, or a SignOffDecision
    at: datetime | None = None
    reason: str = ""
    recorded_by: str = ""  # display name of who recorded an absence


@dataclass(frozen=True)
class SignOffState:
    """The sign-off of one tender as the page and the report show it."""

    open: bool  # the tender is finalised
    members: tuple[Signer, ...]
    chair: Signer

    @property
    def awaiting(self) -> tuple[Signer, ...]:
        """Members who have neither signed nor been recorded absent (the chair not counted)."""
        return tuple(m for m in self.members if m.state == AWAITING)

    @property
    def complete(self) -> bool:
        return self.chair.state != AWAITING

    def signer(self, user_id: int) -> Signer | None:
        for person in (*self.members, self.chair):
            if person.user_id == user_id:
                return person
        return None


def state_of(session: Session, tender: Tender) -> SignOffState:
    """Every member's and the chair's sign-off state (two queries)."""
    rows = {
        s.user_id: s
        for s in session.scalars(select(SignOff).where(SignOff.tender_id == tender.id))
    }
    members = session.execute(
        select(User.id, User.display_name)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.tender_id == tender.id)
        .order_by(Assignment.id)
    ).all()

    def signer(user_id: int, name: str, role: str) -> Signer:
        row = rows.get(user_id)
        if row is None:
            return Signer(user_id, name, role, AWAITING)
        by = row.recorded_by.display_name if row.recorded_by is not None else ""
        return Signer(user_id, name, role, row.decision, row.created_at, row.reason, by)

    return SignOffState(
        open=tender.state == TenderState.FINALISED,
        members=tuple(signer(uid, name or "", "evaluator") for uid, name in members),
        chair=signer(tender.chair_id, tender.chair.display_name, "chair"),
    )


def report_facts(session: Session, tender: Tender) -> dict[str, Any]:
    """The sign-off as plain facts for the report (and so for its cache key)."""
    state = state_of(session, tender)

    def fact(person: Signer) -> dict[str, Any]:
        return {"name": person.name, "role": person.role, "state": person.state,
                "at": person.at, "reason": person.reason, "recorded_by": person.recorded_by}

    return {"open": state.open, "members": [fact(m) for m in state.members],
            "chair": fact(state.chair), "complete": state.complete}
