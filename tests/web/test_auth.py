"""Logging in and out, sessions that really end, CSRF, the language switch."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import PASSWORD, login, make_app


def test_the_login_form_posts_username_password_and_csrf_token(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    page = app.test_client().get("/login").get_data(as_text=True)
    for name in ("username", "password", "csrf_token"):
        assert f'name="{name}"' in page


def test_a_right_password_logs_in_and_a_wrong_one_names_the_problem(client, make_user):
    make_user("chair", "chair")
    response = client.post("/login", data={"username": "chair", "password": "wrong-password"})
    assert response.status_code == 200
    assert "The username or password is wrong" in response.get_data(as_text=True)
    response = client.post("/login", data={"username": "chair", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/tenders/").status_code == 200


def test_the_wrong_password_message_is_chinese_after_switching(client, make_user):
    make_user("chair", "chair")
    client.post("/language", data={"lang": "zh", "next": "/login"})
    response = client.post("/login", data={"username": "chair", "password": "nope-nope"})
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_empty_login_fields_are_named(client):
    page = client.post("/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert "Username: This field is required." in page
    assert "Password: This field is required." in page


def test_usernames_are_case_insensitive(client, make_user):
    make_user("chair", "chair")
    assert (
        client.post("/login", data={"username": " CHAIR ", "password": PASSWORD}).status_code == 302
    )


def test_pages_need_a_login(client):
    response = client.get("/tenders/")
    assert response.status_code == 302
    assert "/login?next=" in response.location


def test_the_api_answers_401_json_without_a_login(client):
    response = client.get("/api/tenders")
    assert response.status_code == 401
    assert response.get_json() == {"error": "login required"}


def test_logout_ends_the_session_on_the_server_even_for_a_copied_cookie(client, make_user, app):
    make_user("chair", "chair")
    login(client, "chair")
    cookie = client.get_cookie("selector_session").value
    thief = app.test_client()
    thief.set_cookie("selector_session", cookie)
    assert thief.get("/tenders/").status_code == 200
    client.post("/logout")
    assert client.get("/tenders/").status_code == 302
    # The copied cookie still says "logged in", but its session token was rotated.
    assert thief.get("/tenders/").status_code == 302


def test_logout_needs_post(client, make_user):
    make_user("chair", "chair")
    login(client, "chair")
    assert client.get("/logout").status_code == 405
    assert client.get("/tenders/").status_code == 200


def test_disabling_a_user_ends_their_session_at_once(client, make_user, app):
    make_user("admin", "admin")
    make_user("chair", "chair")
    chair = app.test_client()
    login(chair, "chair")
    login(client, "admin")
    from selector.services.users import find_user
    from selector.store.db import get_session

    with app.test_request_context():
        chair_id = find_user(get_session(), "chair").id
    disabled = client.post(f"/admin/users/{chair_id}/disable", data={"confirmed": "1"})
    assert disabled.status_code == 302
    assert chair.get("/tenders/").status_code == 302
    response = chair.post("/login", data={"username": "chair", "password": PASSWORD})
    assert response.status_code == 200  # refused


def test_login_never_redirects_to_another_site(client, make_user):
    make_user("chair", "chair")
    response = client.post(
        "/login?next=//evil.example/x", data={"username": "chair", "password": PASSWORD}
    )
    assert response.location == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/tenders/", data={"username": "chair", "password": PASSWORD}
    )
    assert response.location == "/tenders/"


def test_login_starts_a_fresh_session(client, make_user):
    make_user("chair", "chair")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "chair")
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    "path,data",
    [
        ("/login", {"username": "chair", "password": PASSWORD}),
        ("/language", {"lang": "zh"}),
    ],
)
def test_csrf_is_enforced_when_enabled(database_url, make_user, path, data):
    make_user("chair", "chair")
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)


def test_a_form_with_its_csrf_token_is_accepted(database_url, make_user):
    make_user("chair", "chair")
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token
    response = client.post(
        "/login", data={"username": "chair", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302


def test_every_post_form_on_a_page_carries_a_csrf_token(database_url, make_tender):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        pass
    setup = make_tender(state="draft")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'value="([^"]+)"', page[page.find("csrf_token") :]).group(1)
    client.post("/login", data={"username": "chair", "password": PASSWORD, "csrf_token": token})
    for path in (f"/tenders/{setup.id}", "/tenders/new", f"/tenders/{setup.id}/open"):
        html = client.get(path).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        assert forms, path
        for form in forms:
            assert "csrf_token" in form, (path, form[:200])


def test_the_language_switch_is_remembered(client):
    client.post("/language", data={"lang": "zh", "next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/login"})
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_the_language_survives_login_and_logout(client, make_user):
    make_user("chair", "chair")
    client.post("/language", data={"lang": "zh", "next": "/login"})
    login(client, "chair")
    assert "评审项目" in client.get("/tenders/").get_data(as_text=True)
    client.post("/logout")
    assert "您已退出登录" in client.get("/login").get_data(as_text=True)


def test_the_browser_language_is_the_default(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录" in page.get_data(as_text=True)
    assert 'lang="zh-Hans"' in page.get_data(as_text=True)


def test_the_language_switch_only_returns_to_local_pages(client):
    response = client.post("/language", data={"lang": "zh", "next": "https://evil.example/"})
    assert response.location == "/"


def test_an_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx", "next": "/login"})
    assert "Log in" in client.get("/login").get_data(as_text=True)
