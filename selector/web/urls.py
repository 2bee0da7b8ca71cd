"""What the app's addresses accept: redirects to our own pages only, ids the database can hold.

`safe_next` decides whether a `next=` target (login, the language switch) is a path on this
site. Browsers are lenient where we must be strict: they drop tabs and newlines inside a URL
(`/\\t/evil.example` becomes `//evil.example`, another host) and read `\\` as `/`, so a
target passes only if it is a plain absolute path with no control character, no space, no
backslash and no second leading slash, before or after percent-decoding.

`BoundedInt` replaces Flask's `int` converter: ids are 32-bit integer columns on
PostgreSQL, so a larger number in a URL cannot name a row and is a 404 before any query.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.routing import IntegerConverter, Map

# The largest id an `Integer` primary key holds on PostgreSQL (int4); SQLite's are wider.
MAX_ID = 2**31 - 1


def _looks_local(path: str) -> bool:
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        return False
    if any(ch <= " " or ch == "\x7f" or ch == "\\" for ch in path):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (`/tenders/3?tab=bids`), else None."""
    if not target or len(target) > 2000:
        return None
    if not _looks_local(target):
        return None
    decoded = unquote(target)
    if decoded != target and not _looks_local(decoded):
        return None
    return target


def at_most(limit: int) -> str:
    """A regular expression matching the decimal numbers 0 … `limit` (ASCII digits).

    The bound lives in the pattern, not only in `to_python`: Werkzeug answers 405 instead of
    404 when a path matches a GET rule's pattern and fails the POST rule's conversion.
    """
    digits = str(limit)
    width = len(digits)
    options = [f"[0-9]{{1,{width - 1}}}"] if width > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = width - i - 1
            below = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
            options.append(digits[:i] + below + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class BoundedInt(IntegerConverter):
    """`<int:...>` limited to ASCII digits and 0 … MAX_ID (unless a route asks otherwise)."""

    regex = at_most(MAX_ID)

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
