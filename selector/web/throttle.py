"""Rate limits: failed logins per account and per address, and reports built at a time per user.

Counters live in Flask-Limiter's storage: in memory by default (one process), in Redis when
`SELECTOR_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379` is set — needed as soon as several
gunicorn workers serve the app, or each worker would count on its own. A storage that
fails (Redis down) does not fail the request: Flask-Limiter falls back to memory.

Only failed logins count: once an account (or an address) has failed too often, even the
right password is refused until the window has passed, so guessing gets nowhere.

Each app gets its own `Limiter` (Flask-Limiter keeps the first app's settings in a shared
instance), attached by `init_app` once the blueprints are registered.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

from selector.scoring.limits import MAX_USERNAME

EXTENSION_KEY = "selector.limiter"
LOGIN_ENDPOINT = "auth.login"
SIGN_ENDPOINT = "signoff.sign"
REPORTS_BLUEPRINT = "downloads"
# How long a report slot stays taken if its worker dies before giving it back.
REPORT_SLOT_SECONDS = 120


def init_app(app: Flask) -> Limiter:
    """Give `app` its limiter: failed logins and the downloads blueprint are limited.

    The settings (`RATELIMIT_*`, `LOGIN_LIMIT_*`, `REPORT*`) are in `selector.config`.
    """
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions[EXTENSION_KEY] = limiter

    def failed_logins(key_func: Any, limit: Any, scope: str) -> Any:
        return limiter.limit(
            limit, key_func=key_func, methods=["POST"], deduct_when=login_failed, scope=scope
        )

    view = app.view_functions[LOGIN_ENDPOINT]
    view = failed_logins(login_address, address_limit, "login-address")(view)
    view = failed_logins(login_account, account_limit, "login-account")(view)
    app.view_functions[LOGIN_ENDPOINT] = view

    # Signing re-enters the password: wrong ones count like failed logins, per signer.
    sign = app.view_functions[SIGN_ENDPOINT]
    app.view_functions[SIGN_ENDPOINT] = failed_logins(signer_account, account_limit, "signoff")(
        sign
    )

    reports = app.blueprints[REPORTS_BLUEPRINT]
    limiter.limit(report_limit, key_func=report_user, scope="reports")(reports)
    app.before_request_funcs.setdefault(REPORTS_BLUEPRINT, []).append(take_report_slot)
    app.teardown_request_funcs.setdefault(REPORTS_BLUEPRINT, []).append(give_back_report_slot)
    return limiter


def login_account() -> str:
    """The rate-limit key of the account a login form names (what the login would look up)."""
    username = request.form.get("username", "")
    return "account:" + username.strip().lower()[:MAX_USERNAME]


def signer_account() -> str:
    """The rate-limit key of a sign-off: the logged-in user (who re-enters a password)."""
    return f"signer:{current_user.id if current_user.is_authenticated else ''}"


def login_address() -> str:
    return "address:" + (get_remote_address() or "unknown")


def login_failed(response: Response) -> bool:
    """A login attempt counts against the limits when it did not log in (no redirect)."""
    return response.status_code != 302


def account_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_ACCOUNT"])


def address_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_ADDRESS"])


def report_limit() -> str:
    return str(current_app.config["REPORT_LIMIT"])


def report_user() -> str:
    return f"user:{current_user.get_id() if current_user.is_authenticated else 'anonymous'}"


class Busy(Exception):
    """The user already has as many reports in the making as allowed."""

    def __init__(self, at_once: int) -> None:
        super().__init__(f"{at_once} reports at once")
        self.at_once = at_once


def _slot_key() -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}/reports/{report_user()}"


def _storage() -> Any:
    return current_app.extensions[EXTENSION_KEY].storage


def take_report_slot() -> None:
    """Take one of the user's report slots, or raise `Busy` when all are taken."""
    if not current_user.is_authenticated:
        return  # the view sends them to the login page
    at_once = int(current_app.config["REPORTS_AT_ONCE"])
    storage = _storage()
    try:
        taken = storage.incr(_slot_key(), REPORT_SLOT_SECONDS)
    except Exception:  # the storage is down: serve rather than fail
        current_app.logger.warning("rate-limit storage unavailable; report slot not taken")
        return
    g.selector_report_slot = True
    if taken > at_once:
        give_back_report_slot()
        raise Busy(at_once)


def give_back_report_slot(_error: BaseException | None = None) -> None:
    """Give the slot back when the download's request ends, however it ended."""
    if g.pop("selector_report_slot", False):
        try:
            _storage().incr(_slot_key(), REPORT_SLOT_SECONDS, -1)
        except Exception:  # the slot expires by itself after REPORT_SLOT_SECONDS
            current_app.logger.warning("rate-limit storage unavailable; report slot kept")
