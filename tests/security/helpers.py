"""Helpers for the hostile-input catalogue."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import PASSWORD, login, make_app  # noqa: F401 - for the tests

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: Any, path: str) -> str:
    """The CSRF token of the first form on the page at `path`."""
    page = client.get(path).get_data(as_text=True)
    found = TOKEN.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def body(response: Any) -> str:
    """The response's text."""
    return str(response.get_data(as_text=True))
