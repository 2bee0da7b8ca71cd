"""The web shell: extensions, blueprints, error pages and security headers.

Views are thin: validate a form, call one service function, flash, redirect. What the views
share lives beside them, never here (the blueprints would import this package back): the
user and the role guard in `auth`, a service error shown on a form in `forms`.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import Babel
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError

from selector.scoring import numbers
from selector.services import REMOTE_ADDR, Forbidden, NotFound
from selector.services.users import load_login
from selector.store.db import get_session
from selector.web import (
    admin,
    api,
    auditlog,
    auth,
    decisions,
    denials,
    documents,
    evaluate,
    i18n,
    moderation,
    pagecache,
    reminders,
    results,
    sessions,
    signoff,
    site,
    tenders,
    throttle,
)
from selector.web.urls import BoundedInt

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def register(app: Flask) -> None:
    """Attach extensions, blueprints, template helpers and error handlers to `app`."""
    # Before any route is added: `<int:...>` ids beyond the database's range are a 404.
    app.url_map.converters["int"] = BoundedInt
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(login_id: str) -> Any:
        return load_login(get_session(), login_id, pagecache.login_revision())

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        if request.blueprint == "api":
            return jsonify(error="login required"), 401
        flash(_("Please log in to see this page."), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    for module in (site, auth, tenders, documents, evaluate, results, decisions, moderation,
                   signoff, auditlog, api, admin, reminders):
        app.register_blueprint(module.bp)

    app.jinja_env.globals.update(
        current_lang=i18n.current_lang,
        language_names=i18n.LANGUAGE_NAMES,
        word=i18n.word,
    )
    app.jinja_env.filters["text"] = i18n.text
    app.jinja_env.filters["points"] = format_points
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["plain"] = format_plain
    app.jinja_env.filters["signed"] = format_signed
    app.jinja_env.filters["decimals"] = format_decimals

    @app.before_request
    def record_remote_address() -> None:
        # "From where" for the audit record: services read it from the session's info.
        get_session().info[REMOTE_ADDR] = request.remote_addr

    _register_errors(app)
    sessions.init_app(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:  # HTTPS, directly or through a TRUSTED_PROXIES proxy
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.after_request
    def record_denials(response: Response) -> Response:
        # Runs before security_headers (after-request hooks run last-registered first).
        if denials.record(response):  # the user is over the cap of recorded refusals
            body, code = error_page(429)
            response = app.make_response((body, code))
            response.headers["Retry-After"] = "60"
        return response


# The app's own page for every HTTP error: a title and what to do, in the page's language.
ERROR_PAGES: dict[int, tuple[Any, Any]] = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("Your role does not allow this page or action.")),
    404: (_l("Not found"), _l("There is no such page, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (
        _l("Changed meanwhile"),
        _l("Someone changed this since you opened the page. Reload it and try again."),
    ),
    413: (_l("The upload is too large"), _l("The request is larger than this site accepts.")),
    429: (
        _l("Too many requests"),
        _l("Too many requests in a short time. Wait a minute, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "The server could not finish this request and nothing was changed by it. "
            "Try again; if it happens again, tell your administrator the time it happened."
        ),
    ),
}


def error_page(code: int, title: Any = None, message: Any = None) -> tuple[Any, int]:
    """The app's error page (JSON `{"error": ...}` under /api/) for HTTP status `code`."""
    default_title, default_message = ERROR_PAGES.get(code, ERROR_PAGES[500 if code >= 500 else 400])
    title, message = title or default_title, message or default_message
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return jsonify(error=str(message), status=code), code
    try:
        return render_template("error.html", code=code, title=title, message=message), code
    except Exception:  # the page itself failed (e.g. the database is down): plain text
        current_app.logger.exception("the error page for %s could not be rendered", code)
        text = f"{code} {title}\n{message}\n"
        return Response(text, status=code, mimetype="text/plain"), code


def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return error_page(
            400,
            _("The form has expired"),
            _(
                "This form was open too long or came from another site, so it was not "
                "accepted. Go back, reload the page and send it again."
            ),
        )

    @app.errorhandler(413)
    def too_large(error: Any) -> Any:
        limit = app.config["MAX_CONTENT_LENGTH"] // 1024
        return error_page(
            413,
            _("The upload is too large"),
            _(
                "Files up to %(kb)d KB are accepted: split the file or remove unused sheets.",
                kb=limit,
            ),
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded) -> Any:
        window = int(error.limit.limit.get_expiry())
        body, code = error_page(429)
        return body, code, {"Retry-After": str(window)}

    @app.errorhandler(throttle.Busy)
    def reports_busy(error: throttle.Busy) -> Any:
        return error_page(
            429,
            _("Too many requests"),
            _(
                "You already have %(n)d reports or exports in the making. Wait until they "
                "have downloaded, then try again.",
                n=error.at_once,
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        return error_page(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> Any:
        # Whatever failed, no half-done change is kept and no traceback is shown.
        session = g.pop("_selector_session", None)
        if session is not None:
            try:
                session.rollback()
                session.close()
            except Exception:  # the connection itself is gone
                current_app.logger.exception("rollback after an error failed")
        return error_page(500)

    @app.errorhandler(NotFound)
    def service_not_found(error: NotFound) -> Any:
        denials.mark_hidden()
        return error_page(404)

    @app.errorhandler(Forbidden)
    def service_forbidden(error: Forbidden) -> Any:
        return error_page(403, _("Not allowed"), i18n.text(error.message))


def format_points(value: Any) -> str:
    """Points, a total, a weight or a maximum on a page: half-up to at most 2 decimals,
    trailing zeros dropped (`numbers.figure`: 98.125 -> 98.13, 40.00 -> 40); — for none."""
    return "—" if value is None else numbers.figure(value)


def format_plain(value: Any) -> str:
    """A number exactly as stored, without trailing zeros or an exponent (`numbers.plain`:
    7.1000 -> 7.1, 10 -> 10); — for none."""
    return "—" if value is None else numbers.plain(value)


def format_money(value: Any) -> str:
    """An amount with thousands separators and 2 decimals, half-up (`numbers.money`:
    1234.565 -> 1,234.57); — for none."""
    return "—" if value is None else numbers.money(value)


def format_signed(value: Any) -> str:
    """A change with its sign and 2 decimals, half-up (`numbers.signed`: +0.35); — for none."""
    return "—" if value is None else numbers.signed(value)


def format_decimals(value: Any) -> str:
    """Exactly 2 decimals, half-up (`numbers.points`: 33.3333 -> 33.33); — for none."""
    return "—" if value is None else numbers.points(value)


def format_when(value: Any) -> str:
    """A stored time (UTC) in the configured time zone (`TIMEZONE`, default UTC)."""
    if value is None:
        return "—"
    if value.tzinfo is None:  # SQLite returns naive datetimes; we store UTC
        value = value.replace(tzinfo=UTC)
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or "UTC")
    return str(value.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
