"""Sign-off in the app: each member approves or dissents (re-entering their password), the
chair signs last, each sign-off is an audit event, and the PDF's sign-off page says it all."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from sqlalchemy import func, select

from selector.services.record import verify
from selector.store.db import get_session
from selector.store.models import AuditEvent, SignOff, User
from tests.web.conftest import PASSWORD, login


def _actions(app):
    with app.app_context():
        return list(get_session().scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _signoffs(app, tender_id):
    with app.app_context():
        return get_session().scalar(
            select(func.count()).select_from(SignOff).where(SignOff.tender_id == tender_id))


def _user_id(app, username):
    with app.app_context():
        return get_session().scalar(select(User.id).where(User.username == username))


def _sign(client, tender_id, decision="approve", reason="", password=PASSWORD):
    return client.post(f"/tenders/{tender_id}/signoff", data={
        "decision": decision, "reason": reason, "password": password})


def _pdf_text(client, tender_id, lang="en"):
    response = client.get(f"/tenders/{tender_id}/report.pdf?lang={lang}")
    assert response.status_code == 200, response.status_code
    pages = pypdf.PdfReader(io.BytesIO(response.data)).pages
    return re.sub(r"\s+", " ", pages[-1].extract_text() or "")


@pytest.fixture
def final(make_tender):
    return make_tender(state="finalised", evaluators=2)


def test_a_wrong_password_is_refused_recorded_and_signs_nothing(app, final):
    client = app.test_client()
    login(client, "eval1")
    response = _sign(client, final.id, password="not-my-password")
    assert response.status_code == 422
    assert "The password is wrong" in response.get_data(as_text=True)
    assert _signoffs(app, final.id) == 0
    assert _actions(app)[-1] == "reauth.failed"


def test_a_dissent_needs_its_reasons_bounded_and_without_control_characters(app, final):
    client = app.test_client()
    login(client, "eval1")
    for reason, message in (("", "Write the reasons for your dissent"),
                            ("bad\x07bell", "control character"),
                            ("x" * 2001, "2000")):
        response = _sign(client, final.id, "dissent", reason)
        assert response.status_code == 422, reason[:10]
        assert message in response.get_data(as_text=True), reason[:10]
    assert _signoffs(app, final.id) == 0


def test_the_chair_signs_last_after_approvals_dissents_or_recorded_absences(app, final):
    chair = app.test_client()
    login(chair, final.chair)
    response = _sign(chair, final.id)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The chair signs last" in page and "Eval1" in page and "Eval2" in page
    member = app.test_client()
    login(member, "eval1")
    dissent = _sign(member, final.id, "dissent", "Beta's support plan was scored too high")
    assert dissent.status_code == 302
    assert _sign(member, final.id).status_code == 422  # once only
    assert "Awaiting sign-off: Eval2" in chair.get(f"/tenders/{final.id}/signoff").get_data(
        as_text=True)
    response = chair.post(f"/tenders/{final.id}/signoff/{_user_id(app, 'eval2')}/absent",
                          data={"reason": ""})
    assert response.status_code == 422
    response = chair.post(f"/tenders/{final.id}/signoff/{_user_id(app, 'eval2')}/absent",
                          data={"reason": "On leave until March"})
    assert response.status_code == 302
    assert _sign(chair, final.id).status_code == 302
    assert _actions(app)[-3:] == ["signoff.dissent", "signoff.absent", "signoff.chair"]
    page = chair.get(f"/tenders/{final.id}/signoff").get_data(as_text=True)
    assert "Sign-off complete" in page


def test_observers_read_the_sign_off_and_others_are_refused(app, final, make_user):
    make_user("observer", "observer")
    make_user("admin", "admin")
    observer = app.test_client()
    login(observer, "observer")
    assert observer.get(f"/tenders/{final.id}/signoff").status_code == 200
    assert _sign(observer, final.id).status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    assert admin.get(f"/tenders/{final.id}/signoff").status_code == 403


def test_reopening_removes_the_sign_offs_and_the_record_still_verifies(app, final):
    member = app.test_client()
    login(member, "eval1")
    assert _sign(member, final.id).status_code == 302
    chair = app.test_client()
    login(chair, final.chair)
    assert chair.post(f"/tenders/{final.id}/reopen", data={"reason": "a typo"}).status_code == 302
    assert _signoffs(app, final.id) == 0
    with app.app_context():
        assert verify(get_session(), final.id).problems == []


def test_the_pdf_shows_awaiting_then_approvals_and_dissent_in_both_languages(app, final):
    chair = app.test_client()
    login(chair, final.chair)
    before = _pdf_text(chair, final.id)
    assert "Awaiting sign-off: Eval1, Eval2" in before
    member = app.test_client()
    login(member, "eval1")
    assert _sign(member, final.id).status_code == 302
    other = app.test_client()
    login(other, "eval2")
    assert _sign(other, final.id, "dissent", "The price tiers favour Alpha").status_code == 302
    assert _sign(chair, final.id).status_code == 302
    after = _pdf_text(chair, final.id)  # not the cached PDF of before: the key moved
    assert "Sign-off complete" in after and "Approved" in after
    assert "Dissent: The price tiers favour Alpha" in after
    zh = _pdf_text(chair, final.id, "zh")
    assert "签字完成" in zh and "不同意见:The price tiers favour Alpha" in zh and "同意" in zh
