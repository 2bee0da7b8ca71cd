"""Several people writing at once: no lost update, no 'database is locked'."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from selector.store.db import get_session
from selector.store.models import (
    Assignment,
    AuditEvent,
    Bid,
    ConflictDeclaration,
    Entry,
    ScoreSheet,
    Tender,
    User,
    Vendor,
)
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


# --- double-clicks and concurrent inserts of a unique row -------------------------------
#
# Eight requests that insert the same unique row are started together (a barrier). Each
# must be answered as if it came after the first: the one row, and either the same success
# or the refusal a second request gets ("already declared", "the name is taken") — never a
# 500 from the database's unique constraint.

RACERS = 8


def _race(app, username, method, url, data):
    """`RACERS` clients logged in as `username` send the same request at once; statuses and
    bodies in the order they finished."""
    clients = []
    for _ in range(RACERS):
        client = app.test_client()
        login(client, username)
        clients.append(client)
    barrier = threading.Barrier(RACERS)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def work(client):
        barrier.wait()
        response = getattr(client, method)(url, data=data)
        with lock:
            answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == RACERS
    assert all(status < 500 for status, _ in answers), [s for s, _ in answers]
    return answers


def _count(app, model, *where):
    with app.test_request_context():
        return get_session().scalar(select(func.count()).select_from(model).where(*where))


def test_a_double_clicked_declaration_is_stored_once(app, make_tender):
    setup = make_tender(state="open", submitted=False)
    answers = _race(
        app, "eval1", "post", f"/tenders/{setup.id}/evaluate/conflicts", {"no_conflict": "y"}
    )
    statuses = sorted(status for status, _ in answers)
    assert statuses == [302] + [422] * (RACERS - 1)
    assert all("already declared" in page for status, page in answers if status == 422)
    assert _count(app, ConflictDeclaration) == 1
    declared = _count(app, AuditEvent, AuditEvent.action == "conflict.declare")
    assert declared == 1


def test_a_double_clicked_vendor_is_added_once(app, make_tender):
    setup = make_tender(vendors=["Alpha"])
    answers = _race(app, "chair", "post", f"/tenders/{setup.id}/vendors", {"name": "Gamma"})
    assert sorted(s for s, _ in answers) == [302] + [422] * (RACERS - 1)
    assert all("already a vendor called" in page for status, page in answers if status == 422)
    assert _count(app, Vendor, Vendor.name == "Gamma") == 1


def test_a_double_clicked_first_bid_is_one_row(app, make_tender):
    setup = make_tender(vendors=["Alpha", "Beta"], bids={"Alpha": 100})
    beta = setup.vendors["Beta"]
    answers = _race(
        app,
        "chair",
        "post",
        f"/tenders/{setup.id}/bids",
        {"vendor": str(beta), "component": "fee", "amount": "150", "currency": ""},
    )
    assert [s for s, _ in answers] == [302] * RACERS  # each one saves the same amount
    assert _count(app, Bid, Bid.vendor_id == beta) == 1


def test_a_double_clicked_assignment_is_one_row(app, make_tender, make_user):
    setup = make_tender(evaluators=1)
    newcomer = make_user("newcomer")
    answers = _race(
        app, "chair", "post", f"/tenders/{setup.id}/assignments", {"evaluator": str(newcomer)}
    )
    assert [s for s, _ in answers] == [302] * RACERS
    assert _count(app, Assignment, Assignment.user_id == newcomer) == 1


def test_a_double_clicked_new_user_is_created_once(app, make_user):
    make_user("admin", role="admin")
    answers = _race(
        app,
        "admin",
        "post",
        "/admin/users",
        {
            "username": "twice",
            "display_name": "Twice Clicked",
            "role": "evaluator",
            "password": "a-long-pass-phrase",
        },
    )
    assert sorted(s for s, _ in answers) == [302] + [422] * (RACERS - 1)
    assert all("is taken" in page for status, page in answers if status == 422)
    assert _count(app, User, User.username == "twice") == 1


def test_a_double_clicked_first_save_is_one_sheet(app, make_tender):
    setup = make_tender(state="open", submitted=False)
    client = app.test_client()
    login(client, "eval1")
    client.post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
    url = f"/tenders/{setup.id}/evaluate/{setup.vendors['Alpha']}"
    answers = _race(
        app, "eval1", "post", url, {"version": "0", "save": "1", "value-fit": "full"}
    )
    assert sorted(s for s, _ in answers) == [302] + [409] * (RACERS - 1)
    assert all("NOT saved" in page for status, page in answers if status == 409)
    assert _count(app, ScoreSheet) == 1
    assert _count(app, Entry) == 1


def test_closing_during_a_burst_of_submissions_counts_each_sheet_once(app, make_tender):
    """Each save or submission lands entirely before the close, or is refused: the sheets
    the close counted are exactly those submitted, and none changes after it."""
    setup = make_tender(
        state="open", submitted=False, evaluators=6, vendors=["A", "B", "C"],
        bids={"A": 1, "B": 2, "C": 3},
    )
    evaluators = []
    for name in setup.evaluators:
        client = app.test_client()
        login(client, name)
        client.post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
        evaluators.append(client)
    chair = app.test_client()
    login(chair, "chair")
    barrier = threading.Barrier(len(evaluators) + 1)
    statuses: list[int] = []
    lock = threading.Lock()

    def evaluate(client):
        barrier.wait()
        for vendor_id in setup.vendors.values():
            url = f"/tenders/{setup.id}/evaluate/{vendor_id}"
            fields = {f"value-{k}": v for k, v in MINI_VALUES.items()}
            for data in ({"version": "0", "save": "1", **fields},
                         {"version": "1", "submit_sheet": "1", **fields}):
                response = client.post(url, data=data)
                with lock:
                    statuses.append(response.status_code)

    def close():
        barrier.wait()
        response = chair.post(f"/tenders/{setup.id}/close", data={"reason": ""})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=evaluate, args=(c,)) for c in evaluators]
    threads.append(threading.Thread(target=close))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status < 500 for status in statuses), statuses
    with app.test_request_context():
        session = get_session()
        tender = session.get(Tender, setup.id)
        assert tender.state == "closed"
        closing = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "tender.close")
        ).one()
        later = select(AuditEvent).where(AuditEvent.seq > closing.seq)
        assert session.scalars(later).all() == []  # nothing landed after the close
        submitted = session.scalar(
            select(func.count()).select_from(ScoreSheet).where(ScoreSheet.state == "submitted")
        )
        assert closing.detail["submitted"] == submitted
        for sheet in session.scalars(select(ScoreSheet)):
            assert sheet.updated_at <= tender.closed_at
