"""Destructive actions ask first even without JavaScript: a POST without confirmed=1 changes
nothing and answers with a confirmation page (naming what would go, a Confirm button posting
the same action with confirmed=1 and the CSRF token, a Cancel link back); with confirmed=1
the action is done."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from selector.store.db import get_session
from selector.store.models import Assignment, Bid, Consensus, ExchangeRate, User, Vendor
from tests.web.conftest import login


def _count(app, model, **where):
    with app.test_request_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return get_session().scalar(query)


def _one(app, column, **where):
    with app.test_request_context():
        query = select(column)
        for key, value in where.items():
            query = query.where(getattr(column.class_, key) == value)
        return get_session().scalars(query).first()


def _asks(response, url, subject, question, cancel):
    """The confirmation page: it names `subject`, posts back to `url` with confirmed=1."""
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert question in page
    assert subject in page
    form = re.search(r'<section class="card confirm-box">.*?<form method="post" action="([^"]+)"',
                     page, re.S)
    assert form and form.group(1) == url
    assert '<input type="hidden" name="confirmed" value="1">' in page
    assert 'name="csrf_token"' in page
    assert f'href="{cancel}"' in page


@pytest.fixture
def draft(app, client, make_tender):
    setup = make_tender(rates={"USD": 7})
    login(client, setup.chair)
    return setup


def test_a_vendor_is_removed_only_once_confirmed(app, client, draft):
    url = f"/tenders/{draft.id}/vendors/{draft.vendors['Alpha']}/delete"
    asked = client.post(url)
    _asks(asked, url, "Alpha", "Remove this vendor with its bids and documents?",
          f"/tenders/{draft.id}#vendors")
    assert _count(app, Vendor, tender_id=draft.id) == 2
    done = client.post(url, data={"confirmed": "1"})
    assert done.status_code == 302
    assert _count(app, Vendor, tender_id=draft.id) == 1


def test_the_confirmation_page_speaks_chinese(app, client, draft):
    client.post("/language", data={"lang": "zh", "next": "/"})
    url = f"/tenders/{draft.id}/vendors/{draft.vendors['Alpha']}/delete"
    page = client.post(url).get_data(as_text=True)
    assert "Alpha" in page
    assert "Remove this vendor" not in page and "Confirm" not in page
    assert "Nothing has changed" not in page
    assert "确认" in page and "取消" in page
    assert _count(app, Vendor, tender_id=draft.id) == 2


def test_a_bid_a_rate_and_an_evaluator_are_removed_only_once_confirmed(app, client, draft):
    bid_id = _one(app, Bid.id, vendor_id=draft.vendors["Beta"])
    eval1 = _one(app, User.id, username="eval1")
    assignment = _one(app, Assignment.id, tender_id=draft.id, user_id=eval1)
    cases = [
        (f"/tenders/{draft.id}/bids/{bid_id}/delete", "Beta", "Remove this bid?", "bids",
         Bid, {"id": bid_id}),
        (f"/tenders/{draft.id}/rates/USD/delete", "USD", "Remove this rate?", "bids",
         ExchangeRate, {"tender_id": draft.id}),
        (f"/tenders/{draft.id}/assignments/{assignment}/delete", "eval1",
         "Take this evaluator off the committee?", "committee", Assignment,
         {"id": assignment}),
    ]
    for url, subject, question, anchor, model, where in cases:
        _asks(client.post(url), url, subject, question, f"/tenders/{draft.id}#{anchor}")
        assert _count(app, model, **where) == 1, url
        assert client.post(url, data={"confirmed": "1"}).status_code == 302
        assert _count(app, model, **where) == 0, url


def test_a_consensus_is_withdrawn_only_once_confirmed(app, client, make_tender):
    setup = make_tender(state="closed")
    login(client, setup.chair)
    client.post(f"/tenders/{setup.id}/consensus", data={
        "vendor": setup.vendors["Alpha"], "criterion": "fit", "value": "partial",
        "reason": "agreed"})
    consensus = _one(app, Consensus.id, tender_id=setup.id)
    assert consensus is not None
    url = f"/tenders/{setup.id}/consensus/{consensus}/delete"
    _asks(client.post(url), url, "Alpha · fit: partial", "Withdraw this consensus value?",
          f"/tenders/{setup.id}/consensus")
    assert _count(app, Consensus, tender_id=setup.id) == 1
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    assert _count(app, Consensus, tender_id=setup.id) == 0


def test_a_user_is_disabled_only_once_confirmed_and_enabled_at_once(app, client, make_user):
    make_user("admin", "admin")
    target = make_user("eval7", "evaluator", display_name="王芳")
    login(client, "admin")
    url = f"/admin/users/{target}/disable"
    _asks(client.post(url), url, "王芳 (eval7)", "Disable this user? Their sessions end at once.",
          "/admin/users")
    assert _one(app, User.active, id=target) is True
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    assert _one(app, User.active, id=target) is False
    assert client.post(f"/admin/users/{target}/enable").status_code == 302
    assert _one(app, User.active, id=target) is True


def test_the_buttons_carry_the_field_that_javascript_sets(app, client, draft):
    page = client.get(f"/tenders/{draft.id}").get_data(as_text=True)
    assert page.count('<input type="hidden" name="confirmed" value="">') >= 3
