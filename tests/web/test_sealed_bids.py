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


# --- the web: sealed until opening, for every role and surface ---------------------------

AMOUNTS = {"Alpha": 654321.5, "Beta": 765432.25}
SHOWN = ("654,321.50", "654321.5", "765,432.25", "765432.25")
LOGINS = ["chair", "chair2", "admin", "eval1", "eval2", "observer", None]


def _client(app, username):
    from tests.web.conftest import login

    client = app.test_client()
    if username is not None:
        login(client, username)
    return client


def _surfaces(setup):
    alpha = setup.vendors["Alpha"]
    base = f"/tenders/{setup.id}"
    return [
        base,
        f"{base}/history",
        f"{base}/evaluate",
        f"{base}/evaluate/{alpha}",
        f"{base}/results",
        f"{base}/decisions",
        f"{base}/what-if",
        f"{base}/consensus",
        f"{base}/report.pdf?lang=en",
        f"{base}/appendix.pdf?lang=en",
        f"{base}/letters.zip",
        f"{base}/letters/1.pdf",
        f"{base}/export.xlsx",
        f"{base}/export/bids.csv",
        f"{base}/export/summary.csv",
        f"/api/tenders/{setup.id}/result",
        "/api/tenders",
    ]


def _declare_everyone(app, setup):
    for name in setup.evaluators:
        _client(app, name).post(
            f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"}
        )


def _assert_sealed(app, setup):
    for username in LOGINS:
        client = _client(app, username)
        for url in _surfaces(setup):
            response = client.get(url, follow_redirects=True)
            body = response.get_data()
            where = f"{username} {url} {response.status_code}"
            assert response.mimetype in ("text/html", "application/json", "text/plain"), where
            assert "attachment" not in response.headers.get("Content-Disposition", ""), where
            text = body.decode("utf-8", "replace")
            for amount in SHOWN:
                assert amount not in text, where
        # the audit log's export is the chair's to download, with the amounts sealed
        export = client.get(f"/tenders/{setup.id}/history.csv")
        if username == "chair":
            assert export.status_code == 200
            text = export.get_data().decode("utf-8-sig")
            assert "set the bid of Alpha · Software fee to (sealed) CNY" in text
            assert not any(amount in text for amount in SHOWN)


@pytest.mark.parametrize("state", ["open", "closed"])
def test_sealed_prices_are_invisible_everywhere_for_every_role(app, make_tender, people, state):
    setup = make_tender(state=state, bids=AMOUNTS, can_see_prices=True, prices_opened=False)
    _declare_everyone(app, setup)
    _assert_sealed(app, setup)


def test_a_sealed_tenders_results_say_why_they_wait(app, make_tender, people):
    setup = make_tender(state="closed", bids=AMOUNTS, prices_opened=False)
    chair = _client(app, "chair")
    response = chair.get(f"/tenders/{setup.id}/results")
    assert response.status_code == 403
    assert "still sealed in the price envelope" in response.get_data(as_text=True)
    api = chair.get(f"/api/tenders/{setup.id}/result")
    assert api.status_code == 403
    page = chair.get(f"/tenders/{setup.id}").get_data(as_text=True)
    assert "Open the price envelope…" in page
    assert "The bids are sealed" in page
    assert page.count(">sealed</span>") == 2  # one per vendor, no amount
    # finalising needs the prices: refused, and says why
    refused = chair.post(f"/tenders/{setup.id}/finalise")
    assert "still sealed in the price envelope" in refused.get_data(as_text=True)
    assert db_state(app, setup.id) == ("closed", None)


def db_state(app, tender_id):
    from selector.store.db import get_session

    with app.test_request_context():
        tender = get_session().get(Tender, tender_id)
        return tender.state, tender.prices_opened_at


def _events(app, action, tender_id):
    from selector.store.db import get_session
    from selector.store.models import AuditEvent

    with app.test_request_context():
        return [
            (e.actor.username if e.actor else None, e.detail)
            for e in get_session().scalars(
                select(AuditEvent)
                .where(AuditEvent.action == action, AuditEvent.tender_id == tender_id)
                .order_by(AuditEvent.seq)
            )
        ]


def test_bids_are_entered_while_scoring_runs_and_stay_sealed(app, make_tender):
    setup = make_tender(state="open", bids={})
    chair = _client(app, "chair")
    for name, amount in AMOUNTS.items():
        response = chair.post(
            f"/tenders/{setup.id}/bids",
            data={"vendor": setup.vendors[name], "component": "fee", "amount": str(amount)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = chair.get(f"/tenders/{setup.id}").get_data(as_text=True)
    history = chair.get(f"/tenders/{setup.id}/history").get_data(as_text=True)
    for amount in SHOWN:
        assert amount not in page and amount not in history
    assert "set the bid of Alpha · Software fee to (sealed) CNY" in history


def test_opening_the_envelope_is_the_chairs_confirmed_and_audited_step(app, make_tender, people):
    setup = make_tender(state="closed", bids=AMOUNTS, prices_opened=False)
    from selector.store.db import get_session

    with app.test_request_context():
        _let_eval1_see_prices(get_session(), setup.id)
    for username in ("chair2", "admin", "eval1", "observer"):
        response = _client(app, username).post(f"/tenders/{setup.id}/prices")
        assert response.status_code in (403, 404), username
    chair = _client(app, "chair")
    confirm = chair.get(f"/tenders/{setup.id}/prices")
    assert confirm.status_code == 200
    assert "This cannot be undone" in confirm.get_data(as_text=True)
    assert db_state(app, setup.id)[1] is None  # asking is not opening
    assert chair.post(f"/tenders/{setup.id}/prices").status_code == 302
    assert db_state(app, setup.id)[1] is not None
    [(actor, detail)] = _events(app, "prices.open", setup.id)
    assert actor == "chair" and detail["bids"] == 2
    again = chair.post(f"/tenders/{setup.id}/prices")
    assert again.status_code == 422
    assert "already open" in again.get_data(as_text=True)
    # now the chair and the evaluator allowed to see prices see them; the other does not
    assert "654,321.50" in chair.get(f"/tenders/{setup.id}").get_data(as_text=True)
    assert "654,321.50" in chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    history = chair.get(f"/tenders/{setup.id}/history").get_data(as_text=True)
    assert "opened the price envelope" in history
    alpha = f"/tenders/{setup.id}/evaluate/{setup.vendors['Alpha']}"
    _declare_everyone(app, setup)
    assert "654,321.50" in _client(app, "eval1").get(alpha).get_data(as_text=True)
    assert "654,321.50" not in _client(app, "eval2").get(alpha).get_data(as_text=True)


def test_the_envelope_opens_only_after_technical_scoring_is_closed(app, make_tender):
    setup = make_tender(state="open")
    response = _client(app, "chair").post(f"/tenders/{setup.id}/prices")
    assert response.status_code == 422
    assert "once technical scoring is closed" in response.get_data(as_text=True)
    assert db_state(app, setup.id) == ("open", None)


def _change(client, setup, **extra):
    return client.post(
        f"/tenders/{setup.id}/bids",
        data={
            "vendor": setup.vendors["Alpha"],
            "component": "fee",
            "amount": "400000",
            **extra,
        },
    )


def _fee(app, setup):
    from selector.store.db import get_session
    from selector.store.models import Bid

    with app.test_request_context():
        return get_session().scalar(
            select(Bid.amount).where(Bid.vendor_id == setup.vendors["Alpha"])
        )


def test_an_opened_bid_changes_only_with_a_reason_and_a_confirmation(app, make_tender):
    setup = make_tender(state="closed", bids=AMOUNTS)
    chair = _client(app, "chair")
    before = _fee(app, setup)
    no_reason = _change(chair, setup, confirm="y")
    assert no_reason.status_code == 422
    assert "write why this changes" in no_reason.get_data(as_text=True)
    unconfirmed = _change(chair, setup, reason="read from the wrong line")
    assert unconfirmed.status_code == 422
    assert "Tick the confirmation" in unconfirmed.get_data(as_text=True)
    assert _fee(app, setup) == before
    assert _events(app, "bid.change", setup.id) == []
    upload = chair.post(
        f"/tenders/{setup.id}/bids/upload",
        data={
            "bids_file": (
                __import__("io").BytesIO(b"vendor,component,amount\nAlpha,fee,1\n"),
                "bids.csv",
            )
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 422
    assert "correct a bid one at a time" in upload.get_data(as_text=True)
    assert _fee(app, setup) == before

    reason = "The amount was read from the wrong line of the price form"
    done = _change(chair, setup, reason=reason, confirm="y")
    assert done.status_code == 302
    assert _fee(app, setup) == 400000
    [(actor, detail)] = _events(app, "bid.change", setup.id)
    assert actor == "chair"
    assert detail["reason"] == reason
    assert detail["before"].split()[1] == "CNY" and float(detail["before"].split()[0]) == 654321.5
    assert detail["amount"] == "400000"
    assert detail["changes"][f"bid:{setup.vendors['Alpha']}:fee"] == [
        ["654321.5", "CNY"],
        ["400000", "CNY"],
    ]
    # shown with the results, in the record's sentence and in the PDF
    page = chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "Changes after the price envelope was opened" in page
    assert "from 654,321.50 CNY to 400,000.00 CNY" in page
    assert reason in page
    history = chair.get(f"/tenders/{setup.id}/history").get_data(as_text=True)
    assert "changed the opened bid of Alpha · Software fee to 400000 CNY" in history
    assert reason in history
    from tests.reports.conftest import pdf_pages

    pdf = chair.get(f"/tenders/{setup.id}/report.pdf?lang=en")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(pdf_pages(pdf.get_data())).split())
    assert "Changes after the price envelope was opened" in text
    assert "654,321.50" in text and "400,000.00" in text
    assert "wrong line of the price form" in text
    assert "The chair opened the price envelope on" in text


def test_an_opened_rate_is_locked_too(app, make_tender):
    setup = make_tender(
        state="closed", bids={"Alpha": (100, "USD"), "Beta": 700}, rates={"USD": "7"}
    )
    chair = _client(app, "chair")
    refused = chair.post(f"/tenders/{setup.id}/rates", data={"currency": "USD", "rate": "7.2"})
    assert refused.status_code == 422
    removed = chair.post(
        f"/tenders/{setup.id}/rates/USD/delete", data={"confirmed": "1"}, follow_redirects=True
    )
    assert "instead of removing it" in removed.get_data(as_text=True)
    done = chair.post(
        f"/tenders/{setup.id}/rates",
        data={
            "currency": "USD",
            "rate": "7.2",
            "reason": "the bank's rate of the day",
            "confirm": "y",
        },
    )
    assert done.status_code == 302
    [(_actor, detail)] = _events(app, "rate.change", setup.id)
    assert detail["rate"] == "7.2" and float(detail["before"]) == 7
    assert detail["reason"] == "the bank's rate of the day"
    page = chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "changed the rate of USD from 7 to 7.2" in page


# --- settings, criteria and committee: locked once scoring opens ------------------------


def test_the_committee_and_criteria_are_locked_once_scoring_opens(app, make_tender, make_user):
    make_user("eval9", "evaluator")
    setup = make_tender(state="open", submitted=False)
    chair = _client(app, "chair")
    from selector.store.db import get_session

    with app.test_request_context():
        session = get_session()
        eval9 = _user(session, "eval9").id
        assignment = session.scalar(select(Assignment.id).where(Assignment.tender_id == setup.id))
    added = chair.post(f"/tenders/{setup.id}/assignments", data={"evaluator": eval9})
    assert added.status_code == 422
    assert "committee are locked once scoring has opened" in added.get_data(as_text=True)
    removed = chair.post(
        f"/tenders/{setup.id}/assignments/{assignment}/delete", data={"confirmed": "1"},
        follow_redirects=True
    )
    assert "committee are locked once scoring has opened" in removed.get_data(as_text=True)
    template = chair.post(
        f"/tenders/{setup.id}/template",
        data={"template_file": (__import__("io").BytesIO(b"id: x"), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert template.status_code == 422
    with app.test_request_context():
        session = get_session()
        count = session.scalar(
            select(__import__("sqlalchemy").func.count())
            .select_from(Assignment)
            .where(Assignment.tender_id == setup.id)
        )
    assert count == 2
    page = chair.get(f"/tenders/{setup.id}").get_data(as_text=True)
    assert "The committee is locked" in page and "The settings are locked" in page


def test_reopening_with_a_reason_unlocks_the_committee(app, make_tender, make_user):
    make_user("eval9", "evaluator")
    setup = make_tender(state="closed")
    chair = _client(app, "chair")
    from selector.store.db import get_session

    with app.test_request_context():
        eval9 = _user(get_session(), "eval9").id
    assert chair.post(f"/tenders/{setup.id}/reopen", data={"reason": ""}).status_code == 422
    assert (
        chair.post(f"/tenders/{setup.id}/reopen", data={"reason": "a member fell ill"}).status_code
        == 302
    )
    added = chair.post(f"/tenders/{setup.id}/assignments", data={"evaluator": eval9})
    assert added.status_code == 302
    # the envelope stays open through the reopening: what was seen cannot be unseen
    assert db_state(app, setup.id)[1] is not None
