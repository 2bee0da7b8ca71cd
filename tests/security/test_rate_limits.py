"""Failed logins are limited per account and per address; reports a few at a time per user.

The counters are Flask-Limiter's: in memory by default, in Redis when
`RATELIMIT_STORAGE_URI` names one (then every worker shares them). The Redis tests use the
server the test machine runs on 127.0.0.1:6379 (`make test` installs redis-server).
"""

from __future__ import annotations

import threading
import uuid

import pytest
import redis

from tests.security.helpers import PASSWORD, body, login, make_app

REDIS_URL = "redis://127.0.0.1:6379/0"


def _post(client, username, password, **headers):
    return client.post("/login", data={"username": username, "password": password}, **headers)


def test_after_five_wrong_passwords_even_the_right_one_is_refused_with_a_clear_message(
    client, make_user
):
    make_user("chair", "chair")
    for _ in range(5):
        assert _post(client, "chair", "wrong-password").status_code == 200
    response = _post(client, "chair", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins for this account or from this address" in body(response)
    assert int(response.headers["Retry-After"]) >= 60
    assert client.get("/tenders/").status_code == 302  # not logged in


def test_forty_wrong_passwords_in_a_row_are_mostly_refused_unchecked(client, make_user):
    make_user("chair", "chair")
    codes = [_post(client, "chair", f"guess-{i}").status_code for i in range(40)]
    assert codes[:5] == [200] * 5
    assert set(codes[5:]) == {429}


def test_the_limit_message_is_chinese_on_a_chinese_page(client, make_user):
    make_user("chair", "chair")
    client.post("/language", data={"lang": "zh", "next": "/login"})
    for _ in range(6):
        response = _post(client, "chair", "wrong-password")
    assert response.status_code == 429
    assert "登录失败次数过多" in body(response)


def test_one_address_trying_many_accounts_is_limited(client, make_user):
    make_user("chair", "chair")
    codes = [_post(client, f"user{i}", "wrong-password").status_code for i in range(21)]
    assert codes[:20] == [200] * 20
    assert codes[20] == 429
    assert _post(client, "chair", PASSWORD).status_code == 429


def test_an_account_under_attack_from_one_address_is_not_locked_for_another_account(
    client, make_user
):
    make_user("chair", "chair")
    make_user("eval1", "evaluator")
    for _ in range(6):
        _post(client, "chair", "wrong-password")
    other = client.application.test_client()
    response = _post(other, "eval1", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 302


def test_successful_logins_do_not_count(client, make_user):
    make_user("chair", "chair")
    for _ in range(8):
        login(client, "chair")
        client.post("/logout")
    assert _post(client, "chair", PASSWORD).status_code == 302


def test_the_login_page_itself_is_not_limited(client):
    for _ in range(30):
        assert client.get("/login").status_code == 200


@pytest.fixture
def redis_prefix():
    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()  # the test needs the server: fail loudly, never skip, when it is down
    prefix = f"selector-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)


def _redis_app(database_url, prefix):
    app = make_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    return app


def test_with_redis_every_worker_shares_the_failed_login_count(
    database_url, make_user, redis_prefix
):
    make_user("chair", "chair")
    first = _redis_app(database_url, redis_prefix)
    for _ in range(5):
        assert _post(first.test_client(), "chair", "wrong-password").status_code == 200
    assert any(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{redis_prefix}*"))
    # A second worker (a new app, its own process memory) sees the same count.
    second = _redis_app(database_url, redis_prefix)
    assert _post(second.test_client(), "chair", PASSWORD).status_code == 429


def test_in_memory_each_app_counts_on_its_own(database_url, make_user):
    make_user("chair", "chair")
    first = make_app(database_url)
    for _ in range(5):
        _post(first.test_client(), "chair", "wrong-password")
    assert _post(make_app(database_url).test_client(), "chair", PASSWORD).status_code == 302


def test_an_unreachable_redis_does_not_break_logins(database_url, make_user):
    make_user("chair", "chair")
    app = make_app(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert _post(app.test_client(), "chair", PASSWORD).status_code == 302


@pytest.fixture
def closed(make_tender):
    return make_tender(state="closed")


def test_reports_are_built_a_few_at_a_time_per_user(app, client, closed, monkeypatch):
    """While two exports are being built, a third by the same user is refused (429)."""
    from selector.web import downloads

    started, release = threading.Semaphore(0), threading.Event()
    real = downloads._scored

    def slow(tender_id):
        started.release()
        release.wait(10)
        return real(tender_id)

    monkeypatch.setattr(downloads, "_scored", slow)
    login(client, closed.chair)
    cookie = client.get_cookie("selector_session").value
    results = []

    def fetch():
        other = app.test_client()
        other.set_cookie("selector_session", cookie)
        results.append(other.get(f"/tenders/{closed.id}/export/summary.csv").status_code)

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    assert started.acquire(timeout=10) and started.acquire(timeout=10)
    third = client.get(f"/tenders/{closed.id}/export/summary.csv")
    release.set()
    for thread in threads:
        thread.join(10)
    assert third.status_code == 429
    assert "reports or exports in the making" in body(third)
    assert results == [200, 200]
    # The slots are given back: the next download works.
    assert client.get(f"/tenders/{closed.id}/export/summary.csv").status_code == 200


def test_report_downloads_are_limited_per_minute(app, client, closed):
    app.config["REPORT_LIMIT"] = "3 per minute"
    login(client, closed.chair)
    codes = [client.get(f"/tenders/{closed.id}/export/summary.csv").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
