"""Benchmark of sheet saves, in-process (the service `sheets.save_sheet`, no HTTP).

    .venv/bin/python bench/bench_saves.py [--saves 200] [--evaluators 50] [--url URL]
                                          [--http] [--profile]

Builds the load run's tender (`bench/load/setup_db.py`: 5 vendors × the CRM template,
50 evaluators, each with a draft sheet on the first vendor) in a file SQLite database (or
`--url`, e.g. a PostgreSQL database of its own), then saves the drafts in turn as the load
run does (each evaluator alternating two versions of their sheet) and prints the median
of the save's wall and CPU time, of the time the write transaction is open (BEGIN to
COMMIT: the time every other save of the tender waits) and the number of SQL statements
per save. Issue 12: at N connections the saves queue on that lock, so p95 ≈ N × it.
Each save calls the services the POST handler calls (`sheet_criteria`, then `save_sheet`);
`--http` sends the load run's POST itself instead, through Flask's test client with CSRF
on (the login, the form, the session cookie, the redirect included; `bench/load/sessions.py`
builds the same form).
`--profile` prints cProfile's top functions over the saves instead.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))

from page_tenders import PASSWORD, build_tender  # noqa: E402
from setup_db import draft_values  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from selector import create_app  # noqa: E402
from selector.services import sheets, users  # noqa: E402
from selector.services.templates import template_of  # noqa: E402
from selector.store.db import get_database, get_session  # noqa: E402
from selector.store.models import Base, ScoreSheet, Tender  # noqa: E402


def make_app(url: str, folder: str, csrf: bool = False) -> Any:
    app = create_app({
        "DATABASE_URL": url, "SECRET_KEY": "bench-" * 8, "WTF_CSRF_ENABLED": csrf,
        "QUEUE_URL": "immediate", "REPORT_CACHE_DIR": folder, "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
    })
    Base.metadata.create_all(get_database(app).engine)
    return app


class Meter:
    """SQL statements and write-transaction time, counted through the engine's events."""

    def __init__(self, engine: Any) -> None:
        self.statements = 0
        self.opened: float | None = None
        self.opened_cpu = 0.0
        self.held: list[float] = []
        self.held_cpu: list[float] = []
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._commit)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        if self.opened is None and (
            statement.startswith("BEGIN IMMEDIATE") or "FOR UPDATE" in statement
            or "FOR SHARE" in statement
        ):
            self.opened, self.opened_cpu = time.perf_counter(), time.process_time()

    def _commit(self, _conn: Any) -> None:
        if self.opened is not None:
            self.held.append((time.perf_counter() - self.opened) * 1000)
            self.held_cpu.append((time.process_time() - self.opened_cpu) * 1000)
            self.opened = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--evaluators", type=int, default=50)
    parser.add_argument("--url", default="", help="a database URL (default: a file SQLite)")
    parser.add_argument("--http", action="store_true", help="POST through the test client")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="selector-bench-saves-")
    url = args.url or f"sqlite:///{folder}/bench.db"
    app = make_app(url, folder, csrf=args.http)
    built = build_tender(app, vendors=5, evaluators=args.evaluators, state="open",
                         prefix="load")
    vendor_id = next(iter(built.vendors.values()))
    with app.test_request_context():
        session = get_session()
        tender = session.get(Tender, built.id)
        assert tender is not None
        values = draft_values(template_of(tender))
        first = next(iter(values))
        people = [users.find_user(session, name) for name in built.evaluators]
        for person in people:
            sheets.save_sheet(session, built.id, vendor_id, evaluator=person, version=0,
                              values=values, comments={}, submit=False)
        versions = {
            person.id: session.scalar(
                text("SELECT version FROM score_sheet WHERE evaluator_id = :e "
                     "AND vendor_id = :v"), {"e": person.id, "v": vendor_id})
            for person in people
        }
        session.commit()
        names = [person.username for person in people]
        ids = [person.id for person in people]
    post = (http_saves(app, built.id, vendor_id, names, values, first) if args.http
            else None)
    meter = Meter(get_database(app).engine)
    walls, cpus, counts = [], [], []
    profiler = cProfile.Profile() if args.profile else None
    # a test client's request pushes an app context of its own only where none is pushed
    # (else it shares `g`, and the logged-in user with it): none around the POSTs
    with nullcontext() if post is not None else app.test_request_context():
        session = None if post is not None else get_session()
        for n in range(args.saves):
            index = n % len(people)
            flip = (n // len(people)) % 2
            before = meter.statements
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            if post is not None:
                post(index, flip)
            else:
                assert session is not None
                # as the POST handler does: the sheet's criteria (its form reads what was
                # sent with them), then the save, with no document references sent
                person = users.find_user(session, names[index])
                checked = sheets.sheet_criteria(session, built.id, vendor_id, person)
                outcome = sheets.save_sheet(
                    session, built.id, vendor_id, evaluator=person,
                    version=versions[ids[index]], values=values,
                    comments={first: f"load test draft {flip}"}, submit=False, references={},
                    **({"checked": checked} if CHECKED else {}))
                assert isinstance(outcome.sheet, ScoreSheet)
                versions[ids[index]] = outcome.sheet.version
                session.commit()  # the request's end: the read transaction is closed
                session.expunge_all()  # the next request's session starts empty
            if profiler:
                profiler.disable()
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            counts.append(meter.statements - before)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    mode = "HTTP POSTs" if args.http else "saves"
    print(f"{args.saves} {mode} on {url.split(':')[0]} ({args.evaluators} evaluators): "
          f"median wall {statistics.median(walls):.1f} ms, CPU {statistics.median(cpus):.1f} ms, "
          f"write transaction held {statistics.median(meter.held):.1f} ms "
          f"(p95 {sorted(meter.held)[int(len(meter.held) * 0.95)]:.1f}, "
          f"CPU {statistics.median(meter.held_cpu):.1f}), "
          f"{statistics.median(counts):.0f} SQL statements per save")


# whether `save_sheet` takes the read of `sheet_criteria` (older code: not)
CHECKED = "checked" in inspect.signature(sheets.save_sheet).parameters
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')


def http_saves(app: Any, tender_id: int, vendor_id: int, names: list[str],
               values: dict[str, str], first: str) -> Callable[[int, int], None]:
    """Log each evaluator in (a test client each), read their sheet's token and version,
    and return post(index, flip): the load run's save of evaluator `index`'s draft `flip`
    (its version moving on with each 302, as `bench/load/load.lua` does)."""
    clients, tokens, versions = [], [], []
    sheet = f"/tenders/{tender_id}/evaluate/{vendor_id}"
    for name in names:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = TOKEN.search(page)
        assert token, "the login page has a CSRF token"
        answer = client.post("/login", data={"csrf_token": token.group(1), "username": name,
                                              "password": PASSWORD})
        assert answer.status_code == 302, (name, answer.status_code)
        page = client.get(sheet).get_data(as_text=True)
        token, version = TOKEN.search(page), VERSION.search(page)
        assert token and version, "the sheet's form has a CSRF token and a version"
        clients.append(client)
        tokens.append(token.group(1))
        versions.append(int(version.group(1)))

    def post(index: int, flip: int) -> None:
        form = {"csrf_token": tokens[index], "save": "1", "version": str(versions[index])}
        for key, value in values.items():
            form[f"value-{key}"] = value
            form[f"comment-{key}"] = f"load test draft {flip}" if key == first else ""
        answer = clients[index].post(sheet, data=form)
        assert answer.status_code == 302, answer.status_code
        versions[index] += 1

    return post


if __name__ == "__main__":
    main()
