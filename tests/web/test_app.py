"""The application factory, configuration, health check and security headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from selector import create_app
from selector.config import instance_path, load_config, normalise_database_url
from selector.store.db import configured_database
from tests.web.conftest import login, make_app


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_config_overrides_environment_which_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("SELECTOR_ORGANISATION", "Env Org")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["ORGANISATION"] == "Env Org"
    app = create_app({"ORGANISATION": "Test Org", "SECRET_KEY": "from-test"})
    assert app.config["ORGANISATION"] == "Test Org"
    assert app.config["SECRET_KEY"] == "from-test"


def test_the_command_line_opens_the_database_the_app_uses(monkeypatch, tmp_path):
    monkeypatch.setenv("SELECTOR_DATABASE_URL", f"postgres://u@h/{tmp_path.name}")
    app = create_app({"SECRET_KEY": "k"})
    database = configured_database()
    assert app.config["DATABASE_URL"] == f"postgresql+psycopg://u@h/{tmp_path.name}"
    assert database.url.render_as_string() == app.config["DATABASE_URL"]
    database.dispose()


def test_without_a_database_url_both_use_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SELECTOR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "config.py").write_text("TIMEZONE = 'Asia/Shanghai'\n")
    config = load_config(str(tmp_path))
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'selector.db'}"
    assert config["TIMEZONE"] == "Asia/Shanghai"
    assert create_app({"SECRET_KEY": "k"}).instance_path == instance_path()


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_secret_key_is_made_once_and_kept_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from selector import _instance_secret_key

    first = _instance_secret_key(str(tmp_path))
    assert len(first) == 64
    assert _instance_secret_key(str(tmp_path)) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_cookies_are_secure_httponly_samesite_with_a_lifetime(database_url):
    app = make_app(database_url, SESSION_COOKIE_SECURE=True)
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


def test_login_cookie_carries_the_security_flags(app, make_user, database_url):
    make_user("chair", "chair")
    secure = make_app(database_url, SESSION_COOKIE_SECURE=True)
    client = secure.test_client()
    response = client.post("/login", data={"username": "chair", "password": "correct-horse-1"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a permanent session with a lifetime, not a browser session


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_logged_in_pages_are_not_cached(client, make_user):
    make_user("chair", "chair")
    login(client, "chair")
    assert client.get("/tenders/").headers["Cache-Control"] == "no-store"


def test_an_oversized_upload_is_refused_with_413(client, make_tender):
    setup = make_tender()
    login(client, "chair")
    big = b"vendor,component,amount\n" + b"A,fee,1\n" * 400_000
    from io import BytesIO

    response = client.post(
        f"/tenders/{setup.id}/bids/upload",
        data={"bids_file": (BytesIO(big), "bids.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_unknown_pages_answer_404_with_a_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "There is no such page" in response.get_data(as_text=True)


def test_the_factory_builds_independent_apps(database_url, tmp_path):
    first = make_app(database_url)
    second = make_app(f"sqlite:///{tmp_path / 'other.db'}")
    assert first is not second
    assert first.extensions["selector.db"] is not second.extensions["selector.db"]


@pytest.mark.parametrize("path", ["/static/app.css", "/static/app.js"])
def test_static_files_are_served(client, path):
    assert client.get(path).status_code == 200


def test_templates_and_static_live_at_the_project_root(app):
    assert Path(app.template_folder).name == "templates"
    assert Path(app.static_folder).name == "static"
