"""With CSRF protection on (as in production), a post without this session's fresh token is
refused (400, the app's page) and changes nothing."""

from __future__ import annotations

import time

import pytest

from tests.security.helpers import PASSWORD, body, csrf_token
from tests.security.test_catalogue import snapshot


@pytest.fixture
def chair(csrf_app, make_tender):
    """A logged-in chair on a draft tender, through the real login form and its token."""
    setup = make_tender()
    client = csrf_app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": "chair", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client, setup


def _vendor(client, setup, token):
    data = {"name": "Gamma"} if token is None else {"name": "Gamma", "csrf_token": token}
    return client.post(f"/tenders/{setup.id}/vendors", data=data)


def _refused(app, response, before):
    assert response.status_code == 400
    assert "The form has expired" in body(response)
    assert snapshot(app) == before


def test_a_post_with_the_sessions_token_works(csrf_app, chair):
    client, setup = chair
    token = csrf_token(client, f"/tenders/{setup.id}")
    assert _vendor(client, setup, token).status_code == 302


def test_a_post_without_a_token_is_refused(csrf_app, chair):
    client, setup = chair
    before = snapshot(csrf_app)
    _refused(csrf_app, _vendor(client, setup, None), before)


@pytest.mark.parametrize("token", ["", "garbage", "x" * 5000, "IjEi.Zz.bad"])
def test_a_post_with_a_forged_token_is_refused(csrf_app, chair, token):
    client, setup = chair
    before = snapshot(csrf_app)
    _refused(csrf_app, _vendor(client, setup, token), before)


def test_a_token_from_another_session_is_refused(csrf_app, chair):
    client, setup = chair
    stranger = csrf_app.test_client()
    foreign = csrf_token(stranger, "/login")
    before = snapshot(csrf_app)
    _refused(csrf_app, _vendor(client, setup, foreign), before)


def test_an_expired_token_is_refused(csrf_app, chair):
    client, setup = chair
    token = csrf_token(client, f"/tenders/{setup.id}")
    csrf_app.config["WTF_CSRF_TIME_LIMIT"] = 1
    time.sleep(2.1)
    before = snapshot(csrf_app)
    _refused(csrf_app, _vendor(client, setup, token), before)


def test_a_login_without_a_token_is_refused(csrf_app, make_user):
    make_user("chair", "chair")
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "chair", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/tenders/").status_code == 302


def test_a_logout_without_a_token_keeps_the_session(csrf_app, chair):
    client, _setup = chair
    assert client.post("/logout").status_code == 400
    assert client.get("/tenders/").status_code == 200
