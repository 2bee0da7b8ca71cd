"""What every test shares."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _templates_kept_apart(tmp_path_factory):
    """Templates the command line keeps between runs (`selector.files.loaded`) go to this
    run's own folder, not the user's, for the tests and the processes they start."""
    os.environ["SELECTOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
