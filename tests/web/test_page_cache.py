"""The page cache (`selector.web.pagecache`) serves the score sheet and the results page
from memory, and never a stale page nor someone else's: each kind of change the pages show
makes the next GET show it, two people never share a page, both languages are kept apart,
and what is per request (the CSRF token, a flashed message) stays so."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from selector.services import consensus, decisions, lifecycle, results, sheets, users
from selector.store.db import get_session
from tests.web.conftest import login, make_app
from tests.web.test_documents import PDF, app_config, chair, upload  # noqa: F401
from tests.web.test_query_counts import counting

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sheet_path(tender, vendor="Alpha"):
    return f"/tenders/{tender.id}/evaluate/{tender.vendors[vendor]}"


def evaluator_client(app, username="eval1"):
    client = app.test_client()
    login(client, username)
    client.get("/tenders/")  # the welcome message is shown and gone
    return client


def declared(app, client, tender):
    response = client.post(f"/tenders/{tender.id}/evaluate/conflicts", data={"no_conflict": "y"})
    assert response.status_code == 302
    client.get(f"/tenders/{tender.id}/evaluate")  # the flash is shown and gone
    return client


def as_user(app, username):
    return users.find_user(get_session(), username)


def checked(page, criterion):
    """The value checked for `criterion` on a sheet ('' when none)."""
    found = re.search(rf'name="value-{criterion}" value="([^"]+)"[^>]*\bchecked\b', page)
    return found.group(1) if found else ""


@pytest.fixture
def open_tender(make_tender):
    return make_tender(state="open", submitted=False, evaluators=2)


def test_a_kept_page_is_served_without_rendering_and_is_the_same_html(app, open_tender):
    client = declared(app, evaluator_client(app), open_tender)
    first = client.get(sheet_path(open_tender)).get_data(as_text=True)
    with counting(app) as statements:
        again = client.get(sheet_path(open_tender)).get_data(as_text=True)
    assert len(statements) <= 3  # the login's user and the revision: nothing of the sheet
    assert TOKEN.sub("", again) == TOKEN.sub("", first)


def test_with_the_cache_off_every_get_renders(database_url, make_tender):
    app = make_app(database_url, PAGE_CACHE_BYTES=0)  # on the `app` fixture's database
    tender = make_tender(state="open", submitted=False, evaluators=1)
    client = declared(app, evaluator_client(app), tender)
    client.get(sheet_path(tender))
    with counting(app) as statements:
        client.get(sheet_path(tender))
    assert len(statements) > 5


def test_a_saved_draft_shows_on_the_next_get(app, open_tender):
    client = declared(app, evaluator_client(app), open_tender)
    assert checked(client.get(sheet_path(open_tender)).get_data(as_text=True), "fit") == ""
    response = client.post(sheet_path(open_tender), data={"version": "0", "save": "1",
                                                          "value-fit": "partial",
                                                          "comment-fit": "half of it"})
    assert response.status_code == 302
    client.get(sheet_path(open_tender))  # shows the flash
    page = client.get(sheet_path(open_tender)).get_data(as_text=True)
    assert checked(page, "fit") == "partial" and "half of it" in page
    assert 'name="version" value="1"' in page


def test_a_change_by_the_service_shows_on_the_next_get(app, open_tender):
    client = declared(app, evaluator_client(app), open_tender)
    client.get(sheet_path(open_tender))
    with app.test_request_context():
        sheets.save_sheet(get_session(), open_tender.id, open_tender.vendors["Alpha"],
                          evaluator=as_user(app, "eval1"), version=0,
                          values={"fit": "full"}, comments={}, submit=False)
    assert checked(client.get(sheet_path(open_tender)).get_data(as_text=True), "fit") == "full"


def test_two_evaluators_never_see_each_others_sheet(app, make_user, make_tender):
    for username in ("eval1", "eval2"):  # people of the same name are still two people
        make_user(username, display_name="Wang Wei")
    open_tender = make_tender(state="open", submitted=False, evaluators=2)
    first = declared(app, evaluator_client(app, "eval1"), open_tender)
    second = declared(app, evaluator_client(app, "eval2"), open_tender)
    with app.test_request_context():
        for username, value in (("eval1", "partial"), ("eval2", "none")):
            sheets.save_sheet(get_session(), open_tender.id, open_tender.vendors["Alpha"],
                              evaluator=as_user(app, username), version=0,
                              values={"fit": value}, comments={"fit": f"by {username}"},
                              submit=False)
    for _ in range(2):  # rendered, then kept
        mine = first.get(sheet_path(open_tender)).get_data(as_text=True)
        theirs = second.get(sheet_path(open_tender)).get_data(as_text=True)
        assert checked(mine, "fit") == "partial" and "by eval1" in mine
        assert checked(theirs, "fit") == "none" and "by eval2" in theirs


def test_the_header_names_the_user_the_page_was_asked_by(app, open_tender):
    first = declared(app, evaluator_client(app, "eval1"), open_tender)
    second = declared(app, evaluator_client(app, "eval2"), open_tender)
    for _ in range(2):
        assert "Eval1 · " in first.get(sheet_path(open_tender)).get_data(as_text=True)
        assert "Eval2 · " in second.get(sheet_path(open_tender)).get_data(as_text=True)


def test_each_language_gets_its_own_page(app, open_tender):
    client = declared(app, evaluator_client(app), open_tender)
    english = client.get(sheet_path(open_tender)).get_data(as_text=True)
    assert "Save draft" in english
    client.post("/language", data={"lang": "zh", "next": "/"})
    chinese = client.get(sheet_path(open_tender)).get_data(as_text=True)
    assert "Save draft" not in chinese and 'lang="zh-Hans"' in chinese
    client.post("/language", data={"lang": "en", "next": "/"})
    assert "Save draft" in client.get(sheet_path(open_tender)).get_data(as_text=True)


def test_each_address_gets_its_own_page(app, open_tender):
    client = declared(app, evaluator_client(app), open_tender)
    alpha = client.get(sheet_path(open_tender)).get_data(as_text=True)
    beta = client.get(sheet_path(open_tender, "Beta")).get_data(as_text=True)
    assert "<h1>Alpha</h1>" in alpha and "<h1>Beta</h1>" in beta


def test_closing_scoring_makes_the_sheet_read_only_at_once(app, open_tender):
    client = declared(app, evaluator_client(app), open_tender)
    assert "Save draft" in client.get(sheet_path(open_tender)).get_data(as_text=True)
    with app.test_request_context():
        lifecycle.transition(get_session(), open_tender.id, "close",
                             actor=as_user(app, open_tender.chair))
    page = client.get(sheet_path(open_tender)).get_data(as_text=True)
    assert "Save draft" not in page and "Scoring is closed" in page


def test_a_document_uploaded_shows_on_the_sheet_at_once(app, open_tender, chair):  # noqa: F811
    client = declared(app, evaluator_client(app), open_tender)
    assert "alpha-offer.pdf" not in client.get(sheet_path(open_tender)).get_data(as_text=True)
    assert upload(chair, open_tender, PDF, name="alpha-offer.pdf", criterion="fit").status_code \
        == 302
    assert "alpha-offer.pdf" in client.get(sheet_path(open_tender)).get_data(as_text=True)


def test_a_logged_out_session_gets_no_kept_page(app, open_tender):
    client = declared(app, evaluator_client(app), open_tender)
    client.get(sheet_path(open_tender))
    with app.test_request_context():
        users.end_sessions(get_session(), as_user(app, "eval1").id)
    response = client.get(sheet_path(open_tender))
    assert response.status_code == 302 and "/login" in response.location


def test_a_flash_is_shown_once_and_never_kept(app, open_tender):
    client = declared(app, evaluator_client(app), open_tender)
    client.get(sheet_path(open_tender))
    client.post(sheet_path(open_tender), data={"version": "0", "save": "1", "value-fit": "full"})
    assert "Draft saved." in client.get(sheet_path(open_tender)).get_data(as_text=True)
    assert "Draft saved." not in client.get(sheet_path(open_tender)).get_data(as_text=True)
    other = declared(app, evaluator_client(app, "eval2"), open_tender)
    assert "Draft saved." not in other.get(sheet_path(open_tender)).get_data(as_text=True)


def test_each_session_gets_its_own_csrf_token_on_a_kept_page(database_url, make_tender):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    tender = make_tender(state="open", submitted=False, evaluators=1)

    def browser():
        client = app.test_client()
        token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"csrf_token": token, "username": "eval1",
                                    "password": "correct-horse-1"})
        client.get("/tenders/")  # the welcome message is shown and gone
        return client

    first, second = browser(), browser()
    page = first.get(f"/tenders/{tender.id}/evaluate").get_data(as_text=True)
    first.post(f"/tenders/{tender.id}/evaluate/conflicts",
               data={"no_conflict": "y", "csrf_token": TOKEN.search(page).group(1)})
    first.get(f"/tenders/{tender.id}/evaluate")
    rendered = first.get(sheet_path(tender)).get_data(as_text=True)
    with counting(app) as statements:
        kept = second.get(sheet_path(tender)).get_data(as_text=True)
    assert len(statements) <= 3  # served from the cache
    assert TOKEN.sub("", kept) == TOKEN.sub("", rendered)
    theirs, mine = TOKEN.search(rendered).group(1), TOKEN.search(kept).group(1)
    assert theirs != mine
    response = second.post(sheet_path(tender), data={"csrf_token": mine, "version": "0",
                                                     "save": "1", "value-fit": "full"})
    assert response.status_code == 302  # the token on the kept page is this session's own


@pytest.fixture
def closed_tender(make_tender):
    return make_tender(state="closed", evaluators=2)


def results_path(tender):
    return f"/tenders/{tender.id}/results"


def chair_client(app, tender):
    client = app.test_client()
    login(client, tender.chair)
    client.get("/tenders/")  # the welcome message is shown and gone
    return client


def test_a_consensus_value_shows_on_the_results_page_at_once(app, closed_tender):
    client = chair_client(app, closed_tender)
    before = client.get(results_path(closed_tender)).get_data(as_text=True)
    assert "consensus-mark" not in before
    with app.test_request_context():
        consensus.record_consensus(get_session(), closed_tender.id,
                                   actor=as_user(app, closed_tender.chair),
                                   vendor_id=closed_tender.vendors["Alpha"],
                                   criterion_key="fit", value="none", reason="agreed: no fit")
    after = client.get(results_path(closed_tender)).get_data(as_text=True)
    assert "consensus-mark" in after and "agreed: no fit" in after


def test_a_flag_review_shows_on_the_results_page_at_once(app, make_tender):
    tender = make_tender(state="closed", evaluators=3, values={
        "eval1": {"Alpha": {"plan": "0.5"}}, "eval2": {"Alpha": {"plan": "5"}}})
    client = chair_client(app, tender)
    page = client.get(results_path(tender)).get_data(as_text=True)
    with app.test_request_context():
        session = get_session()
        flags = results.checks_for(results.result_for(session, tender.id)).flags
        decisions.review_flag(session, tender.id, actor=as_user(app, tender.chair),
                              flag_id=flags[0].id, note="talked it through on Monday")
    assert f"{len(flags)} of {len(flags)} flags still need a review note" in page
    after = client.get(results_path(tender)).get_data(as_text=True)
    assert f"{len(flags) - 1} of {len(flags)} flags still need a review note" in after


def test_opening_the_price_envelope_shows_the_bids_on_the_sheet_at_once(app, make_tender):
    tender = make_tender(state="closed", prices_opened=False, can_see_prices=True)
    client = evaluator_client(app)
    sealed = client.get(sheet_path(tender)).get_data(as_text=True)
    assert "Submitted" in sealed and "Bid prices" not in sealed
    kept = client.get(sheet_path(tender)).get_data(as_text=True)
    assert TOKEN.sub("", kept) == TOKEN.sub("", sealed)
    with app.test_request_context():
        lifecycle.open_prices(get_session(), tender.id, actor=as_user(app, tender.chair))
    assert "Bid prices" in client.get(sheet_path(tender)).get_data(as_text=True)


def test_a_changed_bid_shows_on_the_results_page_at_once(app, closed_tender):
    from selector.services import setup

    client = chair_client(app, closed_tender)
    assert "123,456.00" not in client.get(results_path(closed_tender)).get_data(as_text=True)
    with app.test_request_context():
        session = get_session()
        tender_id, actor = closed_tender.id, as_user(app, closed_tender.chair)
        for criterion in results.result_for(session, tender_id).input.template.price_criteria():
            setup.set_bid(session, tender_id, actor=actor,
                          vendor_id=closed_tender.vendors["Beta"], component=criterion.id,
                          amount=Decimal("123456"), currency=None, reason="typo in the bid",
                          confirmed=True)
    assert "123,456.00" in client.get(results_path(closed_tender)).get_data(as_text=True)


def test_the_results_page_in_both_languages(app, closed_tender):
    client = chair_client(app, closed_tender)
    english = client.get(results_path(closed_tender)).get_data(as_text=True)
    client.post("/language", data={"lang": "zh", "next": "/"})
    chinese = client.get(results_path(closed_tender)).get_data(as_text=True)
    assert 'lang="zh-Hans"' in chinese and 'lang="zh-Hans"' not in english.split("<body")[0]
    client.post("/language", data={"lang": "en", "next": "/"})
    assert TOKEN.sub("", client.get(results_path(closed_tender)).get_data(as_text=True)) == \
        TOKEN.sub("", english)


def test_an_observer_does_not_get_the_chairs_results_page(app, make_tender, make_user):
    tender = make_tender(state="finalised", evaluators=2)
    make_user("observer", "observer")
    chairing = chair_client(app, tender)
    assert "Chair · " in chairing.get(results_path(tender)).get_data(as_text=True)
    observer = app.test_client()
    login(observer, "observer")
    observer.get("/tenders/")
    seen = observer.get(results_path(tender)).get_data(as_text=True)
    assert "Observer" in seen and "Chair ·" not in seen
