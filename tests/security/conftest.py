"""Fixtures for the hostile-input catalogue: the web app's own, plus a CSRF-enabled app.

The web tests switch CSRF off (`tests/web/conftest.py`); `csrf_app` keeps it on, as in
production (read a page's token with `helpers.csrf_token`).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import (  # noqa: F401 - re-exported fixtures
    app,
    app_config,
    client,
    database_url,
    db,
    login_as,
    make_tender,
    make_user,
    runner,
)


@pytest.fixture
def csrf_app(app: Any) -> Any:  # noqa: F811 - the re-exported fixture
    """The `app` (same database) with CSRF protection on, as it runs in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app
