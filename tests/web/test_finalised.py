"""A finalised tender's bids, rates and documents stay as they were until it is reopened
(`models.UNFINALISED`: the one rule of the states a tender's data may change in)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from selector.files.tinypdf import pdf
from selector.services import ServiceError, documents, lifecycle, setup
from selector.store.blobs import BlobStore
from selector.store.models import UNFINALISED, TenderState, User


def test_a_tender_changes_in_every_state_but_finalised():
    assert set(UNFINALISED) == set(TenderState) - {TenderState.FINALISED}


def _changes(db, tender, chair, store):
    """Each kind of change of a tender's data, as the chair makes it."""
    alpha = tender.vendors["Alpha"]
    return {
        "bid": lambda: setup.set_bid(db, tender.id, actor=chair, vendor_id=alpha,
                                     component="fee", amount=Decimal(90), currency=None,
                                     reason="a typo", confirmed=True),
        "rate": lambda: setup.set_rate(db, tender.id, actor=chair, currency="USD",
                                       rate=Decimal("7.1"), reason="a typo", confirmed=True),
        "document": lambda: documents.upload_document(
            db, tender.id, actor=chair, store=store, data=pdf([("Offer", ["Scope"])]),
            filename="offer.pdf", vendor_id=alpha, envelope="technical"),
    }


@pytest.mark.parametrize("kind", ["bid", "rate", "document"])
def test_a_finalised_tender_refuses_a_change_until_it_is_reopened(
    app, db, make_tender, tmp_path, kind
):
    tender = make_tender(state="finalised")
    chair = db.scalar(select(User).where(User.username == tender.chair))
    change = _changes(db, tender, chair, BlobStore(tmp_path))[kind]
    with pytest.raises(ServiceError) as refused:
        change()
    assert "This tender is finalised: reopen it (with a reason)" in refused.value.message.en
    assert "已定稿" in refused.value.message.zh
    lifecycle.transition(db, tender.id, "reopen", actor=chair, reason="a typo in a bid")
    change()
