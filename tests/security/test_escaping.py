"""HTML and script typed into any text field is shown as text on every page that shows it."""

from __future__ import annotations

import pytest

from selector.services import consensus, lifecycle, setup, sheets
from selector.store.db import get_session
from selector.store.models import User
from tests.security.helpers import body, login

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture
def hostile(app, make_tender, make_user):
    """A closed tender whose every text a person typed is the payload."""
    from sqlalchemy import select

    make_user("admin", "admin")
    make_user("observer", "observer", display_name=PAYLOAD)
    tender = make_tender(
        name=PAYLOAD, vendors=[PAYLOAD, "Beta"], state="draft", evaluator_names=["eval1"]
    )
    with app.test_request_context():
        session = get_session()
        chair = session.scalar(select(User).where(User.username == "chair"))
        evaluator = session.scalar(select(User).where(User.username == "eval1"))
        setup.update_settings(
            session,
            tender.id,
            actor=chair,
            name=PAYLOAD,
            organisation=PAYLOAD,
            base_currency="CNY",
            method="mean",
            divergence_threshold=_d("0.4"),
            low_bid_threshold=_d("0.6"),
        )  # while a draft: the settings are locked once scoring opens
        lifecycle.transition(session, tender.id, "open", actor=chair)
        sheets.declare_conflicts(
            session, tender.id, evaluator=evaluator, vendor_ids=[], statement=PAYLOAD
        )
        values = {"licence_ok": "pass", "fit": "partial", "api": "yes", "plan": "4.5", "ux": "good"}
        for vendor_id in tender.vendors.values():
            sheets.save_sheet(
                session,
                tender.id,
                vendor_id,
                evaluator=evaluator,
                version=0,
                values=values,
                comments={k: PAYLOAD for k in values},
                submit=True,
            )
        lifecycle.transition(session, tender.id, "close", actor=chair, reason=PAYLOAD)
        lifecycle.open_prices(session, tender.id, actor=chair)
        consensus.record_consensus(
            session,
            tender.id,
            actor=chair,
            vendor_id=tender.vendors["Beta"],
            criterion_key="plan",
            value="4",
            reason=PAYLOAD,
        )
    return tender


def _d(text):
    from decimal import Decimal

    return Decimal(text)


PAGES = {
    "chair": [
        "/tenders/",
        "/tenders/{t}",
        "/tenders/{t}/results",
        "/tenders/{t}/consensus",
        "/tenders/{t}/decisions",
        "/tenders/{t}/history",
        "/tenders/{t}/criteria",
    ],
    "eval1": ["/tenders/{t}/evaluate", "/tenders/{t}/evaluate/{v}"],
    "admin": ["/admin/users", "/tenders/{t}"],
}


@pytest.mark.parametrize(
    ("who", "path"), [(who, path) for who, paths in PAGES.items() for path in paths]
)
def test_hostile_markup_is_shown_as_text(client, hostile, who, path):
    login(client, who)
    url = path.format(t=hostile.id, v=hostile.vendors[PAYLOAD])
    response = client.get(url)
    assert response.status_code == 200, url
    page = body(response)
    assert "<script>alert" not in page
    assert "<img src=x onerror" not in page
    assert ESCAPED in page, url


def test_hostile_markup_in_the_api_is_data_not_markup(client, hostile):
    login(client, "chair")
    response = client.get("/api/tenders")
    assert response.is_json
    assert response.get_json()[0]["name"] == PAYLOAD
    assert "text/html" not in response.headers["Content-Type"]
