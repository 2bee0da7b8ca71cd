"""The audit log in the app: a tender's for its chair and observers, the system's for admins;
filters by person, kind and dates (bad ones a 422, never a 500); pages of constant cost;
sentences with before → after; exports as CSV and xlsx with formulas neutralised."""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import event, select

from selector.services.setup import set_rate
from selector.store.db import get_database, get_session
from selector.store.models import AuditEvent, User
from tests.web.conftest import login


def _text(response) -> str:
    page = response.get_data(as_text=True)
    main = page[page.index("<main"):page.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _user_id(app, username):
    with app.app_context():
        return get_session().scalar(select(User.id).where(User.username == username))


@pytest.fixture
def closed(app, make_tender, make_user):
    """A closed tender whose chair set a consensus with a formula-like reason."""
    make_user("observer", "observer")
    make_user("admin", "admin")
    setup = make_tender(state="closed", name="CRM/2026 <选型>")
    chair = _client(app, setup.chair)
    response = chair.post(f"/tenders/{setup.id}/consensus", data={
        "vendor": setup.vendors["Alpha"], "criterion": "fit", "value": "partial",
        "reason": "=HYPERLINK(\"http://x\")"})
    assert response.status_code == 302
    chair.setup = setup
    return chair


def test_who_reads_which_log(app, closed, make_tender, make_user):
    setup = closed.setup
    url = f"/tenders/{setup.id}/history"
    assert closed.get(url).status_code == 200
    assert _client(app, "eval1").get(url).status_code == 403
    assert _client(app, "observer").get(url).status_code == 404  # not final yet
    admin = _client(app, "admin")
    assert admin.get(url).status_code == 403
    make_user("chair2", "chair")
    assert _client(app, "chair2").get(url).status_code == 404
    assert closed.get("/admin/log").status_code == 403
    assert admin.get("/admin/log").status_code == 200
    final = make_tender(state="finalised", chair="chair")
    assert _client(app, "observer").get(f"/tenders/{final.id}/history").status_code == 200


def test_the_admin_log_tells_logins_failed_logins_and_users_by_name(app, closed):
    app.test_client().post("/login", data={"username": "eval1", "password": "wrong-1234567"})
    page = _text(_client(app, "admin").get("/admin/log"))
    assert "A login as Eval1 failed" in page
    assert "Admin logged in" in page
    assert "created the user" in page
    assert "set the consensus" not in page  # a tender's event is in the tender's log


def test_the_tender_log_shows_entries_before_and_after_once_results_may_be_seen(
    app, make_tender
):
    setup = make_tender(state="open", submitted=False)
    member = _client(app, "eval1")
    member.post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
    url = f"/tenders/{setup.id}/evaluate/{setup.vendors['Alpha']}"
    member.post(url, data={"version": "0", "save": "1", "value-fit": "full", "comment-fit": "ok"})
    member.post(url, data={"version": "1", "save": "1", "value-fit": "partial",
                           "comment-fit": "gaps"})
    chair = _client(app, setup.chair)
    blind = _text(chair.get(f"/tenders/{setup.id}/history"))
    assert "entries changed: their values are shown once scoring is closed" in blind
    assert "gaps" not in blind
    chair.post(f"/tenders/{setup.id}/close", data={})
    seen = _text(chair.get(f"/tenders/{setup.id}/history?kind=scoring"))
    assert ("Eval1 · Alpha · Functional fit: Meets the requirement “ok” → Partially meets "
            "“gaps”") in seen
    chair.post("/language", data={"lang": "zh", "next": "/"})
    zh = _text(chair.get(f"/tenders/{setup.id}/history?kind=scoring"))
    assert "Eval1 · Alpha · 功能匹配:满足「ok」 → 部分满足「gaps」" in zh


def test_filters_by_person_kind_and_dates(app, closed):
    setup = closed.setup
    url = f"/tenders/{setup.id}/history"
    mine = _text(closed.get(f"{url}?person={_user_id(app, 'eval2')}"))
    assert "Eval2 declared no conflict" in mine and "Chair assigned" not in mine
    consensus = _text(closed.get(f"{url}?kind=decisions"))
    assert "set the consensus" in consensus and "declared" not in consensus
    assert "No event matches" in _text(closed.get(f"{url}?since=2999-01-01"))
    assert "set the consensus" in _text(closed.get(f"{url}?since=2000-01-01&until=2999-12-31"))


@pytest.mark.parametrize("query,message", [
    ("since=yesterday", "Write the date as YYYY-MM-DD"),
    ("since=2026-02-30", "Write the date as YYYY-MM-DD"),
    ("since=2026-12-02&until=2026-12-01", "The end date is before the start date"),
    ("person=999999", "Choose one from the list"),
    ("person=abc", "Choose one from the list"),
    ("kind=nope", "Choose one from the list"),
    ("page=-1", "Write a page number"),
    ("page=99999999999999999999", "Write a page number"),
])
def test_bad_filters_are_a_422_naming_the_field_never_a_500(app, closed, query, message):
    response = closed.get(f"/tenders/{closed.setup.id}/history?{query}")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    export = closed.get(f"/tenders/{closed.setup.id}/history.csv?{query}")
    assert export.status_code == 422


def test_bad_filters_speak_chinese_too(app, closed):
    closed.post("/language", data={"lang": "zh", "next": "/"})
    response = closed.get(f"/tenders/{closed.setup.id}/history?since=yesterday")
    assert response.status_code == 422
    assert "请按 YYYY-MM-DD 格式填写日期" in response.get_data(as_text=True)


def test_pages_cost_the_same_queries_however_long_the_log(app, closed):
    setup = closed.setup

    def queries_for(page):
        count = {"n": 0}

        def counter(*_args, **_kwargs):
            count["n"] += 1

        engine = get_database(app).engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            response = closed.get(f"/tenders/{setup.id}/history?page={page}")
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        assert response.status_code == 200
        return count["n"], _text(response)

    with app.test_request_context():
        events = get_session().execute(
            select(AuditEvent.id).where(AuditEvent.tender_id == setup.id)).all()
        assert len(events) < 50
    short, _page = queries_for(1)
    with app.test_request_context():
        session = get_session()
        chair = session.scalar(select(User).where(User.username == setup.chair))
        _reopen_and_set_rates(session, setup.id, chair, 120)
    long_first, first = queries_for(1)
    long_last, last = queries_for(3)
    # a fixed number of queries (one fewer where no event names a person), never one per event
    assert long_first <= short and long_last <= short <= 12
    assert "Page 1 of 3" in first and "Page 3 of 3" in last
    assert first.count(" · Bids and rates") == 50


def _reopen_and_set_rates(session, tender_id, chair, count):
    from selector.services import lifecycle

    lifecycle.transition(session, tender_id, "reopen", actor=chair, reason="more rates")
    for index in range(count):
        set_rate(session, tender_id, actor=chair, currency="USD", rate=Decimal(7 + index),
                 reason="the rate of the day", confirmed=True)  # the envelope is open


def test_the_csv_and_xlsx_exports_neutralise_formulas_and_are_recorded(app, closed):
    setup = closed.setup
    response = closed.get(f"/tenders/{setup.id}/history.csv?kind=decisions")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "audit-log-CRM-2026-" in disposition and "/" not in disposition.split("filename")[1]
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "#,Time (UTC),Person,Kind,Event,Details,From"
    assert "reason: =HYPERLINK" in text  # inside a cell, not at its start: inert
    assert "Chair set the consensus of Alpha · Functional fit to Partially meets" in text
    response = closed.get(f"/tenders/{setup.id}/history.xlsx?kind=decisions")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    with app.app_context():
        exports = get_session().scalars(
            select(AuditEvent).where(AuditEvent.action == "log.export")).all()
        assert [(e.tender_id, e.detail["format"], e.detail["filters"]) for e in exports] == [
            (setup.id, "csv", {"kind": "decisions"}), (setup.id, "xlsx", {"kind": "decisions"})]


def test_a_cell_that_starts_like_a_formula_is_written_as_text(app, make_tender, make_user):
    make_user("evil", "chair", display_name="=1+2")
    setup = make_tender(state="closed", chair="evil")
    chair = _client(app, "evil")
    response = chair.get(f"/tenders/{setup.id}/history.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'=1+2" in texts and not [t for t in texts if t.startswith("=")]
    csv_text = chair.get(f"/tenders/{setup.id}/history.csv").data.decode("utf-8-sig")
    assert ",'=1+2," in csv_text and not re.search(r'(^|,)"?=', csv_text, re.M)


def test_a_command_line_export_shows_who_ran_it_in_both_languages(
    app, exported_on_the_command_line
):
    setup = exported_on_the_command_line
    chair = _client(app, setup.chair)
    url = f"/tenders/{setup.id}/history?kind=downloads"
    page = _text(chair.get(url))
    assert "operator7 on the command line downloaded the workbook (xlsx)" in page
    assert "a deleted user" not in page and "os_user" not in page
    export = chair.get(f"/tenders/{setup.id}/history.csv?kind=downloads")
    assert ",operator7 on the command line," in export.data.decode("utf-8-sig")
    chair.post("/language", data={"lang": "zh", "next": "/"})
    zh = _text(chair.get(url))
    assert "命令行用户 operator7 下载了电子表格(xlsx)" in zh
