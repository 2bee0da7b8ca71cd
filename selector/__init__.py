"""Selector: score vendors in a tender against weighted criteria, rank them, report the decision.

`create_app(config=None)` builds the web application: defaults, then the instance config
(`instance/config.py`) and the environment (`DATABASE_URL`, `SECRET_KEY`, `SELECTOR_*`), then
the overrides a test passes in. There is no module-level app.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from selector.scoring.limits import MAX_UPLOAD_BYTES

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "SECRET_KEY": None,  # None: a random key kept in the instance folder
    "CRITERIA_DIR": str(PROJECT_ROOT / "criteria"),
    "TIMEZONE": "UTC",  # how times are shown, e.g. "Asia/Shanghai"
    # Sessions and cookies: the login cookie is HttpOnly, SameSite=Lax, Secure (HTTPS);
    # `selector serve` turns Secure off for the plain-HTTP development server.
    "SESSION_COOKIE_NAME": "selector_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SECURE": True,
    # Uploads are bids tables and template YAML: a few hundred kilobytes at most.
    "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES,
    "MAX_FORM_MEMORY_SIZE": MAX_UPLOAD_BYTES,
    "MAX_FORM_PARTS": 2000,
    # A CSRF token lives as long as the session: a long score sheet must not expire mid-way.
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "WTF_CSRF_ENABLED": True,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_TRANSLATION_DIRECTORIES": "translations",
    "SQLITE_BUSY_TIMEOUT_MS": 10000,
}


def create_app(config: dict[str, Any] | None = None) -> Any:
    """Build the Flask application. `config` overrides everything else (tests use it)."""
    from flask import Flask

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name in ("DATABASE_URL", "SECRET_KEY"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("SELECTOR")
    if config:
        app.config.from_mapping(config)

    app.config["DATABASE_URL"] = normalise_database_url(
        app.config["DATABASE_URL"] or _default_sqlite_url(app.instance_path)
    )
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    from selector.store import db
    from selector.web import register

    db.init_app(app)
    register(app)
    from selector.web import throttle
    from selector.web.downloads import bp as downloads  # the PDF report and the export

    app.register_blueprint(downloads)
    throttle.init_app(app)  # once every blueprint is there: it limits the login and downloads
    return app


def normalise_database_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` URLs: we drive PostgreSQL with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _default_sqlite_url(instance_path: str) -> str:
    os.makedirs(instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(instance_path, "selector.db")


def _instance_secret_key(instance_path: str) -> str:
    """A random key made once and kept in `instance/secret_key`, so sessions survive restarts."""
    os.makedirs(instance_path, exist_ok=True)
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
