"""Sessions end server-side: idle and absolute lifetimes, logout and disabling, copied cookies."""

from __future__ import annotations

import time

import pytest

from tests.security.helpers import body, login


def _age(client, **seconds_ago):
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time() - ago)


@pytest.fixture
def chair(client, make_user):
    make_user("chair", "chair")
    login(client, "chair")
    return client


def test_a_fresh_session_works(chair):
    assert chair.get("/tenders/").status_code == 200


def test_a_session_idle_too_long_ends_with_a_message(chair):
    _age(chair, seen_at=3 * 3600)
    response = chair.get("/tenders/")
    assert response.status_code == 302
    assert "/login" in response.location
    page = body(chair.get(response.location))
    assert "minutes without activity" in page
    assert chair.get("/tenders/").status_code == 302  # and it stays ended


def test_a_session_older_than_the_absolute_lifetime_ends_even_when_active(chair):
    _age(chair, login_at=13 * 3600, seen_at=10)
    response = chair.get("/tenders/")
    assert response.status_code == 302
    assert "hours after you logged in" in body(chair.get(response.location))


def test_an_expired_session_answers_the_api_with_401_json(chair):
    _age(chair, seen_at=3 * 3600)
    response = chair.get("/api/tenders")
    assert response.status_code == 401
    assert response.get_json()["error"] == "session expired"


def test_a_session_without_its_login_time_is_not_accepted(chair):
    with chair.session_transaction() as session:
        session.pop("login_at")
    assert chair.get("/tenders/").status_code == 302


def test_activity_keeps_a_session_alive(chair, app):
    _age(chair, seen_at=3000)  # 50 minutes: within the 2-hour idle lifetime
    assert chair.get("/tenders/").status_code == 200
    with chair.session_transaction() as session:
        assert time.time() - session["seen_at"] < 60


def test_the_lifetimes_are_configurable(chair, app):
    app.config["SESSION_IDLE_LIFETIME"] = 30  # seconds
    _age(chair, seen_at=31)
    assert chair.get("/tenders/").status_code == 302


def test_a_copied_cookie_ends_at_the_originals_absolute_lifetime(chair, app):
    _age(chair, login_at=13 * 3600, seen_at=0)
    thief = app.test_client()
    thief.set_cookie("selector_session", chair.get_cookie("selector_session").value)
    assert thief.get("/tenders/").status_code == 302


def test_a_copied_cookie_stops_working_after_logout(chair, app):
    thief = app.test_client()
    thief.set_cookie("selector_session", chair.get_cookie("selector_session").value)
    assert thief.get("/tenders/").status_code == 200
    chair.post("/logout")
    assert thief.get("/tenders/").status_code == 302
    assert thief.post("/tenders/new", data={"name": "x"}).status_code == 302


def test_a_copied_cookie_stops_working_when_the_user_is_disabled(app, client, make_user, runner):
    make_user("chair", "chair")
    login(client, "chair")
    cookie = client.get_cookie("selector_session").value
    assert runner.invoke(["user", "disable", "chair"]).exit_code == 0
    thief = app.test_client()
    thief.set_cookie("selector_session", cookie)
    assert thief.get("/tenders/").status_code == 302
    assert client.get("/api/tenders").status_code == 401
