"""The web application's fixtures (app, make_tender, ...), for the download tests."""

from tests.web.conftest import (  # noqa: F401 - re-exported fixtures
    app,
    app_config,
    database_url,
    make_tender,
    make_user,
)
