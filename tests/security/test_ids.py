"""Ids the database cannot hold, in every `<int:...>` route: the app's own 404, never a 500."""

from __future__ import annotations

import re

import pytest

from selector.web.urls import MAX_ID, BoundedInt
from tests.security.helpers import body, login, make_app

HUGE = [str(2**63), str(2**64 + 1), str(MAX_ID + 1), "9" * 5000, "١٢"]


def _int_routes(app):
    """Every rule with an int converter, its methods, and a URL builder."""
    routes = []
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, BoundedInt)]
        if not ints:
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        routes.append((rule.rule, ints, methods))
    return routes


def _fill(rule: str, value: str) -> str:
    path = re.sub(r"<int:[a-z_]+>", value, rule)
    path = re.sub(r"<any\(([a-z_]+)[^)]*\):[a-z_]+>", r"\1", path)
    return re.sub(r"<[a-z_]+>", "x", path)


def test_every_int_route_is_covered(database_url):
    routes = _int_routes(make_app(database_url))
    assert len(routes) >= 30  # tenders, evaluate, results, decisions, api, admin, downloads


@pytest.mark.parametrize("value", HUGE)
def test_an_id_beyond_the_database_range_is_the_apps_own_404_on_every_route(
    app, client, make_user, value
):
    make_user("chair", "chair")
    login(client, "chair")
    for rule, _ints, methods in _int_routes(app):
        for method in methods:
            response = client.open(_fill(rule, value), method=method)
            assert response.status_code == 404, (method, rule, response.status_code)
            if rule.startswith("/api/"):
                assert response.get_json()["error"]
            else:
                assert "There is no such page" in body(response), rule


def test_the_largest_id_the_database_holds_is_a_plain_404(app, client, make_user):
    make_user("chair", "chair")
    login(client, "chair")
    for path in (f"/tenders/{MAX_ID}", f"/tenders/{MAX_ID}/results", f"/api/tenders/{MAX_ID}"):
        assert client.get(path).status_code == 404


def test_an_admin_action_on_a_huge_user_id_is_404(app, client, make_user):
    make_user("admin", "admin")
    login(client, "admin")
    for action in ("disable", "enable", "password"):
        response = client.post(f"/admin/users/{2**63}/{action}", data={"password": "x" * 12})
        assert response.status_code == 404
        assert "There is no such page" in body(response)
