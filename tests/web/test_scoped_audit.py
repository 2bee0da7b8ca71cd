"""A sheet save diffs only its own sheets for the audit record (`tender_change(scope=...)`),
and that record is the one the whole tender's diff would have given."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.services import StaleEdit, sheets
from selector.services.access import evaluated_tender
from selector.services.record import verify
from selector.services.uow import OutOfScope, tender_change
from selector.store.audit import SheetScope, changes, tender_values
from selector.store.models import AuditEvent, Bid, Entry, ScoreSheet, User
from tests.web.conftest import MINI_VALUES


def _user(db, username):
    return db.scalar(select(User).where(User.username == username))


def _last_event(db):
    return db.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


def _version(db, evaluator, vendor_id):
    sheet = db.scalar(
        select(ScoreSheet).where(
            ScoreSheet.evaluator_id == evaluator.id, ScoreSheet.vendor_id == vendor_id
        )
    )
    return sheet.version if sheet else 0


@pytest.fixture
def scored(make_tender, db):
    """An open tender of three vendors where both evaluators have declared and eval2 has
    saved sheets on every vendor (values the full diff reads and a scoped one leaves out)."""
    setup = make_tender(state="open", submitted=False, vendors=["Alpha", "Beta", "Gamma"])
    for name in setup.evaluators:
        sheets.declare_conflicts(
            db, setup.id, evaluator=_user(db, name), vendor_ids=[], statement=""
        )
    other = _user(db, "eval2")
    for vendor_id in setup.vendors.values():
        sheets.save_sheet(
            db, setup.id, vendor_id, evaluator=other, version=0, values=MINI_VALUES,
            comments={"fit": "theirs"}, submit=False,
        )
    return setup


def test_each_sheet_save_records_the_changes_of_the_whole_tenders_diff(scored, db):
    evaluator = _user(db, "eval1")
    alpha, beta = scored.vendors["Alpha"], scored.vendors["Beta"]

    def save(vendor_id, values, comments, submit=False):
        return lambda: sheets.save_sheet(
            db, scored.id, vendor_id, evaluator=evaluator,
            version=_version(db, evaluator, vendor_id), values=values, comments=comments,
            submit=submit,
        )

    def by_criterion(value, comment):
        return lambda: sheets.save_criterion(
            db, scored.id, "fit", evaluator=evaluator,
            inputs={
                vendor_id: sheets.CriterionInput(_version(db, evaluator, vendor_id), value, comment)
                for vendor_id in (alpha, beta)
            },
        )

    steps = [
        ("a new sheet", save(alpha, {"fit": "full", "api": "yes"}, {"fit": "first"})),
        ("a value and a comment changed", save(alpha, {"fit": "partial", "api": "yes"},
                                               {"fit": "second", "api": "note"})),
        ("an entry cleared", save(alpha, {"fit": "partial", "api": ""}, {"fit": "second"})),
        ("one criterion on two sheets", by_criterion("none", "weak")),
        ("a submission", save(alpha, {**MINI_VALUES, "fit": "full"},
                              {k: "because" for k in MINI_VALUES}, submit=True)),
    ]
    for what, step in steps:
        before = tender_values(db, scored.id)
        last = _last_event(db).seq
        step()
        after = tender_values(db, scored.id)
        events = db.scalars(select(AuditEvent).where(AuditEvent.seq > last)).all()
        recorded = [e.detail["changes"] for e in events if "changes" in e.detail]
        expected = changes(before, after)
        assert expected, what  # every step changes a stored value
        assert recorded == [expected], what  # once, on the unit's last event
    assert verify(db, scored.id).problems == []


def test_a_refused_save_records_nothing(scored, db):
    evaluator = _user(db, "eval1")
    alpha = scored.vendors["Alpha"]
    sheets.save_sheet(db, scored.id, alpha, evaluator=evaluator, version=0,
                      values={"fit": "full"}, comments={}, submit=False)
    last = _last_event(db).seq
    with pytest.raises(StaleEdit):
        sheets.save_sheet(db, scored.id, alpha, evaluator=evaluator, version=0,
                          values={"fit": "none"}, comments={}, submit=False)
    with pytest.raises(sheets.SheetInvalid):
        sheets.save_sheet(db, scored.id, alpha, evaluator=evaluator, version=1,
                          values={"fit": "nonsense"}, comments={}, submit=False)
    assert _last_event(db).seq == last


@pytest.mark.parametrize("outside", ["another vendor's sheet", "another evaluator's sheet",
                                     "a bid"])
def test_a_scoped_unit_refuses_to_write_outside_its_scope(scored, db, outside):
    evaluator = _user(db, "eval1")
    alpha, beta = scored.vendors["Alpha"], scored.vendors["Beta"]
    sheets.save_sheet(db, scored.id, beta, evaluator=evaluator, version=0,
                      values={"fit": "full"}, comments={}, submit=False)
    db.commit()
    last = _last_event(db).seq
    theirs = _user(db, "eval2")
    owner, vendor_id = (evaluator, beta) if outside == "another vendor's sheet" else (theirs, alpha)
    entry = db.scalar(
        select(Entry).join(ScoreSheet).where(
            ScoreSheet.evaluator_id == owner.id, ScoreSheet.vendor_id == vendor_id
        )
    )
    bid = db.scalar(select(Bid).where(Bid.vendor_id == alpha).limit(1))
    with pytest.raises(OutOfScope):
        with tender_change(db, scored.id, evaluator, access=evaluated_tender,
                           scope=SheetScope(evaluator.id, alpha)) as change:
            if outside == "a bid":
                bid = db.get(Bid, bid.id)
                bid.amount = bid.amount + 1
            else:
                db.get(Entry, entry.id).comment = "changed unseen"
            change.audit("sheet.save", vendor="Alpha", answered=1)
    assert _last_event(db).seq == last
    assert db.get(Entry, entry.id).comment != "changed unseen"
    assert verify(db, scored.id).problems == []
