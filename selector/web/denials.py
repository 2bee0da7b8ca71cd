"""Access denials into the audit record: every 403 a logged-in user gets, and every 404 that
hides a tender (or a row of one) from them.

A 404 from the services' `NotFound` is recorded whether or not the thing exists, so the
time a refusal takes does not tell an id that exists from one that does not; the event
names the tender only when it exists (`services.auditlog.record_denial`). Plain 404s of
unknown addresses (a stale bookmark, /favicon.ico) are not denials and are not recorded.

A user who is refused more than `DENIAL_LIMIT` times (default 20 a minute) is answered 429
from then on until the window passes, and those requests are not recorded: probing gets
nowhere, and the chain grows by at most that many compact events per user.
"""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask_login import current_user
from limits import parse_many

from selector.services.auditlog import record_denial
from selector.store.db import get_session
from selector.web import throttle

HIDDEN = "selector_hidden_denial"


def mark_hidden() -> None:
    """Note that this request's 404 hides something from the user (a services NotFound)."""
    setattr(g, HIDDEN, True)


def record(response: Response) -> bool:
    """Write the denial event of a refused request; True when the user is over the cap
    (the app shell then answers 429 instead, and nothing is recorded)."""
    denied = response.status_code == 403 or (response.status_code == 404 and g.get(HIDDEN))
    if not denied or not current_user.is_authenticated:
        return False
    if not _within_cap():
        return True
    tender_id = (request.view_args or {}).get("tender_id")
    try:
        record_denial(
            get_session(),
            actor=current_user._get_current_object(),
            status=response.status_code,
            path=request.path,
            tender_id=tender_id if isinstance(tender_id, int) else None,
        )
    except Exception:  # the refusal stands even when the record cannot be written now
        current_app.logger.exception("recording an access denial failed")
    return False


def _within_cap() -> bool:
    limiter = current_app.extensions[throttle.EXTENSION_KEY]
    key = f"user:{current_user.id}"
    try:
        return all(
            limiter.limiter.hit(item, "denials", key)
            for item in parse_many(str(current_app.config["DENIAL_LIMIT"]))
        )
    except Exception:  # the storage is down: record rather than refuse
        current_app.logger.warning("rate-limit storage unavailable; denial not counted")
        return True
