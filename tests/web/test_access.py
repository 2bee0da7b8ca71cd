"""The access matrix: every role × route × owner, checked on the server.

Roles: the tender's own chair, another chair, an admin, an evaluator on the committee, an
evaluator who is not, an observer, and nobody logged in. A tender a user may not know about
answers 404 (ids reveal nothing); one they may see but not act on answers 403.
"""

from __future__ import annotations

import pytest

from tests.web.conftest import login

STATES = ["draft", "open", "closed", "finalised"]
ROLES = ["owner", "other_chair", "admin", "evaluator", "outsider", "observer", "anonymous"]


@pytest.fixture
def world(app, make_tender, make_user):
    """One tender per state, all chaired by `chair`, with `eval1` and `eval2` on them."""
    make_user("chair2", "chair")
    make_user("admin", "admin")
    make_user("outsider", "evaluator")
    make_user("observer", "observer")
    return {state: make_tender(state=state) for state in STATES}


USERNAMES = {
    "owner": "chair",
    "other_chair": "chair2",
    "admin": "admin",
    "evaluator": "eval1",
    "outsider": "outsider",
    "observer": "observer",
}


def client_for(app, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, USERNAMES[role])
    return client


def expected_show(role, state):
    return {
        "owner": 200,
        "other_chair": 404,
        "admin": 200,
        "anonymous": 302,
        "outsider": 404,
        "evaluator": 404 if state == "draft" else 302,
        "observer": 302 if state == "finalised" else 404,
    }[role]


def expected_results(role, state):
    if role == "anonymous":
        return 302
    if role == "owner":
        return 200 if state in ("closed", "finalised") else 403
    if role == "observer":
        return 200 if state == "finalised" else 404
    if role == "evaluator":  # once final, their own outcome page (test_outcome.py)
        return {"draft": 404, "finalised": 302}.get(state, 403)
    if role == "admin":
        return 403
    return 404


def expected_api_result(role, state):
    if role == "evaluator":  # the full result holds every evaluator's inputs: never
        return 404 if state == "draft" else 403
    return 401 if role == "anonymous" else expected_results(role, state)


def expected_outcome(role, state):
    if role == "anonymous":
        return 302
    if role == "evaluator":
        return {"draft": 404, "finalised": 200}.get(state, 403)
    return expected_workspace(role, state)  # only evaluators have one


def expected_workspace(role, state):
    if role == "anonymous":
        return 302
    if role == "evaluator":
        return 404 if state == "draft" else 200
    if role == "outsider":
        return 404  # an evaluator, but not on this committee
    return 403  # only evaluators have a workspace


def expected_chair_page(role, state):
    """Chair-only pages (history, consensus): 403 for other roles, 404 for other chairs."""
    return {"owner": 200, "other_chair": 404, "anonymous": 302}.get(role, 403)


def expected_log(role, state):
    """The audit log: its chair, and observers once it is final (404 while they may not
    know it); 403 for those who see the tender but not its log (evaluators, admins)."""
    if role in ("owner", "other_chair", "anonymous"):
        return expected_chair_page(role, state)
    if role == "observer":
        return 200 if state == "finalised" else 404
    if role == "admin" or (role == "evaluator" and state != "draft"):
        return 403
    return 404


def expected_criteria(role, state):
    if role == "anonymous":
        return 302
    if role == "admin":
        return 403
    visible = expected_show(role, state) != 404
    return 200 if visible else 404


ROUTES = [
    ("/tenders/{id}", expected_show),
    ("/tenders/{id}/results", expected_results),
    ("/api/tenders/{id}/result", expected_api_result),
    ("/tenders/{id}/evaluate", expected_workspace),
    ("/tenders/{id}/outcome", expected_outcome),
    ("/tenders/{id}/history", expected_log),
    ("/tenders/{id}/consensus", expected_chair_page),
    ("/tenders/{id}/criteria", expected_criteria),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_get_routes_answer_by_role_state_and_owner(app, world, role, state):
    client = client_for(app, role)
    tender_id = world[state].id
    for path, expected in ROUTES:
        response = client.get(path.format(id=tender_id))
        assert response.status_code == expected(role, state), (path, role, state)


@pytest.mark.parametrize("role", ROLES)
def test_a_tender_that_does_not_exist_is_not_found_for_everyone(app, world, role):
    client = client_for(app, role)
    for path, expected in ROUTES:
        status = client.get(path.format(id=9999)).status_code
        if role == "anonymous":
            assert status in (302, 401)
        elif expected in (expected_workspace, expected_outcome) and role not in (
            "evaluator",
            "outsider",
        ):
            assert status == 403  # role checked first: says nothing about the id
        elif expected is expected_chair_page and role not in ("owner", "other_chair"):
            assert status == 403
        elif expected is expected_criteria and role == "admin":
            assert status == 404 or status == 403
        else:
            assert status == 404, (path, role)


CHAIR_POSTS = [
    ("/tenders/{id}/vendors", {"name": "Gamma"}),
    (
        "/tenders/{id}/settings",
        {
            "name": "X",
            "base_currency": "CNY",
            "method": "mean",
            "divergence_percent": "40",
            "low_bid_percent": "60",
        },
    ),
    ("/tenders/{id}/rates", {"currency": "USD", "rate": "7"}),
    ("/tenders/{id}/open", {}),
    ("/tenders/{id}/delete", {}),
    (
        "/tenders/{id}/consensus",
        {"vendor": "1", "criterion": "fit", "value": "full", "reason": "r"},
    ),
    ("/tenders/{id}/results/flags", {"flag_id": "x", "note": "n"}),
]


@pytest.mark.parametrize(
    "role", ["other_chair", "admin", "evaluator", "outsider", "observer", "anonymous"]
)
def test_only_the_tenders_chair_may_change_it(app, world, role):
    client = client_for(app, role)
    tender_id = world["draft"].id
    for path, data in CHAIR_POSTS:
        response = client.post(path.format(id=tender_id), data=data)
        expected = {"other_chair": 404, "anonymous": 302}.get(role, 403)
        assert response.status_code == expected, (path, role)
    # nothing changed
    owner = client_for(app, "owner")
    page = owner.get(f"/tenders/{tender_id}").get_data(as_text=True)
    assert "Gamma" not in page
    assert owner.get(f"/tenders/{tender_id}").status_code == 200


def test_an_evaluator_cannot_reach_a_sheet_of_another_tender_or_vendor(app, make_tender, make_user):
    mine = make_tender(state="open", submitted=False)
    other = make_tender(state="open", evaluator_names=["stranger"], submitted=False)
    client = client_for(app, "evaluator")
    client.post(f"/tenders/{mine.id}/evaluate/conflicts", data={"no_conflict": "y"})
    alpha = mine.vendors["Alpha"]
    assert client.get(f"/tenders/{mine.id}/evaluate/{alpha}").status_code == 200
    # another tender's vendor id under my tender, and my vendor under another tender
    assert client.get(f"/tenders/{mine.id}/evaluate/{other.vendors['Alpha']}").status_code == 404
    assert client.get(f"/tenders/{other.id}/evaluate/{alpha}").status_code == 404
    assert (
        client.post(
            f"/tenders/{other.id}/evaluate/{other.vendors['Alpha']}", data={"version": "0"}
        ).status_code
        == 404
    )


def test_sheets_are_per_evaluator_so_an_id_never_opens_someone_elses(app, make_tender):
    setup = make_tender(state="open", submitted=False)
    first, second = client_for(app, "evaluator"), app.test_client()
    login(second, "eval2")
    for client in (first, second):
        client.post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
    alpha = setup.vendors["Alpha"]
    first.post(
        f"/tenders/{setup.id}/evaluate/{alpha}",
        data={"version": "0", "value-fit": "partial", "comment-fit": "secret note", "save": "1"},
    )
    page = second.get(f"/tenders/{setup.id}/evaluate/{alpha}").get_data(as_text=True)
    assert "secret note" not in page
    assert 'value="partial" data-points="3" data-comment-required="1"\n' not in page


def test_admin_pages_are_for_admins_only(app, world):
    for role in ("owner", "evaluator", "observer"):
        client = client_for(app, role)
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/users", data={"username": "x"}).status_code == 403
    assert client_for(app, "admin").get("/admin/users").status_code == 200
    assert client_for(app, "anonymous").get("/admin/users").status_code == 302


def test_only_chairs_create_tenders(app, world):
    for role in ("admin", "evaluator", "observer"):
        assert client_for(app, role).get("/tenders/new").status_code == 403
    assert client_for(app, "owner").get("/tenders/new").status_code == 200


@pytest.mark.parametrize(
    "role,visible",
    [
        ("owner", {"draft", "open", "closed", "finalised"}),
        ("other_chair", set()),
        ("admin", {"draft", "open", "closed", "finalised"}),
        ("evaluator", {"open", "closed", "finalised"}),
        ("outsider", set()),
        ("observer", {"finalised"}),
    ],
)
def test_the_tender_list_shows_only_what_the_role_may_see(app, world, role, visible):
    client = client_for(app, role)
    listed = {item["state"] for item in client.get("/api/tenders").get_json()}
    assert listed == visible
    ids = {item["id"] for item in client.get("/api/tenders").get_json()}
    assert ids == {world[s].id for s in visible}
    for item in client.get("/api/tenders").get_json():
        assert set(item) == {"id", "name", "state", "template"}


@pytest.mark.parametrize(
    "role,sees",
    [
        ("owner", {"closed", "finalised"}),
        ("other_chair", set()),
        ("admin", set()),
        ("evaluator", set()),
        ("outsider", set()),
        ("observer", {"finalised"}),
    ],
)
def test_prices_are_seen_by_the_chair_observers_when_final_and_no_evaluator_by_default(
    app, world, role, sees
):
    from sqlalchemy import select

    from selector.services.access import may_see_prices
    from selector.store.db import get_session
    from selector.store.models import Tender, User, utcnow

    with app.test_request_context():
        session = get_session()
        for state in ("closed", "finalised"):  # the price envelope opened after closing
            session.get(Tender, world[state].id).prices_opened_at = utcnow()
        session.commit()
        person = session.scalar(select(User).where(User.username == USERNAMES[role]))
        seen = {
            state
            for state, setup in world.items()
            if may_see_prices(session, session.get(Tender, setup.id), person)
        }
    assert seen == sees


def test_an_evaluator_sees_prices_when_the_assignment_says_so(app, make_tender):
    from sqlalchemy import select

    from selector.services.access import may_see_prices
    from selector.store.db import get_session
    from selector.store.models import Tender, User, utcnow

    setup = make_tender(state="closed", can_see_prices=True, prices_opened=False)
    with app.test_request_context():
        session = get_session()
        evaluator = session.scalar(select(User).where(User.username == "eval1"))
        tender = session.get(Tender, setup.id)
        assert not may_see_prices(session, tender, evaluator)  # sealed until opened
        tender.prices_opened_at = utcnow()
        session.commit()
        assert may_see_prices(session, tender, evaluator)
