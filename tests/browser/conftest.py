"""A live Selector server in a thread and Debian's Chromium driven by Playwright.

Never `playwright install`: the browser is /usr/bin/chromium. Screenshots go to
tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from selector import PROJECT_ROOT
from selector.store.db import get_database
from selector.store.models import Base
from tests.web.conftest import database_url, make_app  # noqa: F401  (fixture re-used)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_app(database_url: str) -> Iterator[Any]:  # noqa: F811
    app = make_app(database_url, WTF_CSRF_ENABLED=True)  # as in production: every form
    Base.metadata.create_all(get_database(app).engine)
    yield app
    get_database(app).dispose()


@pytest.fixture
def live_server(live_app: Any) -> Iterator[str]:
    """The app served over HTTP on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


# Module scope, not session: the Playwright driver must be stopped before other suites fork
# helper processes, or a forked child holding the driver's pipe keeps it from exiting.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
