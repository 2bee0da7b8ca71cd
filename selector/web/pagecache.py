"""Rendered read-only pages kept per process, never stale and never someone else's.

A page the decorator `kept_page` wraps (the evaluator's score sheet, the results page) is
rendered once per *key* and served from memory afterwards. The key is everything the HTML
depends on:

- the address with its query (`request.full_path`): which tender, vendor, options;
- the logged-in user — id, role and display name (the header names them) — so that two
  people never share a page, even at one address (every evaluator's sheet of a vendor has
  the same URL);
- the page's language (`current_lang`: the session's choice or the browser's);
- the database's revision: the audit chain's head (`record.revision`, one small query).
  Every change of stored data appends an event to the chain in its own transaction —
  sheets, entries and their references, the tender's state, vendors, bids, rates, the price
  envelope, documents, the committee, conflicts, consensus, flag reviews, sign-offs,
  users (`services.uow.tender_change` audits every unit of work on a tender; the user,
  download and denial services append their own events) — so any write moves the head and
  no page rendered before it is served after it.

What differs per request is not kept: the CSRF token is cut out of the stored HTML and the
request's own (`generate_csrf`) put back in; a request with a flashed message pending is
rendered afresh (and not kept), as is any response but a 200 HTML page; the session
cookie, the security headers and the session checks run as for every request. Only pages
whose HTML depends on nothing else (not on the clock, the outbox or files on disk) may
use it.

One LRU per database (two apps in one process never share pages), bounded by
`PAGE_CACHE_BYTES` (0 turns the cache off); each gunicorn worker keeps its own.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from selector.services import record
from selector.store.db import get_database, get_session
from selector.web.i18n import current_lang

F = TypeVar("F", bound=Callable[..., Any])

FLASHES = "_flashes"  # Flask's session key of the messages waiting to be shown


@dataclass(frozen=True)
class KeptPage:
    """A page's HTML cut at its CSRF tokens (`parts` joined by the request's token)."""

    parts: tuple[bytes, ...]
    content_type: str
    size: int


class PageCache:
    """Rendered pages by key, least recently used first out, per database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_database: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...],
                                                                      KeptPage]] = (
            weakref.WeakKeyDictionary()
        )
        self._sizes: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    def get(self, database: Any, key: tuple[Any, ...]) -> KeptPage | None:
        with self._lock:
            pages = self._by_database.get(database)
            found = pages.get(key) if pages is not None else None
            if found is not None and pages is not None:
                pages.move_to_end(key)
            return found

    def put(self, database: Any, key: tuple[Any, ...], page: KeptPage, limit: int) -> None:
        if page.size > limit:
            return
        with self._lock:
            pages = self._by_database.setdefault(database, OrderedDict())
            size = self._sizes.get(database, 0)
            old = pages.pop(key, None)
            if old is not None:
                size -= old.size
            pages[key] = page
            size += page.size
            while size > limit and pages:
                _key, dropped = pages.popitem(last=False)
                size -= dropped.size
            self._sizes[database] = size

    def clear(self) -> None:
        with self._lock:
            self._by_database.clear()
            self._sizes.clear()


PAGES = PageCache()


REVISION = "selector_revision"
#: The one method a kept page answers.
KEPT_METHOD = "GET"


def revision() -> tuple[int, str]:
    """The data's revision (`record.revision`) as this request read it first: the login's
    user and the page's key are read at the same one."""
    found = g.get(REVISION)
    if found is None:
        found = record.revision(get_session())
        setattr(g, REVISION, found)
    return cast(tuple[int, str], found)


def login_revision() -> tuple[int, str] | None:
    """The revision at which the request's user row may be reused (`load_login`): a GET's,
    the only request a kept page may answer; None for any other, which reads the row in its
    session (the revision would cost a statement of its own, and a change moves it anyway)."""
    return revision() if request.method == KEPT_METHOD else None


def page_key() -> tuple[Any, ...]:
    """What the page's HTML depends on (see the module docstring)."""
    return (
        request.full_path,
        current_user.id,
        current_user.role,
        current_user.display_name,
        current_lang(),
        revision(),
    )


def _csrf_field() -> str:
    return str(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def _serve(page: KeptPage) -> Response:
    body = page.parts[0]
    if len(page.parts) > 1:
        body = generate_csrf().encode().join(page.parts)
    return Response(body, status=200, content_type=page.content_type)


def _keep(response: Response) -> KeptPage | None:
    if (
        response.status_code != 200
        or response.mimetype != "text/html"
        or response.direct_passthrough
        or FLASHES in session  # the view flashed a message for the next page
        or set(response.headers.keys()) - {"Content-Type", "Content-Length"}
    ):
        return None
    body = response.get_data()
    token = g.get(_csrf_field())
    parts = tuple(body.split(token.encode())) if token else (body,)
    return KeptPage(parts, response.headers["Content-Type"], len(body))


def kept_page(view: F) -> F:
    """Serve the view's GET from the page cache when its key is kept, else render and keep
    it (a 200 HTML page without a pending flash). Put it under the access decorators."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        limit = int(current_app.config.get("PAGE_CACHE_BYTES", 0) or 0)
        if (
            limit <= 0
            or request.method != KEPT_METHOD
            or not current_user.is_authenticated
            or FLASHES in session  # shown once, on a page rendered for it
        ):
            return view(*args, **kwargs)
        database = get_database().engine
        key = page_key()
        found = PAGES.get(database, key)
        if found is not None:
            return _serve(found)
        response = current_app.make_response(view(*args, **kwargs))
        page = _keep(response)
        if page is not None:
            PAGES.put(database, key, page, limit)
        return response

    return cast(F, wrapped)
