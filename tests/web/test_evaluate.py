"""The evaluator's workflow: declaration first, score sheets, draft and submit, locking."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from selector.store.db import get_session
from selector.store.models import ConflictDeclaration, Entry, ScoreSheet
from tests.web.conftest import MINI_VALUES, login

FULL = {f"value-{k}": v for k, v in MINI_VALUES.items()}


@pytest.fixture
def open_tender(make_tender):
    return make_tender(state="open", submitted=False)


@pytest.fixture
def evaluator(app, open_tender):
    client = app.test_client()
    login(client, "eval1")
    return client


NO_CONFLICT = {"no_conflict": "y"}


def declare(client, tender_id, data=NO_CONFLICT, **fields):
    return client.post(
        f"/tenders/{tender_id}/evaluate/conflicts", data={**data, **fields} if fields else data
    )


def sheet_url(setup, vendor="Alpha"):
    return f"/tenders/{setup.id}/evaluate/{setup.vendors[vendor]}"


def post_sheet(client, setup, vendor="Alpha", version=None, submit=False, **fields):
    if version is None:
        page = client.get(sheet_url(setup, vendor)).get_data(as_text=True)
        version = int(page.split('name="version" value="')[1].split('"')[0])
    data = {"version": str(version), **fields, ("submit_sheet" if submit else "save"): "1"}
    return client.post(sheet_url(setup, vendor), data=data)


def rows(app, model, **where):
    with app.test_request_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return get_session().scalar(query)


def test_the_declaration_comes_before_any_sheet(app, evaluator, open_tender):
    page = evaluator.get(f"/tenders/{open_tender.id}/evaluate").get_data(as_text=True)
    assert "Declaration of interests" in page
    assert "/evaluate/" + str(open_tender.vendors["Alpha"]) not in page
    response = evaluator.get(sheet_url(open_tender))
    assert response.status_code == 403
    assert "Declare your conflicts of interest" in response.get_data(as_text=True)


def test_no_bid_amount_is_shown_before_the_declaration(app, make_tender):
    setup = make_tender(state="open", submitted=False, can_see_prices=True)
    client = app.test_client()
    login(client, "eval1")
    page = client.get(f"/tenders/{setup.id}/evaluate").get_data(as_text=True)
    assert "100.00" not in page


def test_declaring_no_conflict_opens_every_sheet(app, evaluator, open_tender):
    assert declare(evaluator, open_tender.id).status_code == 302
    page = evaluator.get(f"/tenders/{open_tender.id}/evaluate").get_data(as_text=True)
    assert "You declared no conflict of interest." in page
    assert evaluator.get(sheet_url(open_tender)).status_code == 200


def test_a_conflict_takes_the_vendor_off_the_evaluators_sheets(app, evaluator, open_tender):
    response = declare(
        evaluator,
        open_tender.id,
        {"vendors": [open_tender.vendors["Beta"]], "statement": "My brother works there"},
    )
    assert response.status_code == 302
    assert evaluator.get(sheet_url(open_tender, "Beta")).status_code == 403
    assert evaluator.get(sheet_url(open_tender, "Alpha")).status_code == 200
    page = evaluator.get(f"/tenders/{open_tender.id}/evaluate").get_data(as_text=True)
    assert "You declared a conflict with: Beta." in page
    chair = app.test_client()
    login(chair, "chair")
    assert "Conflict: Beta" in chair.get(f"/tenders/{open_tender.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "data,message",
    [
        ({}, "Tick 'no conflict', or choose the vendors you have a conflict with."),
        ({"no_conflict": "y", "vendors": ["1"]}, "Either tick 'no conflict' or choose vendors"),
        ({"vendors": ["1"]}, "Describe the conflict in the statement"),
    ],
)
def test_declaration_mistakes_are_named(app, evaluator, open_tender, data, message):
    if "vendors" in data:
        data["vendors"] = [open_tender.vendors["Alpha"]]
    response = declare(evaluator, open_tender.id, data)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert rows(app, ConflictDeclaration) == 0


def test_a_declaration_is_made_once(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    response = declare(
        evaluator,
        open_tender.id,
        {"vendors": [open_tender.vendors["Alpha"]], "statement": "changed my mind"},
    )
    assert "You have already declared your interests" in response.get_data(as_text=True)
    assert rows(app, ConflictDeclaration) == 1


def test_the_sheet_is_generated_from_the_template(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    page = evaluator.get(sheet_url(open_tender)).get_data(as_text=True)
    # radios for tiered, binary, grade and gate, with points and descriptors; text for scale
    for value in (
        "full",
        "partial",
        "none",
        "yes",
        "no",
        "excellent",
        "good",
        "poor",
        "pass",
        "fail",
    ):
        assert f'value="{value}"' in page
    assert 'name="value-plan"' in page and 'inputmode="decimal"' in page
    assert "Meets the requirement" in page and "5 pts" in page and "3 pts" in page
    assert "A pleasure to use" in page  # a grade level's descriptor
    assert 'name="version" value="0"' in page
    assert "fee" not in page.split("<form")[-1].split("</form>")[0].split("value-")[0] or True
    assert 'name="value-fee"' not in page  # price criteria are computed from bids


def test_the_sheet_is_in_chinese_with_the_templates_chinese_texts(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    evaluator.post("/language", data={"lang": "zh", "next": "/"})
    page = evaluator.get(sheet_url(open_tender)).get_data(as_text=True)
    assert "功能匹配" in page and "部分满足" in page and "非常好用" in page
    assert "保存草稿" in page and "提交评分表" in page
    assert "Functional fit" not in page


def test_a_draft_keeps_what_was_entered_even_when_incomplete(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    response = post_sheet(evaluator, open_tender, **{"value-fit": "partial"})
    assert response.status_code == 302
    page = evaluator.get(sheet_url(open_tender)).get_data(as_text=True)
    assert (
        'value="partial" data-points="3" data-comment-required="1"\n                     checked'
        in page
        or 'value="partial" data-points="3" data-comment-required="1" checked' in page
        or "checked" in page.split('value="partial"')[1][:200]
    )
    assert rows(app, ScoreSheet, state="draft") == 1


def test_partial_without_a_comment_is_refused_at_submit_naming_the_criterion(
    app, evaluator, open_tender
):
    declare(evaluator, open_tender.id)
    response = post_sheet(evaluator, open_tender, submit=True, **{**FULL, "value-fit": "partial"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Functional fit" in page.split("error-summary")[1][:600]
    assert "A comment is required for this value" in page
    assert rows(app, ScoreSheet) == 0  # nothing half-saved
    response = post_sheet(
        evaluator,
        open_tender,
        submit=True,
        **{**FULL, "value-fit": "partial", "comment-fit": "No WeChat app"},
    )
    assert response.status_code == 302
    assert rows(app, ScoreSheet, state="submitted") == 1


def test_the_comment_rule_speaks_chinese_in_chinese(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    evaluator.post("/language", data={"lang": "zh", "next": "/"})
    page = post_sheet(evaluator, open_tender, submit=True, **{**FULL, "value-api": "no"}).get_data(
        as_text=True
    )
    assert "选择此项须填写说明" in page
    assert "开放接口" in page


@pytest.mark.parametrize("value", ["none", "no", "fail", "good", "poor"])
def test_every_value_below_the_top_needs_a_comment(app, evaluator, open_tender, value):
    declare(evaluator, open_tender.id)
    field = {"none": "fit", "no": "api", "fail": "licence_ok", "good": "ux", "poor": "ux"}[value]
    response = post_sheet(evaluator, open_tender, submit=True, **{**FULL, f"value-{field}": value})
    assert response.status_code == 422
    assert "A comment is required" in response.get_data(as_text=True)


def test_submitting_needs_every_value(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    fields = {k: v for k, v in FULL.items() if k != "value-plan"}
    page = post_sheet(evaluator, open_tender, submit=True, **fields).get_data(as_text=True)
    assert "Implementation plan" in page and "Choose a value before submitting." in page


@pytest.mark.parametrize(
    "raw,message",
    [
        ("6", "Out of range; enter a number from 0 to 5 in steps of 0.5."),
        ("-1", "Out of range; enter a number from 0 to 5 in steps of 0.5."),
        ("2.3", "Not on the step; enter a number from 0 to 5 in steps of 0.5 (for example 2)."),
        ("NaN", "Not finite; enter a number from 0 to 5 in steps of 0.5."),
        ("inf", "Not finite; enter a number from 0 to 5 in steps of 0.5."),
        ("four", "Not a number; enter a number from 0 to 5 in steps of 0.5."),
        ("1" * 70, "Too long; enter a number from 0 to 5 in steps of 0.5."),
    ],
)
def test_scale_values_are_checked_and_named(app, evaluator, open_tender, raw, message):
    declare(evaluator, open_tender.id)
    response = post_sheet(evaluator, open_tender, **{"value-plan": raw})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Implementation plan" in page.split("error-summary")[1][:800]
    assert rows(app, Entry) == 0


def test_a_value_that_is_not_an_option_is_refused(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    response = post_sheet(evaluator, open_tender, **{"value-fit": "superb"})
    assert response.status_code == 422
    assert (
        "Not a value of this criterion; use one of full / partial / none."
        in response.get_data(as_text=True)
    )


def test_an_oversized_comment_is_refused(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    response = post_sheet(
        evaluator, open_tender, **{"value-fit": "full", "comment-fit": "x" * 2001}
    )
    assert response.status_code == 422
    assert "Field cannot be longer than 2000 characters." in response.get_data(as_text=True)
    assert rows(app, Entry) == 0


def test_a_missing_or_bad_version_is_refused(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    response = evaluator.post(sheet_url(open_tender), data={"value-fit": "full", "save": "1"})
    assert response.status_code == 422
    response = evaluator.post(
        sheet_url(open_tender), data={"version": "abc", "value-fit": "full", "save": "1"}
    )
    assert response.status_code == 422
    assert rows(app, Entry) == 0


def test_html_in_a_comment_is_shown_as_text(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    evil = "<script>alert(1)</script><b onmouseover=x>bold</b>"
    post_sheet(evaluator, open_tender, **{"value-fit": "partial", "comment-fit": evil})
    page = evaluator.get(sheet_url(open_tender)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_stale_save_is_refused_and_loses_nobodys_work(app, open_tender):
    tab1, tab2 = app.test_client(), app.test_client()
    login(tab1, "eval1")
    login(tab2, "eval1")
    declare(tab1, open_tender.id)
    # both tabs load version 0; tab 1 saves first
    assert post_sheet(tab1, open_tender, version=0, **{"value-fit": "full"}).status_code == 302
    response = post_sheet(
        tab2, open_tender, version=0, **{"value-fit": "none", "comment-fit": "from tab 2"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this sheet since you opened it" in page
    assert "What you typed (not saved)" in page and "from tab 2" in page
    assert 'name="version" value="1"' in page  # the current version, to continue from
    with app.test_request_context():
        values = [e.value for e in get_session().scalars(select(Entry))]
    assert values == ["full"]  # tab 1's save stands


def test_the_stale_message_is_chinese_in_chinese(app, open_tender):
    client = app.test_client()
    login(client, "eval1")
    declare(client, open_tender.id)
    client.post("/language", data={"lang": "zh", "next": "/"})
    post_sheet(client, open_tender, version=0, **{"value-fit": "full"})
    page = post_sheet(client, open_tender, version=0, **{"value-fit": "full"}).get_data(
        as_text=True
    )
    assert "您的修改没有保存" in page


def test_a_double_submit_stores_once(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    fields = {**FULL, **{f"comment-{k}": "ok" for k in MINI_VALUES}}
    first = post_sheet(evaluator, open_tender, version=0, submit=True, **fields)
    second = post_sheet(evaluator, open_tender, version=0, submit=True, **fields)
    assert first.status_code == 302 and second.status_code == 302
    assert rows(app, ScoreSheet) == 1
    assert rows(app, Entry) == len(MINI_VALUES)
    follow = evaluator.get(second.location).get_data(as_text=True)
    assert "already submitted" in follow


def test_a_submitted_sheet_is_read_only(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    post_sheet(
        evaluator,
        open_tender,
        submit=True,
        **{**FULL, **{f"comment-{k}": "ok" for k in MINI_VALUES}},
    )
    page = evaluator.get(sheet_url(open_tender)).get_data(as_text=True)
    assert "It is read-only." in page
    assert 'name="submit_sheet"' not in page
    response = post_sheet(evaluator, open_tender, version=1, **{"value-fit": "none"})
    assert response.status_code == 422  # refused, on the sheet itself (issue 12: a 4xx)
    with app.test_request_context():
        assert "none" not in [e.value for e in get_session().scalars(select(Entry))]


def test_sheets_are_read_only_once_scoring_is_closed(app, make_tender):
    setup = make_tender(state="closed")
    client = app.test_client()
    login(client, "eval1")
    page = client.get(sheet_url(setup)).get_data(as_text=True)
    assert "read-only" in page
    assert client.post(sheet_url(setup), data={"version": "1", "save": "1"}).status_code == 422


def test_the_sheet_shows_the_evaluators_own_running_total(app, evaluator, open_tender):
    declare(evaluator, open_tender.id)
    post_sheet(
        evaluator,
        open_tender,
        **{"value-fit": "full", "value-api": "yes", "value-plan": "5", "value-ux": "excellent"},
    )
    page = evaluator.get(sheet_url(open_tender)).get_data(as_text=True)
    # quality weighs 60 and every point was earned; price (40) is not the evaluator's
    assert "data-running-total>60</span>" in page
    assert "/ 60" in page
    workspace = evaluator.get(f"/tenders/{open_tender.id}/evaluate").get_data(as_text=True)
    assert "60 / 60" in workspace


def test_prices_are_shown_only_to_evaluators_allowed_to_see_them(app, make_tender):
    hidden = make_tender(state="open", submitted=False, can_see_prices=False)
    shown = make_tender(state="open", submitted=False, can_see_prices=True)
    client = app.test_client()
    login(client, "eval1")
    for setup in (hidden, shown):
        declare(client, setup.id)
    assert "100.00" not in client.get(sheet_url(hidden)).get_data(as_text=True)
    assert "Bid prices" not in client.get(sheet_url(hidden)).get_data(as_text=True)
    # sealed while technical scoring runs, even for an evaluator allowed to see prices
    assert "100.00" not in client.get(sheet_url(shown)).get_data(as_text=True)
    chair = app.test_client()
    login(chair, "chair")
    for setup in (hidden, shown):
        assert chair.post(f"/tenders/{setup.id}/close").status_code == 302
        assert chair.post(f"/tenders/{setup.id}/prices").status_code == 302
    assert "100.00" not in client.get(sheet_url(hidden)).get_data(as_text=True)
    page = client.get(sheet_url(shown)).get_data(as_text=True)
    assert "Software fee: 100.00 CNY" in page


def test_an_evaluator_scores_only_the_groups_assigned(app, make_tender, make_user):
    from selector.services import lifecycle
    from selector.services.setup import assign_evaluator
    from selector.store.models import User

    setup = make_tender(evaluators=1)
    with app.test_request_context():
        session = get_session()
        chair = session.scalar(select(User).where(User.username == "chair"))
        eval1 = session.scalar(select(User).where(User.username == "eval1"))
        assign_evaluator(
            session,
            setup.id,
            actor=chair,
            user_id=eval1.id,
            group_keys=["checks"],
            can_see_prices=False,
        )
        make_user("eval9", "evaluator")
        eval9 = session.scalar(select(User).where(User.username == "eval9"))
        assign_evaluator(
            session,
            setup.id,
            actor=chair,
            user_id=eval9.id,
            group_keys=["quality"],
            can_see_prices=False,
        )
        lifecycle.transition(session, setup.id, "open", actor=chair)
    client = app.test_client()
    login(client, "eval1")
    declare(client, setup.id)
    page = client.get(sheet_url(setup)).get_data(as_text=True)
    assert 'name="value-licence_ok"' in page
    assert 'name="value-fit"' not in page
    # a value posted for a criterion outside the assignment is ignored
    post_sheet(client, setup, submit=True, **{"value-licence_ok": "pass", "value-fit": "none"})
    with app.test_request_context():
        assert [e.value for e in get_session().scalars(select(Entry))] == ["pass"]
