"""Sealed bids (issue 11 item 4): the two envelopes.

Bid amounts and rates are sealed until technical scoring is closed and the chair opens the
price envelope: `selector.services.access.may_see_prices` is the one test, and every page,
API, export and report follows it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.services.access import may_see_prices
from selector.store.models import Assignment, Tender, User, utcnow

ROLES = ["chair", "chair2", "admin", "eval1", "eval2", "observer"]


def _user(db, username):
    return db.scalar(select(User).where(User.username == username))


@pytest.fixture
def people(make_user):
    make_user("chair2", "chair")
    make_user("admin", "admin")
    make_user("observer", "observer")


def _let_eval1_see_prices(db, tender_id):
    eval1 = _user(db, "eval1")
    assignment = db.scalar(
        select(Assignment).where(Assignment.tender_id == tender_id, Assignment.user_id == eval1.id)
    )
    assignment.can_see_prices = True
    db.commit()


@pytest.mark.parametrize("state", ["draft", "open", "closed", "finalised"])
def test_no_one_may_see_prices_while_the_envelope_is_sealed(db, make_tender, people, state):
    setup = make_tender(state=state)
    _let_eval1_see_prices(db, setup.id)
    tender = db.get(Tender, setup.id)
    tender.prices_opened_at = None  # sealed, whatever the state
    db.commit()
    for username in ROLES:
        assert not may_see_prices(db, tender, _user(db, username)), username


def test_once_opened_the_chair_the_allowed_evaluator_and_observers_of_final_see_prices(
    db, make_tender, people
):
    closed = make_tender(state="closed")
    final = make_tender(state="finalised")
    for setup in (closed, final):
        _let_eval1_see_prices(db, setup.id)
        db.get(Tender, setup.id).prices_opened_at = utcnow()
    db.commit()
    seen = {
        name: [may_see_prices(db, db.get(Tender, s.id), _user(db, name)) for s in (closed, final)]
        for name in ROLES
    }
    assert seen == {
        "chair": [True, True],
        "chair2": [False, False],  # not their tender
        "admin": [False, False],  # admins manage users, never tenders' contents
        "eval1": [True, True],  # assigned with can_see_prices
        "eval2": [False, False],  # assigned without it
        "observer": [False, True],  # observers read finalised tenders only
    }
