"""The application's settings, read the same way by the web app and the command line.

Precedence, lowest first: `DEFAULTS`, the instance config (`instance/config.py`), the
environment (`DATABASE_URL`, `SECRET_KEY`, then any `SELECTOR_*`), then the overrides a
caller passes in (tests). Without a `DATABASE_URL` the database is SQLite in the instance
folder (`instance/selector.db`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Config
from flask.sansio.scaffold import find_package

from selector.paths import CRITERIA_DIR
from selector.scoring.limits import MAX_DOCUMENT_BYTES, MAX_UPLOAD_BYTES

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "SECRET_KEY": None,  # None: a random key kept in the instance folder
    "CRITERIA_DIR": str(CRITERIA_DIR),
    "TIMEZONE": "UTC",  # how times are shown, e.g. "Asia/Shanghai"
    # Sessions and cookies: the login cookie is HttpOnly, SameSite=Lax, Secure (HTTPS);
    # `selector serve` turns Secure off for the plain-HTTP development server.
    "SESSION_COOKIE_NAME": "selector_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    # The server ends a login after SESSION_IDLE_LIFETIME without a request, and
    # SESSION_ABSOLUTE_LIFETIME after it began (selector.web.sessions); the cookie's own
    # expiry is only the browser's side of it.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "SESSION_IDLE_LIFETIME": timedelta(hours=2),
    "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=8),
    # The cookie is written when the session changes (at login, a flash, the CSRF token,
    # `seen_at` once a minute: selector.web.sessions), not re-signed on every request: the
    # server's lifetimes above end a login, not the cookie's expiry.
    "SESSION_REFRESH_EACH_REQUEST": False,
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
    # Reports render in a task queue (selector/queue.py): None = SQLite in the instance
    # folder, or "redis://…", or "immediate" (in the request). Rendered files are kept in
    # REPORT_CACHE_DIR (None = instance/reports).
    "QUEUE_URL": None,
    "REPORT_CACHE_DIR": None,
    # The score sheet and results pages, rendered once per user, language and revision of
    # the data (selector/web/pagecache.py), are kept in memory up to this many bytes per
    # worker; 0 renders every request.
    "PAGE_CACHE_BYTES": 32 * 1024 * 1024,
    # Reminders (selector/mail.py): SMTP when MAIL_SERVER is set, else kept in the outbox
    # page; BASE_URL is the address the links in messages point to.
    "MAIL_SERVER": None,
    "MAIL_PORT": None,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "selector@localhost",
    "MAIL_TIMEOUT": 10,
    "BASE_URL": None,
    # Bid documents (PDFs, Office files, images) are kept outside the database, named by
    # their SHA-256, in DOCUMENTS_DIR (None = instance/documents): several app servers
    # share one folder. One file may be at most DOCUMENT_MAX_BYTES.
    "DOCUMENTS_DIR": None,
    "DOCUMENT_MAX_BYTES": MAX_DOCUMENT_BYTES,
    # How many reverse proxies (the TLS proxy) stand in front of the app: their
    # X-Forwarded-For/-Proto/-Host name the client's address and scheme. 0: none, trust no
    # such header (then the login limit per address counts the proxy as one client).
    "TRUSTED_PROXIES": 0,
    # Rate limits (selector.web.throttle): counters in memory, or in Redis shared by every
    # worker with SELECTOR_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379. A storage that fails
    # lets requests through rather than failing them.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_STRATEGY": "moving-window",
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": False,
    "RATELIMIT_KEY_PREFIX": "selector",
    # Failed logins per username and per client address (a proxy must pass the real one).
    "LOGIN_LIMIT_ACCOUNT": "5 per minute; 20 per hour",
    "LOGIN_LIMIT_ADDRESS": "20 per minute; 100 per hour",
    # PDF reports and exports one user may have in the making at once, and per minute.
    "REPORTS_AT_ONCE": 2,
    "REPORT_LIMIT": "20 per minute",
    # Access denials recorded per user (selector.web.denials): past it, 429 and no record.
    "DENIAL_LIMIT": "20 per minute",
}


def instance_path() -> str:
    """The instance folder: `instance/` beside the package, or `<prefix>/var/selector-instance`
    for an installed package (Flask's own rule, so the app and the command line agree)."""
    prefix, package_path = find_package("selector")
    if prefix is None:
        return os.path.join(package_path, "instance")
    return os.path.join(prefix, "var", "selector-instance")


def load_config(folder: str | None = None, overrides: Mapping[str, Any] | None = None) -> Config:
    """The settings (see the module docstring); `DATABASE_URL` always set and normalised."""
    folder = folder or instance_path()
    config = Config(folder)
    config.from_mapping(DEFAULTS)
    config.from_pyfile("config.py", silent=True)
    for name in ("DATABASE_URL", "SECRET_KEY"):
        if os.environ.get(name):
            config[name] = os.environ[name]
    config.from_prefixed_env("SELECTOR")
    if overrides:
        config.from_mapping(overrides)
    config["DATABASE_URL"] = normalise_database_url(
        config["DATABASE_URL"] or default_sqlite_url(folder)
    )
    return config


def documents_dir(config: Mapping[str, Any], instance: str | None = None) -> str:
    """The folder of the bid documents' files: `DOCUMENTS_DIR`, or `documents/` in the
    instance folder."""
    folder = config.get("DOCUMENTS_DIR")
    if folder:
        return str(folder)
    return os.path.join(instance or instance_path(), "documents")


def normalise_database_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` URLs: we drive PostgreSQL with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_sqlite_url(folder: str) -> str:
    """SQLite in the instance folder (made if missing)."""
    os.makedirs(folder, exist_ok=True)
    return "sqlite:///" + os.path.join(folder, "selector.db")
