"""`next=` on the login and the language switch: only paths on this site are followed."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from selector.web.urls import safe_next
from tests.security.helpers import PASSWORD

OFF_SITE = [
    "/\t/evil.example",
    "/%09/evil.example",
    "/\n/evil.example",
    "/%0d%0a/evil.example",
    "/tenders/\r\nSet-Cookie: x=1",
    "\\\\evil.example",
    "/\\evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/ /evil.example",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_or_malformed_target_is_not_followed(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/tenders/", "/tenders/3?tab=bids", "/tenders/3#bids", "/"])
def test_a_path_on_this_site_is_followed(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_sends_an_off_site_next_to_the_home_page(client, make_user, target):
    make_user("chair", "chair")
    response = client.post(
        "/login?next=" + quote(target, safe=""), data={"username": "chair", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_sends_an_off_site_next_to_the_home_page(client, target):
    response = client.post("/language", data={"lang": "zh", "next": target})
    assert response.status_code == 302
    assert response.location == "/"


def test_login_follows_a_local_next(client, make_user):
    make_user("chair", "chair")
    response = client.post(
        "/login?next=/tenders/%3Ftab%3Dx", data={"username": "chair", "password": PASSWORD}
    )
    assert response.location == "/tenders/?tab=x"
