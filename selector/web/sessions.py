"""Login sessions end after a while without activity, and after a working day in any case.

The session cookie is signed, so the times it carries (`login_at`, `seen_at`) cannot be
changed by its holder; the server checks them on every request, whatever the cookie's own
expiry says. A cookie copied from a browser therefore stops working at the same moments as
the original: `SESSION_ABSOLUTE_LIFETIME` after the login at the latest.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

# `seen_at` is rewritten at most this often, so most requests leave the cookie as it is.
SEEN_RESOLUTION_SECONDS = 60


def init_app(app: Flask) -> None:
    """Check the session's age before every request (lifetimes: `selector.config`)."""
    app.before_request(enforce_lifetimes)


def start() -> None:
    """Call right after `login_user`: the session's clock starts now."""
    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now


def _seconds(app_value: Any) -> float:
    return app_value.total_seconds() if isinstance(app_value, timedelta) else float(app_value)


def enforce_lifetimes() -> Any:
    """End a session that was idle too long or began too long ago (login page, or 401 JSON)."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = time.time()
    idle = _seconds(current_app.config["SESSION_IDLE_LIFETIME"])
    absolute = _seconds(current_app.config["SESSION_ABSOLUTE_LIFETIME"])
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        message = _("Your session has ended: please log in again.")
    elif now - login_at > absolute:
        message = _(
            "Your session has ended %(hours)d hours after you logged in: please log in again.",
            hours=round(absolute / 3600),
        )
    elif now - seen_at > idle:
        message = _(
            "Your session has ended after %(minutes)d minutes without activity: please log "
            "in again.",
            minutes=round(idle / 60),
        )
    else:
        if now - seen_at >= SEEN_RESOLUTION_SECONDS:
            session["seen_at"] = int(now)
        return None
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return jsonify(error="session expired", status=401), 401
    flash(message, "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))
