"""What a page walks of a tender, loaded in a constant number of queries — one per table —
whatever the number of vendors, criteria and evaluators.

Walking `tender.vendors[i].bids` or `assignment.user` lazily costs one query per vendor or
per evaluator; `tender_for_page` loads those rows up front with `selectinload` (one
`... WHERE id IN (...)` query per relationship), so the views and view models can walk them
for free. Read paths only: it refreshes the tender's rows from the database.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from selector.store.models import (
    Assignment,
    ConflictDeclaration,
    ScoreSheet,
    Tender,
    TenderCriterion,
    TenderGroup,
    Vendor,
    assignment_group,
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


# Built once: building a statement costs more than running it, and a lazy load more still.
_ASSIGNED_GROUPS = (
    select(TenderGroup)
    .join(assignment_group, assignment_group.c.group_id == TenderGroup.id)
    .where(assignment_group.c.assignment_id == bindparam("assignment_id"))
    .order_by(TenderGroup.position)
)
_TENDER_VENDOR = select(Vendor).where(
    Vendor.id == bindparam("vendor_id"), Vendor.tender_id == bindparam("tender_id")
)


def assigned_groups(session: Session, assignment: Assignment) -> list[TenderGroup]:
    """`assignment.groups` (the groups the evaluator scores; none: every group), loaded by
    one prepared statement where the session does not hold them yet."""
    if "groups" not in assignment.__dict__:
        groups = list(session.scalars(_ASSIGNED_GROUPS, {"assignment_id": assignment.id}))
        set_committed_value(assignment, "groups", groups)
    return assignment.groups


def tender_vendor(session: Session, tender_id: int, vendor_id: int) -> Vendor | None:
    """The vendor `vendor_id` if it is one of the tender's (one query, whatever the number
    of vendors)."""
    return session.scalars(_TENDER_VENDOR, {"vendor_id": vendor_id, "tender_id": tender_id}).first()


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
