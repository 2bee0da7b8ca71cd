"""Concurrency and faults under gunicorn (issue 12, item 5), on the test's database.

gunicorn serves the app with 4 workers on a free port, with CSRF and the production
cookies' HttpOnly/SameSite on (Secure off: plain HTTP on loopback); logged-in sessions talk
to it over HTTP from many threads at once, as a committee's browsers would:

- 30 sessions of one evaluator save the same cell of a new sheet at once: one row, and
  every other session is told its change was NOT saved (409);
- double-clicks that insert (a declaration, a vendor): one row, no 500;
- the chair closes scoring during a burst of saves and submissions: each lands entirely
  before the close (and is counted by it) or is refused;
- a worker killed with SIGKILL mid-burst: the requests it held are lost, nothing else —
  the database's integrity check and the audit chain pass, no sheet is half-stored, and the
  results compute.

The client is the standard library's http.client with a cookie of its own per session.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text

from selector import PROJECT_ROOT
from selector.services import record
from selector.services.results import result_for
from selector.store.db import get_database, get_session
from selector.store.models import AuditEvent, ConflictDeclaration, Entry, ScoreSheet, Vendor
from tests.web.conftest import MINI_VALUES, PASSWORD

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WORKERS = 4


class Browser:
    """One logged-in session: its cookies, and a CSRF token from the last page read."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, data: dict[str, Any] | None = None
                ) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode({"csrf_token": self.token, **data}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        found = TOKEN.search(page)
        if found:
            self.token = found.group(1)
        return response.status, page

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, str]:
        return self.request("POST", path, data)

    def login(self, username: str, then: str) -> Browser:
        assert self.get("/login")[0] == 200
        status, _ = self.post("/login", {"username": username, "password": PASSWORD})
        assert status == 302, f"login as {username}: {status}"
        status, _ = self.get(then)  # a page with a form: the session's CSRF token
        assert status == 200, f"{then}: {status}"
        return self


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    """The gunicorn the test started: its port, and its process (to kill a worker of)."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process, self.port = process, port

    def ready(self) -> Gunicorn:
        """Wait until every worker is up and the app answers."""
        deadline = time.monotonic() + 60
        while len(self.workers()) < WORKERS or not _answers(self.port):
            if self.process.poll() is not None:
                raise AssertionError(self.process.stderr.read().decode()[-3000:])  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "gunicorn did not start in 60 s"
            time.sleep(0.2)
        return self

    def workers(self) -> list[int]:
        """The pids of the master's worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@pytest.fixture
def server(app: Any, database_url: str, tmp_path: Path) -> Iterator[Gunicorn]:
    """gunicorn with 4 workers on the test's database, starting (call `.ready()`)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-for-gunicorn",
        "SELECTOR_SESSION_COOKIE_SECURE": "false",
        "SELECTOR_REMEMBER_COOKIE_SECURE": "false",
        "SELECTOR_QUEUE_URL": "immediate",
        "SELECTOR_REPORT_CACHE_DIR": str(tmp_path / "reports"),
        "SELECTOR_DOCUMENTS_DIR": str(tmp_path / "documents"),
        "SELECTOR_LOGIN_LIMIT_ADDRESS": "10000 per minute",
        "SELECTOR_LOGIN_LIMIT_ACCOUNT": "10000 per minute",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
         f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "2",
         "selector:create_app()"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        yield Gunicorn(process, port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log = process.stderr.read().decode()  # type: ignore[union-attr]
        # Flask logs "Exception on /path [POST]" and its traceback for a request that failed
        assert "Exception on" not in log, log[-3000:]


def _answers(port: int) -> bool:
    try:
        return Browser(port).get("/login")[0] == 200
    except OSError:
        return False


def _burst(jobs: list[Callable[[], list[tuple[int, str]]]]) -> tuple[list[tuple[int, str]], int]:
    """Run every job in a thread of its own, started together; the answers, and how many
    requests got no answer (their worker was killed)."""
    barrier = threading.Barrier(len(jobs))
    answers: list[tuple[int, str]] = []
    lost = [0]
    lock = threading.Lock()

    def run(job: Callable[[], list[tuple[int, str]]]) -> None:
        barrier.wait()
        try:
            got = job()
        except (http.client.HTTPException, OSError):
            with lock:
                lost[0] += 1
            return
        with lock:
            answers.extend(got)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, lost[0]


def _count(app: Any, model: Any, *where: Any) -> int:
    with app.test_request_context():
        return int(get_session().scalar(select(func.count()).select_from(model).where(*where)))


def _submitted_vendors(app: Any, tender_id: int) -> set[int]:
    with app.test_request_context():
        return set(get_session().scalars(select(ScoreSheet.vendor_id).where(
            ScoreSheet.tender_id == tender_id, ScoreSheet.state == "submitted")))


def _fields(values: dict[str, str]) -> dict[str, str]:
    return {f"value-{k}": v for k, v in values.items()} | {f"comment-{k}": "ok" for k in values}


def _version(page: str) -> str:
    found = re.search(r'name="version"[^>]*value="(\d+)"', page)
    return found.group(1) if found else "0"


def test_under_gunicorn_races_answer_as_the_first_request_and_a_killed_worker_loses_nothing(
    app, make_tender, server
):
    # the data are made while gunicorn starts
    first = make_tender(state="open", submitted=False, evaluators=1)
    second = make_tender(state="open", submitted=False, evaluators=4,
                         vendors=["A", "B", "C"], bids={"A": 1, "B": 2, "C": 3})
    draft = make_tender(vendors=["A"], evaluators=0)
    port = server.ready().port
    workspace = f"/tenders/{first.id}/evaluate"
    eval1 = Browser(port).login("eval1", workspace)

    # A declaration clicked 10 times (tabs of one browser share its cookie): one row.
    answers, lost = _burst(
        [lambda: [eval1.post(f"{workspace}/conflicts", {"no_conflict": "y"})]] * 10
    )
    assert lost == 0 and sorted(s for s, _ in answers) == [302] + [422] * 9, answers[:1]
    assert all("already declared" in page for status, page in answers if status == 422)
    assert _count(app, ConflictDeclaration) == 1

    # 30 tabs save one cell of a new sheet at once: one row, 29 told NOT saved.
    sheet = f"{workspace}/{first.vendors['Alpha']}"
    answers, lost = _burst(
        [lambda: [eval1.post(sheet, {"version": "0", "save": "1", "value-fit": "full"})]] * 30
    )
    assert lost == 0 and sorted(s for s, _ in answers) == [302] + [409] * 29
    assert all("NOT saved" in page for status, page in answers if status == 409)
    assert _count(app, ScoreSheet) == 1 and _count(app, Entry) == 1

    # A vendor added by a double click: one row.
    chair = Browser(port).login("chair", f"/tenders/{second.id}/close")
    answers, lost = _burst(
        [lambda: [chair.post(f"/tenders/{draft.id}/vendors", {"name": "Gamma"})]] * 6
    )
    assert lost == 0 and sorted(s for s, _ in answers) == [302] + [422] * 5
    assert _count(app, Vendor, Vendor.name == "Gamma") == 1

    # On the second tender the evaluators save and submit every sheet; a worker is killed
    # mid-burst; then the chair closes scoring, still during the burst.
    workspace = f"/tenders/{second.id}/evaluate"
    evaluators = [Browser(port).login(name, workspace) for name in second.evaluators]
    for browser in evaluators:
        assert browser.post(f"{workspace}/conflicts", {"no_conflict": "y"})[0] == 302

    def evaluate(index: int, browser: Browser) -> list[tuple[int, str]]:
        got = []
        vendors = list(second.vendors.values())
        for vendor_id in vendors[index % 3:] + vendors[: index % 3]:  # each a different first
            url = f"{workspace}/{vendor_id}"
            _, page = browser.get(url)
            fields = {"version": _version(page), **_fields(MINI_VALUES)}
            got.append(browser.post(url, {**fields, "save": "1"}))
            _, page = browser.get(url)
            got.append(browser.post(url, {**fields, "version": _version(page),
                                          "submit_sheet": "1"}))
        return got

    killed: list[int] = []

    def kill() -> list[tuple[int, str]]:
        time.sleep(0.4)
        killed.append(server.workers()[0])
        os.kill(killed[0], signal.SIGKILL)  # a worker of the gunicorn this test started
        return []

    def close() -> list[tuple[int, str]]:
        deadline = time.monotonic() + 30  # once every vendor has a sheet in, before the rest
        while time.monotonic() < deadline and len(_submitted_vendors(app, second.id)) < 3:
            time.sleep(0.05)
        return [chair.post(f"/tenders/{second.id}/close", {"reason": ""})]

    answers, lost = _burst(
        [*(lambda i=i, b=b: evaluate(i, b) for i, b in enumerate(evaluators)), kill, close]
    )
    assert killed
    deadline = time.monotonic() + 15  # the master reaps the killed worker when it next wakes
    while killed[0] in server.workers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert killed[0] not in server.workers()
    assert all(status < 500 for status, _ in answers), sorted(s for s, _ in answers)
    if _count(app, AuditEvent, AuditEvent.action == "tender.close") == 0:  # the close was lost
        assert chair.post(f"/tenders/{second.id}/close", {"reason": ""})[0] == 302
    with app.test_request_context():
        session = get_session()
        if get_database().is_sqlite:
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert record.verify(session).intact
        closing = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "tender.close")
        ).one()
        assert session.scalars(select(AuditEvent).where(AuditEvent.seq > closing.seq)).all() == []
        sheets = session.scalars(select(ScoreSheet).where(ScoreSheet.tender_id == second.id))
        submitted = 0
        for stored in sheets:
            assert len(stored.entries) == len(MINI_VALUES)  # each save all or nothing
            submitted += stored.state == "submitted"
        assert closing.detail["submitted"] == submitted
        print(f"{submitted} of 12 sheets submitted before the close, {lost} requests lost")
    # the master replaced the killed worker, and (the price envelope opened) the results compute
    assert chair.post(f"/tenders/{second.id}/prices", {})[0] == 302
    status, page = chair.get(f"/tenders/{second.id}/results")
    assert status == 200, page[:2000]
    with app.test_request_context():
        assert result_for(get_session(), second.id).ranking
