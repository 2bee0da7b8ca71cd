"""Logging in and out, and what every view asks of it: the logged-in user (`user`), the
role guard (`roles_required`) and how passwords are hashed (`password_hash_method`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user

from selector.services import Forbidden, users
from selector.store.db import get_session
from selector.web import sessions
from selector.web.forms import ActionForm, LoginForm
from selector.web.urls import safe_next

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login form: `username`, `password`, `csrf_token`.

    Failed attempts are limited per account and per address (`selector.web.throttle`).
    """
    if current_user.is_authenticated:
        return redirect(url_for("site.index"))
    form = LoginForm()
    refused = form.is_submitted() and not form.validate()
    if form.is_submitted() and not refused:
        user = users.authenticate(get_session(), form.username.data or "", form.password.data or "")
        if user is None:
            form.password.errors.append(
                _("The username or password is wrong, or the account is disabled.")
            )
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session at login: nothing carried over from before
            if lang:
                session["lang"] = lang
            session.permanent = True
            login_user(user)
            sessions.start()
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("site.index"))
    return render_template("auth/login.html", form=form), 422 if refused else 200


@bp.post("/logout")
@login_required
def logout() -> Any:
    """End the session here and on the server: the login cookie's token is rotated."""
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form has expired: reload the page and try again."), "error")
        return redirect(url_for("site.index"))
    users.end_sessions(get_session(), current_user.id)
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.errorhandler(RateLimitExceeded)
def too_many_logins(error: RateLimitExceeded) -> Any:
    """The login page again (429), saying how long to wait after too many failed logins."""
    window_seconds = int(error.limit.limit.get_expiry())
    minutes = max(1, -(-window_seconds // 60))
    form = LoginForm()
    form.password.errors = [
        _(
            "Too many failed logins for this account or from this address. Wait "
            "%(minutes)d minutes, then try again.",
            minutes=minutes,
        )
    ]
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(window_seconds)}


def user() -> Any:
    """The logged-in user (a `selector.store.models.User`)."""
    return current_user._get_current_object()


def roles_required(*roles: str) -> Callable[[F], F]:
    """Let only logged-in users with one of `roles` through (others get 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in roles:
                raise Forbidden(_("Your role does not allow this page or action."))
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def password_hash_method(app: Flask | None = None) -> str:
    """How the app hashes passwords (`PASSWORD_HASH_METHOD`; tests set a cheaper one)."""
    return users.hash_method_of((app or current_app).config)
