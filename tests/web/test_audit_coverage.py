"""Reading and refusals are in the record too: logins and failed logins (never a password),
access denials, downloads of reports, letters and exports."""

from __future__ import annotations

import json

from sqlalchemy import select

from selector.store.db import get_session
from selector.store.models import AuditEvent
from tests.web.conftest import PASSWORD, login


def _events(app, action=None):
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            query = query.where(AuditEvent.action == action)
        return [
            (e.action, e.actor_id, e.tender_id, dict(e.detail or {}))
            for e in get_session().scalars(query)
        ]


def _user_id(app, username):
    from selector.store.models import User

    with app.app_context():
        return get_session().scalar(select(User.id).where(User.username == username))


def test_a_login_and_a_failed_login_are_recorded_without_any_password(app, client, make_user):
    make_user("alice", "chair")
    client.post("/login", data={"username": "alice", "password": "wrong-password-9"})
    client.post("/login", data={"username": "correct-horse-1", "password": "x"})  # unknown
    login(client, "alice")
    failed = _events(app, "login.failed")
    assert [detail for _a, _u, _t, detail in failed] == [{"username": "alice"}, {}]
    assert _events(app, "login")[-1][1] == _user_id(app, "alice")
    everything = json.dumps(_events(app), ensure_ascii=False)
    assert PASSWORD not in everything and "wrong-password-9" not in everything
    assert "correct-horse-1" not in everything


def test_a_refused_page_is_recorded_as_a_denial_on_its_tender(app, client, make_tender, make_user):
    setup = make_tender(state="open")
    make_user("observer", "observer")
    login(client, "eval1")
    assert client.get(f"/tenders/{setup.id}/results").status_code == 403
    denied = _events(app, "access.denied")
    assert denied == [("access.denied", _user_id(app, "eval1"), setup.id,
                       {"status": 403, "path": f"/tenders/{setup.id}/results"})]


def test_a_hidden_tender_is_a_denial_and_an_unknown_one_names_no_tender(
    app, client, make_tender, make_user
):
    setup = make_tender(state="open")
    make_user("observer", "observer")
    login(client, "observer")
    assert client.get(f"/tenders/{setup.id}/results").status_code == 404  # not final yet
    assert client.get("/tenders/999999/results").status_code == 404
    assert client.get("/no-such-page").status_code == 404  # not a denial
    denied = [(t, d["status"], d["path"]) for _a, _u, t, d in _events(app, "access.denied")]
    assert denied == [(setup.id, 404, f"/tenders/{setup.id}/results"),
                      (None, 404, "/tenders/999999/results")]


def test_past_the_cap_refusals_are_answered_429_and_not_recorded(app, client, make_tender):
    app.config["DENIAL_LIMIT"] = "3 per minute"
    setup = make_tender(state="open")
    login(client, "eval1")
    codes = [client.get(f"/tenders/{setup.id}/results").status_code for _ in range(5)]
    assert codes == [403, 403, 403, 429, 429]
    assert len(_events(app, "access.denied")) == 3


def test_each_download_and_export_is_recorded_with_what_and_in_which_language(
    app, client, make_tender
):
    setup = make_tender(state="finalised")
    login(client, setup.chair)
    assert client.get(f"/tenders/{setup.id}/report.pdf?lang=en").status_code == 200
    assert client.get(f"/tenders/{setup.id}/export.xlsx?lang=zh").status_code == 200
    assert client.get(f"/tenders/{setup.id}/export/Summary.csv?lang=en").status_code == 200
    assert client.get(f"/tenders/{setup.id}/letters/1.pdf?lang=en").status_code == 200
    downloads = [(t, d) for _a, _u, t, d in _events(app, "report.download")]
    assert downloads == [
        (setup.id, {"document": "report", "lang": "en"}),
        (setup.id, {"document": "workbook", "lang": "zh"}),
        (setup.id, {"document": "csv", "lang": "en", "sheet": "Summary"}),
        (setup.id, {"document": "letter", "lang": "en", "vendor": "Alpha"}),
    ]


def test_a_report_and_exports_written_on_the_command_line_are_recorded_and_verify(
    app, make_tender, runner, tmp_path, monkeypatch
):
    monkeypatch.setenv("LOGNAME", "operator7")  # what getpass.getuser() reads first
    setup = make_tender(state="finalised")
    tender = str(setup.id)
    for args in (
        ["report", tender, "--lang", "en", "-q", "-o", str(tmp_path / "report.pdf")],
        ["report", tender, "--lang", "zh", "-q", "--letters", str(tmp_path / "letters")],
        ["export", tender, "--lang", "zh", "-q", "-o", str(tmp_path / "tender.xlsx")],
        ["export", tender, "-q", "--sheet", "Summary", "-o", str(tmp_path / "summary.csv")],
    ):
        outcome = runner.invoke(args)
        assert outcome.exit_code == 0, outcome.output
    downloads = [(u, t, d) for _a, u, t, d in _events(app, "report.download")]
    assert downloads == [
        (None, setup.id, {"document": "report", "lang": "en", "os_user": "operator7"}),
        (None, setup.id, {"document": "letters", "lang": "zh", "os_user": "operator7"}),
        (None, setup.id, {"document": "workbook", "lang": "zh", "os_user": "operator7"}),
        (None, setup.id,
         {"document": "csv", "lang": "en", "sheet": "Summary", "os_user": "operator7"}),
    ]
    verified = runner.invoke(["audit", "verify", "--lang", "en"])
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.output
