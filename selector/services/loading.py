"""What a page walks of a tender, loaded in a constant number of queries — one per table —
whatever the number of vendors, criteria and evaluators.

Walking `tender.vendors[i].bids` or `assignment.user` lazily costs one query per vendor or
per evaluator; `tender_for_page` loads those rows up front with `selectinload` (one
`... WHERE id IN (...)` query per relationship), so the views and view models can walk them
for free. Read paths only: it refreshes the tender's rows from the database.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from selector.store.models import (
    Assignment,
    ConflictDeclaration,
    ScoreSheet,
    Tender,
    TenderCriterion,
    Vendor,
)

# The chair's tender page: setup (vendors and bids, rates, committee and groups), what stops
# it opening, and the progress grid (declarations with their conflicted vendors).
SETUP = (
    selectinload(Tender.chair),
    selectinload(Tender.groups),
    selectinload(Tender.criteria),
    selectinload(Tender.vendors).selectinload(Vendor.bids),
    selectinload(Tender.rates),
    selectinload(Tender.assignments).selectinload(Assignment.user),
    selectinload(Tender.assignments).selectinload(Assignment.groups),
    selectinload(Tender.declarations).selectinload(ConflictDeclaration.vendors),
)

def tender_for_page(session: Session, tender: Tender, options: tuple = SETUP) -> Tender:
    """`tender` with the relationships of `options` loaded (one query per table)."""
    return session.scalars(
        select(Tender)
        .where(Tender.id == tender.id)
        .options(*options)
        .execution_options(populate_existing=True)
    ).one()


def criteria_in_session(tender: Tender) -> list[TenderCriterion]:
    """The tender's criteria, loaded in one query and held by the tender, so that
    `entry.criterion` and `bid.criterion` are found in the session's identity map instead of
    being queried one by one (the identity map holds only what something else holds)."""
    return tender.criteria


def sheets_with_entries(session: Session, tender_id: int, evaluator_id: int) -> list[ScoreSheet]:
    """An evaluator's sheets of a tender with their entries (two queries)."""
    return list(
        session.scalars(
            select(ScoreSheet)
            .where(ScoreSheet.tender_id == tender_id, ScoreSheet.evaluator_id == evaluator_id)
            .options(selectinload(ScoreSheet.entries))
        )
    )
