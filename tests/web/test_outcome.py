"""Evaluators see the outcome once the tender is finalised: the ranking and their own inputs
beside the committee's points, never another evaluator's inputs; prices per may_see_prices."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.services import lifecycle, sheets
from selector.store.db import get_session
from selector.store.models import Tender, User
from tests.web.conftest import MINI_VALUES, login


@pytest.fixture
def scored(app, make_tender):
    """An open tender whose two evaluators submitted every sheet, each with their own words."""

    def build(**overrides):
        setup = make_tender(state="open", submitted=False, **overrides)
        with app.test_request_context():
            session = get_session()
            for username in setup.evaluators:
                evaluator = session.scalar(select(User).where(User.username == username))
                sheets.declare_conflicts(
                    session, setup.id, evaluator=evaluator, vendor_ids=[], statement=""
                )
                for vendor_id in setup.vendors.values():
                    sheets.save_sheet(
                        session,
                        setup.id,
                        vendor_id,
                        evaluator=evaluator,
                        version=0,
                        values=MINI_VALUES,
                        comments={k: f"note of {username}" for k in MINI_VALUES},
                        submit=True,
                    )
        return setup

    return build


def move(app, setup, *actions, opened=True):
    with app.test_request_context():
        session = get_session()
        chair = session.scalar(select(User).where(User.username == setup.chair))
        for action in actions:
            lifecycle.transition(session, setup.id, action, actor=chair)
            if action == "close" and opened:  # the price envelope, before finalising
                lifecycle.open_prices(session, setup.id, actor=chair)


def test_an_evaluator_sees_the_ranking_and_only_their_own_inputs_after_finalising(app, scored):
    setup = scored()
    move(app, setup, "close", "finalise")
    client = app.test_client()
    login(client, "eval1")
    response = client.get(f"/tenders/{setup.id}/results")
    assert response.status_code == 302 and response.location.endswith(f"/{setup.id}/outcome")
    page = client.get(response.location).get_data(as_text=True)
    assert "Ranking" in page and "Alpha" in page and "Beta" in page
    assert "note of eval1" in page
    assert "note of eval2" not in page and "Eval2" not in page and "eval2" not in page
    assert "Functional fit" in page and "Committee" in page and "Yours" in page
    workspace = client.get(f"/tenders/{setup.id}/evaluate").get_data(as_text=True)
    assert f"/tenders/{setup.id}/outcome" in workspace


def test_the_outcome_speaks_chinese(app, scored):
    setup = scored()
    move(app, setup, "close", "finalise")
    client = app.test_client()
    login(client, "eval1")
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get(f"/tenders/{setup.id}/outcome").get_data(as_text=True)
    assert "功能匹配" in page and "评审结果" in page and "您的评分" in page


def test_before_finalising_the_outcome_is_refused(app, scored):
    setup = scored()
    client = app.test_client()
    login(client, "eval1")
    assert client.get(f"/tenders/{setup.id}/outcome").status_code == 403  # open
    move(app, setup, "close")
    assert client.get(f"/tenders/{setup.id}/outcome").status_code == 403  # closed
    assert client.get(f"/tenders/{setup.id}/results").status_code == 403
    assert "Evaluators see the outcome once the tender is finalised." in client.get(
        f"/tenders/{setup.id}/outcome"
    ).get_data(as_text=True)


def test_other_roles_and_other_evaluators_do_not_get_the_outcome_page(app, scored, make_user):
    setup = scored()
    move(app, setup, "close", "finalise")
    make_user("outsider", "evaluator")
    outsider = app.test_client()
    login(outsider, "outsider")
    assert outsider.get(f"/tenders/{setup.id}/outcome").status_code == 404
    chair = app.test_client()
    login(chair, "chair")
    assert chair.get(f"/tenders/{setup.id}/outcome").status_code == 403
    assert chair.get(f"/tenders/{setup.id}/results").status_code == 200  # unchanged


@pytest.mark.parametrize("can_see_prices", [False, True])
def test_prices_follow_the_price_rule(app, scored, can_see_prices):
    setup = scored(can_see_prices=can_see_prices, bids={"Alpha": 123456, "Beta": 130000})
    move(app, setup, "close", "finalise")
    client = app.test_client()
    login(client, "eval1")
    page = client.get(f"/tenders/{setup.id}/outcome").get_data(as_text=True)
    assert ("Total bid" in page) is can_see_prices
    assert ("123,456" in page) is can_see_prices
    assert ("Software fee" in page) is can_see_prices


def test_a_sealed_envelope_hides_prices_even_from_those_allowed(app, scored):
    setup = scored(can_see_prices=True, bids={"Alpha": 123456, "Beta": 130000})
    move(app, setup, "close", "finalise")
    with app.test_request_context():  # as if sealed (finalising needs it open)
        session = get_session()
        session.get(Tender, setup.id).prices_opened_at = None
        session.commit()
    client = app.test_client()
    login(client, "eval1")
    page = client.get(f"/tenders/{setup.id}/outcome").get_data(as_text=True)
    assert "123,456" not in page and "Total bid" not in page
