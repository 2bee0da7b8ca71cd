"""Several people writing at once: no lost update, no 'database is locked'."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from selector.store.db import get_session
from selector.store.models import AuditEvent, Entry, ScoreSheet
from tests.web.conftest import MINI_VALUES, login


def test_evaluators_saving_at_the_same_time_all_succeed(app, make_tender):
    setup = make_tender(
        state="open",
        submitted=False,
        evaluators=6,
        vendors=["A", "B", "C"],
        bids={"A": 1, "B": 2, "C": 3},
    )
    clients = []
    for name in setup.evaluators:
        client = app.test_client()
        login(client, name)
        client.post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
        clients.append(client)
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def work(client):
        barrier.wait()
        for vendor_id in setup.vendors.values():
            response = client.post(
                f"/tenders/{setup.id}/evaluate/{vendor_id}",
                data={
                    "version": "0",
                    "submit_sheet": "1",
                    **{f"value-{k}": v for k, v in MINI_VALUES.items()},
                },
            )
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 18
    with app.test_request_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(ScoreSheet)) == 18
        assert session.scalar(select(func.count()).select_from(Entry)) == 18 * len(MINI_VALUES)
        submits = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sheet.submit")
        )
        assert submits == 18


def test_two_tabs_racing_on_one_sheet_never_lose_a_save(app, make_tender):
    setup = make_tender(state="open", submitted=False)
    tabs = []
    for _ in range(4):
        client = app.test_client()
        login(client, "eval1")
        tabs.append(client)
    tabs[0].post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
    url = f"/tenders/{setup.id}/evaluate/{setup.vendors['Alpha']}"
    barrier = threading.Barrier(len(tabs))
    statuses: list[int] = []

    def work(index, client):
        barrier.wait()
        response = client.post(
            url,
            data={"version": "0", "save": "1", "value-fit": "full", "comment-fit": f"tab {index}"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # exactly one tab wins; the others are told their change was not saved
    assert sorted(statuses) == [302, 409, 409, 409]
    with app.test_request_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(ScoreSheet)) == 1
        assert session.scalar(select(func.count()).select_from(Entry)) == 1
