"""Security headers on every answer, cookies that stay on this site, no inline script to allow."""

from __future__ import annotations

import re

import pytest

from selector import PROJECT_ROOT
from tests.security.helpers import PASSWORD, login, make_app

TEMPLATES = PROJECT_ROOT / "templates"
# Rendered for WeasyPrint only (the PDF), never served to a browser.
PDF_ONLY = {"reports"}


@pytest.mark.parametrize(
    "path", ["/login", "/tenders/", "/no-such-page", "/api/tenders", "/healthz", "/static/app.js"]
)
def test_every_answer_carries_the_security_headers(client, make_user, path):
    make_user("chair", "chair")
    login(client, "chair")
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_logged_in_pages_are_not_cached(client, make_user):
    make_user("chair", "chair")
    login(client, "chair")
    assert client.get("/tenders/").headers["Cache-Control"] == "no-store"


def test_https_answers_ask_for_https_next_time(client):
    response = client.get("/login", base_url="https://selector.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_the_login_cookie_is_secure_httponly_and_samesite_lax(database_url, make_user):
    make_user("chair", "chair")
    app = make_app(database_url, SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"username": "chair", "password": PASSWORD},
        base_url="https://selector.example",
    )
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if "selector_session" in v)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def _served_templates():
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] not in PDF_ONLY:
            yield path


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("an inline <script> block", r"<script(?![^>]*\bsrc=)[^>]*>"),
        ("an event-handler attribute", r"<[^>]+\son[a-z]+\s*="),
        ("a style attribute", r"<[^>]+\sstyle\s*="),
        ("a javascript: URL", r"javascript:"),
    ],
)
def test_no_served_template_needs_what_the_csp_blocks(what, pattern):
    found = [
        str(path.relative_to(TEMPLATES))
        for path in _served_templates()
        if re.search(pattern, path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert not found, f"{what} in {found}"


def test_behind_a_trusted_proxy_the_client_address_and_scheme_are_the_forwarded_ones(
    database_url, make_user
):
    make_user("chair", "chair")
    app = make_app(database_url, TRUSTED_PROXIES=1)
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    for _ in range(20):
        client.post("/login", data={"username": "x", "password": "wrong-pass"}, headers=forwarded)
    # The proxy's other clients are not limited by one client's failures...
    other = {"X-Forwarded-For": "203.0.113.8", "X-Forwarded-Proto": "https"}
    response = client.post(
        "/login", data={"username": "chair", "password": PASSWORD}, headers=other
    )
    assert response.status_code == 302
    # ...and answers to the forwarded HTTPS ask for HTTPS next time.
    assert "Strict-Transport-Security" in client.get("/login", headers=other).headers


def test_without_trusted_proxies_forwarded_headers_are_ignored(client):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
