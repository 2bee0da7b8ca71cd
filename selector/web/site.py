"""The front door: home page, health check, language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user

from selector.web.forms import ActionForm
from selector.web.i18n import LANGUAGES
from selector.web.urls import safe_next

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    """Liveness check for load balancers: answers `ok`."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/")
def index() -> Any:
    """Send people to their tenders, or to the login page."""
    if current_user.is_authenticated:
        if current_user.role == "admin":
            return redirect(url_for("admin.users"))
        return redirect(url_for("tenders.index"))
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Any:
    """Switch the page language (中文 / English); the choice is kept in the session."""
    form = ActionForm()
    lang = request.form.get("lang", "")
    if form.validate_on_submit() and lang in LANGUAGES:
        session["lang"] = lang
    # Only paths on this site: never bounce to another one.
    return redirect(safe_next(request.form.get("next")) or url_for("site.index"))
