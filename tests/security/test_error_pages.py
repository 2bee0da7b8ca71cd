"""The app's own error pages, in both languages, for every status it answers; JSON under /api/."""

from __future__ import annotations

import pytest
from flask import abort

from tests.security.helpers import body, make_app

TITLES = {
    400: ("Bad request", "请求有误"),
    403: ("Not allowed", "无权"),
    404: ("Not found", "未找到"),
    405: ("Not allowed", "无权"),
    409: ("Changed meanwhile", "已被他人修改"),
    413: ("The upload is too large", "上传文件过大"),
    429: ("Too many requests", "请求过于频繁"),
    500: ("Something went wrong", "出现了问题"),
}


@pytest.fixture
def failing_app(database_url):
    """The app with routes that fail on purpose, run as in production (errors not raised)."""
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom/<int:code>")
    @app.route("/api/boom/<int:code>")
    def boom(code: int) -> str:
        abort(code)

    @app.route("/boom/crash")
    @app.route("/api/boom/crash")
    def crash() -> str:
        raise RuntimeError("secret internals: /srv/selector/db password=hunter2")

    return app


def _get(app, path, lang):
    return app.test_client().get(path, headers={"Accept-Language": lang})


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", sorted(TITLES))
def test_each_error_status_has_the_apps_own_page_in_the_pages_language(failing_app, code, lang):
    path = "/boom/crash" if code == 500 else f"/boom/{code}"
    response = _get(failing_app, path, lang)
    assert response.status_code == code
    page = body(response)
    english, chinese = TITLES[code]
    assert (chinese if lang == "zh" else english) in page
    assert 'class="site-header"' in page  # the app's layout, not Werkzeug's bare page
    assert "Werkzeug" not in page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_500_never_shows_the_traceback_or_the_exception(failing_app, lang):
    response = _get(failing_app, "/boom/crash", lang)
    page = body(response)
    for leak in ("Traceback", "RuntimeError", "hunter2", "/srv/selector", 'File "'):
        assert leak not in page


@pytest.mark.parametrize("code", [*sorted(TITLES), "crash"])
def test_api_errors_are_json(failing_app, code):
    response = _get(failing_app, f"/api/boom/{code}", "en")
    assert response.is_json
    data = response.get_json()
    assert data["error"]
    assert "hunter2" not in data["error"]
    assert data["status"] == response.status_code


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]


def test_a_wrong_method_is_the_apps_405_page(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "This address does not accept that kind of request." in body(response)
