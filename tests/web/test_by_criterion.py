"""Scoring one criterion across vendors: the same save as the per-vendor sheet."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.services import Forbidden, sheets
from selector.store.db import get_session
from selector.store.models import AuditEvent, Entry, ScoreSheet, User
from tests.web.conftest import login

#: What both evaluators enter, vendor -> criterion -> (value, comment); messy on purpose
#: (spaces, a scale number written 4.50) so that normalising is compared too.
INPUTS = {
    "Alpha": {
        "licence_ok": ("pass", ""),
        "fit": ("partial", "  misses offline mode "),
        "api": ("yes", ""),
        "plan": (" 4.50 ", "solid"),
        "ux": ("good", "menus are deep"),
    },
    "Beta": {
        "licence_ok": ("fail", ""),  # a draft may leave a required comment for later
        "fit": ("full", ""),
        "api": ("", "ask about the API"),  # a comment without a value is kept
        "plan": ("3", ""),
        "ux": ("", ""),
    },
}


@pytest.fixture
def tender(make_tender):
    return make_tender(state="open", submitted=False)


def declare(client, tender_id, **data):
    response = client.post(
        f"/tenders/{tender_id}/evaluate/conflicts", data=data or {"no_conflict": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def criterion_url(setup, criterion):
    return f"/tenders/{setup.id}/evaluate/criteria/{criterion}"


def versions(page):
    """version-<vendor id> -> value, as the page's hidden fields carry them."""
    found = {}
    for part in page.split('name="version-')[1:]:
        vendor_id, rest = part.split('"', 1)
        found[f"version-{vendor_id}"] = rest.split('value="')[1].split('"')[0]
    return found


def post_criterion(client, setup, criterion, fields, loaded=None):
    page = loaded or client.get(criterion_url(setup, criterion)).get_data(as_text=True)
    return client.post(
        criterion_url(setup, criterion), data={**versions(page), **fields, "save": "1"}
    )


def stored(app, username):
    """The evaluator's rows: (vendor, state) per sheet and (vendor, criterion, value, comment)."""
    with app.test_request_context():
        session = get_session()
        user = session.scalar(select(User).where(User.username == username))
        sheet_rows = session.scalars(select(ScoreSheet).where(ScoreSheet.evaluator_id == user.id))
        states = sorted((s.vendor.name, s.state) for s in sheet_rows)
        entries = sorted(
            (e.sheet.vendor.name, e.criterion.key, e.value, e.comment)
            for e in session.scalars(select(Entry).join(ScoreSheet))
            if e.sheet.evaluator_id == user.id
        )
        return states, entries


def test_scoring_by_criterion_stores_exactly_what_the_vendor_sheets_store(app, tender):
    per_vendor, by_criterion = app.test_client(), app.test_client()
    login(per_vendor, "eval1")
    login(by_criterion, "eval2")
    declare(per_vendor, tender.id)
    declare(by_criterion, tender.id)
    for vendor, given in INPUTS.items():
        fields = {"version": "0", "save": "1"}
        for key, (value, comment) in given.items():
            fields[f"value-{key}"], fields[f"comment-{key}"] = value, comment
        url = f"/tenders/{tender.id}/evaluate/{tender.vendors[vendor]}"
        assert per_vendor.post(url, data=fields).status_code == 302
    for key in INPUTS["Alpha"]:
        fields = {}
        for vendor, given in INPUTS.items():
            vendor_id = tender.vendors[vendor]
            fields[f"value-{vendor_id}"], fields[f"comment-{vendor_id}"] = given[key]
        response = post_criterion(by_criterion, tender, key, fields)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    one, other = stored(app, "eval1"), stored(app, "eval2")
    assert one == other
    assert ("Alpha", "plan", "4.5", "solid") in one[1]  # normalised the same way
    assert ("Beta", "api", "", "ask about the API") in one[1]
    with app.test_request_context():
        actions = {e.action for e in get_session().scalars(select(AuditEvent))}
    assert "sheet.save" in actions  # the same audit events, through the same save


def test_the_page_shows_every_vendor_with_the_evaluators_own_values(app, tender):
    client = app.test_client()
    login(client, "eval1")
    declare(client, tender.id)
    alpha = tender.vendors["Alpha"]
    post_criterion(client, tender, "fit", {f"value-{alpha}": "full"})
    page = client.get(criterion_url(tender, "fit")).get_data(as_text=True)
    assert "Functional fit" in page and "Alpha" in page and "Beta" in page
    assert f'name="value-{alpha}" value="full"' in page.replace(' data-points="5"', "")
    assert "checked" in page.split(f'name="value-{alpha}" value="full"')[1][:200]
    workspace = client.get(f"/tenders/{tender.id}/evaluate").get_data(as_text=True)
    assert criterion_url(tender, "fit") in workspace and "Score by criterion" in workspace


def test_the_page_speaks_chinese(app, tender):
    client = app.test_client()
    login(client, "eval1")
    declare(client, tender.id)
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get(criterion_url(tender, "fit")).get_data(as_text=True)
    assert "功能匹配" in page and "满足" in page and "保存草稿" in page


def test_a_stale_page_saves_nothing_and_keeps_what_was_typed(app, tender):
    tab1, tab2 = app.test_client(), app.test_client()
    login(tab1, "eval1")
    login(tab2, "eval1")
    declare(tab1, tender.id)
    alpha, beta = tender.vendors["Alpha"], tender.vendors["Beta"]
    loaded = tab2.get(criterion_url(tender, "fit")).get_data(as_text=True)
    # meanwhile, Alpha's sheet is saved in another tab
    sheet = tab1.post(
        f"/tenders/{tender.id}/evaluate/{alpha}",
        data={"version": "0", "value-fit": "full", "save": "1"},
    )
    assert sheet.status_code == 302
    response = post_criterion(
        tab2,
        tender,
        "fit",
        {f"value-{alpha}": "none", f"comment-{alpha}": "from tab 2", f"value-{beta}": "full"},
        loaded=loaded,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "One of these sheets was changed since you opened this page" in page
    assert "What you typed (not saved)" in page and "from tab 2" in page
    assert f'name="version-{alpha}" value="1"' in page
    assert stored(app, "eval1")[1] == [("Alpha", "fit", "full", "")]  # Beta not saved either


def test_a_declared_conflict_is_neither_shown_nor_saved(app, tender):
    client = app.test_client()
    login(client, "eval1")
    beta = tender.vendors["Beta"]
    declare(client, tender.id, vendors=str(beta), statement="my brother works there")
    page = client.get(criterion_url(tender, "fit")).get_data(as_text=True)
    assert f'name="value-{beta}"' not in page
    assert "Not scored by you (declared conflict): Beta." in page
    response = post_criterion(client, tender, "fit", {f"value-{beta}": "full"})
    assert response.status_code == 302
    assert stored(app, "eval1") == ([], [])
    with app.test_request_context():
        session = get_session()
        user = session.scalar(select(User).where(User.username == "eval1"))
        with pytest.raises(Forbidden):
            sheets.save_criterion(
                session,
                tender.id,
                "fit",
                evaluator=user,
                inputs={beta: sheets.CriterionInput(0, "full", "")},
            )
    assert stored(app, "eval1") == ([], [])


def test_a_submitted_sheet_stays_as_submitted(app, tender):
    client = app.test_client()
    login(client, "eval1")
    declare(client, tender.id)
    alpha, beta = tender.vendors["Alpha"], tender.vendors["Beta"]
    fields = {"version": "0", "submit_sheet": "1"}
    for key, value in {
        "licence_ok": "pass", "fit": "full", "api": "yes", "plan": "5", "ux": "excellent"
    }.items():
        fields[f"value-{key}"] = value
    assert client.post(f"/tenders/{tender.id}/evaluate/{alpha}", data=fields).status_code == 302
    page = client.get(criterion_url(tender, "fit")).get_data(as_text=True)
    assert f'name="value-{alpha}" value="full"' in page.replace(' data-points="5"', "")
    assert f'name="version-{alpha}"' not in page  # not part of the form
    response = post_criterion(
        client, tender, "fit", {f"value-{alpha}": "none", f"value-{beta}": "partial"}
    )
    assert response.status_code == 302
    entries = stored(app, "eval1")[1]
    assert ("Alpha", "fit", "full", "") in entries and ("Beta", "fit", "partial", "") in entries
    # the service refuses it too, naming the vendor
    with app.test_request_context():
        session = get_session()
        user = session.scalar(select(User).where(User.username == "eval1"))
        with pytest.raises(sheets.CriterionInvalid) as refused:
            sheets.save_criterion(
                session,
                tender.id,
                "fit",
                evaluator=user,
                inputs={alpha: sheets.CriterionInput(1, "none", "")},
            )
    assert "submitted" in refused.value.fields[alpha].en


def test_a_bad_value_names_the_vendor_and_saves_nothing(app, tender):
    client = app.test_client()
    login(client, "eval1")
    declare(client, tender.id)
    alpha, beta = tender.vendors["Alpha"], tender.vendors["Beta"]
    with app.test_request_context():
        session = get_session()
        user = session.scalar(select(User).where(User.username == "eval1"))
        with pytest.raises(sheets.CriterionInvalid) as refused:
            sheets.save_criterion(
                session,
                tender.id,
                "plan",
                evaluator=user,
                inputs={
                    alpha: sheets.CriterionInput(0, "4", ""),
                    beta: sheets.CriterionInput(0, "9", ""),
                },
            )
    assert list(refused.value.fields) == [beta]
    response = post_criterion(client, tender, "plan", {f"value-{alpha}": "4", f"value-{beta}": "9"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please correct these vendors:" in page and f'href="#v-{beta}">Beta' in page
    assert stored(app, "eval1") == ([], [])


def test_closed_scoring_is_read_only_and_refused(app, make_tender):
    setup = make_tender(state="closed")
    client = app.test_client()
    login(client, "eval1")
    page = client.get(criterion_url(setup, "fit")).get_data(as_text=True)
    assert "Scoring is closed: these sheets are read-only." in page
    assert 'name="save"' not in page
    before = stored(app, "eval1")
    alpha = setup.vendors["Alpha"]
    response = client.post(
        criterion_url(setup, "fit"), data={f"value-{alpha}": "none", f"version-{alpha}": "1"}
    )
    assert response.status_code == 422
    assert "Scoring is not open" in response.get_data(as_text=True)
    assert stored(app, "eval1") == before


def test_a_criterion_not_scored_by_the_evaluator_is_not_found(app, tender):
    client = app.test_client()
    login(client, "eval1")
    assert client.get(criterion_url(tender, "fit")).status_code == 403  # declare first
    declare(client, tender.id)
    assert client.get(criterion_url(tender, "fee")).status_code == 404  # a price rule
    assert client.get(criterion_url(tender, "nosuch")).status_code == 404
    login(app.test_client(), "chair")
    chair = app.test_client()
    login(chair, "chair")
    assert chair.get(criterion_url(tender, "fit")).status_code in (403, 404)
