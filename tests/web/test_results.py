"""Results, blind scoring, consensus, flags and finalising, the JSON API."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from selector import PROJECT_ROOT
from selector.scoring.checks import decision_checks
from selector.services import results
from selector.store.db import get_session
from selector.store.models import User
from tests.web.conftest import login

EXAMPLES = PROJECT_ROOT / "examples" / "crm-tender"


def client_as(app, username, password="correct-horse-1"):
    client = app.test_client()
    login(client, username, password)
    return client


DIVERGENT = {"eval1": {"Alpha": {"fit": "full"}}, "eval2": {"Alpha": {"fit": "none"}}}


def test_results_stay_hidden_while_scoring_is_open(app, make_tender, make_user):
    setup = make_tender(state="open", submitted=True)
    make_user("observer", "observer")
    chair = client_as(app, "chair")
    response = chair.get(f"/tenders/{setup.id}/results")
    assert response.status_code == 403
    assert "Results are hidden until scoring is closed" in response.get_data(as_text=True)
    api = chair.get(f"/api/tenders/{setup.id}/result")
    assert api.status_code == 403
    assert "ranking" not in api.get_json()
    for username in ("eval1", "observer"):
        client = client_as(app, username)
        assert client.get(f"/tenders/{setup.id}/results").status_code in (403, 404)
        assert client.get(f"/api/tenders/{setup.id}/result").status_code in (403, 404)


def test_an_evaluator_never_sees_another_evaluators_scores_while_open(app, make_tender):
    setup = make_tender(state="open", submitted=False)
    first = client_as(app, "eval1")
    second = client_as(app, "eval2")
    for client in (first, second):
        client.post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
    first.post(
        f"/tenders/{setup.id}/evaluate/{setup.vendors['Alpha']}",
        data={
            "version": "0",
            "value-fit": "none",
            "comment-fit": "Missing CRM module",
            "save": "1",
        },
    )
    for path in (
        f"/tenders/{setup.id}/evaluate",
        f"/tenders/{setup.id}/evaluate/{setup.vendors['Alpha']}",
        "/api/tenders",
        f"/tenders/{setup.id}/criteria",
    ):
        assert "Missing CRM module" not in second.get(path).get_data(as_text=True)
    chair = client_as(app, "chair")
    for path in (f"/tenders/{setup.id}", f"/tenders/{setup.id}/history"):
        assert "Missing CRM module" not in chair.get(path).get_data(as_text=True)


def test_the_chair_sees_the_ranking_after_closing(app, make_tender):
    setup = make_tender(state="closed")
    page = client_as(app, "chair").get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "Ranking" in page
    assert page.index("Alpha") < page.index("Beta")  # Alpha bid lower: more price points
    assert "Draft result" in page


def test_observers_see_results_only_once_finalised(app, make_tender, make_user):
    make_user("observer", "observer")
    closed = make_tender(state="closed")
    final = make_tender(state="finalised")
    observer = client_as(app, "observer")
    assert observer.get(f"/tenders/{closed.id}/results").status_code == 404
    page = observer.get(f"/tenders/{final.id}/results")
    assert page.status_code == 200
    assert "Finalised" in page.get_data(as_text=True)
    assert observer.get(f"/api/tenders/{final.id}/result").status_code == 200


def test_only_submitted_sheets_count(app, make_tender):
    setup = make_tender(state="open", submitted=True)
    from selector.services import lifecycle

    with app.test_request_context():
        session = get_session()
        chair = session.scalar(select(User).where(User.username == "chair"))
        sheet_id = session.execute(select(results.ScoreSheet.id)).scalars().first()
        lifecycle.return_sheet(session, setup.id, sheet_id, actor=chair, reason="redo")
        lifecycle.transition(session, setup.id, "close", actor=chair)
        lifecycle.open_prices(session, setup.id, actor=chair)
        inp = results.evaluation_input_for(session, setup.id)
    assert len({(e.evaluator, e.vendor) for e in inp.entries}) == 3


def test_the_api_result_has_the_selector_score_json_shape(app, make_tender):
    setup = make_tender(state="closed")
    body = client_as(app, "chair").get(f"/api/tenders/{setup.id}/result").get_json()
    for key in ("template", "method", "currency", "ranking", "disqualified", "points"):
        assert key in body
    assert body["template"] == "mini"
    assert [r["vendor"] for r in body["ranking"]] == ["Alpha", "Beta"]
    assert set(body["ranking"][0]) >= {"rank", "vendor", "total", "band", "groups", "bid_total"}


def test_the_demo_tenders_result_is_identical_to_selector_score(app, runner):
    result = runner.invoke(args=["demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output
    client = client_as(app, "chair", "demo-password")
    web = client.get("/api/tenders/1/result").get_json()
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "selector",
            "score",
            "--criteria",
            str(PROJECT_ROOT / "criteria" / "crm_selection.yaml"),
            "--bids",
            str(EXAMPLES / "bids.csv"),
            "--scores",
            str(EXAMPLES / "scores.csv"),
            "--consensus",
            str(EXAMPLES / "consensus.csv"),
            "--rates",
            str(EXAMPLES / "rates.csv"),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    assert web == json.loads(cli.stdout)


def test_a_result_that_cannot_be_computed_names_what_is_missing(app, make_tender):
    setup = make_tender(state="open", submitted=False)
    chair = client_as(app, "chair")
    chair.post(f"/tenders/{setup.id}/close")
    assert chair.post(f"/tenders/{setup.id}/prices").status_code == 302
    page = chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "The result cannot be computed yet" in page
    assert "no evaluator scored vendor" in page
    api = chair.get(f"/api/tenders/{setup.id}/result")
    assert api.status_code == 409
    assert api.get_json()["problems"]
    response = chair.post(f"/tenders/{setup.id}/finalise")
    assert (
        "The result cannot be computed yet, so the tender cannot be finalised"
        in response.get_data(as_text=True)
    )


def test_consensus_overrides_the_aggregate_and_is_marked(app, make_tender):
    setup = make_tender(state="closed", values=DIVERGENT)
    chair = client_as(app, "chair")
    response = chair.post(
        f"/tenders/{setup.id}/consensus",
        data={
            "vendor": setup.vendors["Alpha"],
            "criterion": "fit",
            "value": "部分满足",
            "reason": "Agreed after the demo",
        },
    )
    assert response.status_code == 302
    body = chair.get(f"/api/tenders/{setup.id}/result").get_json()
    assert body["points"]["Alpha"]["fit"] == 3
    page = chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "Agreed after the demo" in page
    assert 'class="consensus-mark"' in page


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"criterion": "fit", "value": "superb", "reason": "r"},
            "Not a value of this criterion; use one of full / partial / none.",
        ),
        (
            {"criterion": "plan", "value": "7", "reason": "r"},
            "Out of range; enter a number from 0 to 5 in steps of 0.5.",
        ),
        ({"criterion": "fit", "value": "full", "reason": ""}, "Reason: This field is required."),
        ({"criterion": "fee", "value": "5", "reason": "r"}, "Not a valid choice"),
    ],
)
def test_consensus_mistakes_are_named(app, make_tender, data, message):
    setup = make_tender(state="closed")
    chair = client_as(app, "chair")
    response = chair.post(
        f"/tenders/{setup.id}/consensus", data={"vendor": setup.vendors["Alpha"], **data}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_consensus_is_only_recorded_while_closed(app, make_tender):
    setup = make_tender(state="open", submitted=True)
    chair = client_as(app, "chair")
    response = chair.post(
        f"/tenders/{setup.id}/consensus",
        data={"vendor": setup.vendors["Alpha"], "criterion": "fit", "value": "full", "reason": "r"},
    )
    assert "Consensus values are recorded after scoring is closed" in response.get_data(
        as_text=True
    )


def test_finalising_with_an_unreviewed_flag_is_refused_with_the_list(app, make_tender):
    setup = make_tender(state="closed", values=DIVERGENT)
    with app.test_request_context():
        flags = decision_checks(results.result_for(get_session(), setup.id)).flags
    assert flags, "the divergent scores should raise a flag"
    chair = client_as(app, "chair")
    response = chair.post(f"/tenders/{setup.id}/finalise")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Every flag needs a review note before finalising" in page
    # issue 10: the open flags are listed as sentences, never by their internal ids
    assert "Divergent scores for" in page
    assert flags[0].id not in page
    for flag in flags:
        assert (
            chair.post(
                f"/tenders/{setup.id}/results/flags",
                data={"flag_id": flag.id, "note": "Discussed; scores stand"},
            ).status_code
            == 302
        )
    assert chair.post(f"/tenders/{setup.id}/finalise").status_code == 302
    with app.test_request_context():
        extras = results.report_context_extras(get_session(), setup.id)
    assert extras["state"] == "finalised"
    assert extras["flag_reviews"][flags[0].id][0]["note"] == "Discussed; scores stand"


def test_a_review_of_an_unknown_flag_is_refused(app, make_tender):
    setup = make_tender(state="closed")
    chair = client_as(app, "chair")
    response = chair.post(
        f"/tenders/{setup.id}/results/flags", data={"flag_id": "nope", "note": "x"}
    )
    assert response.status_code == 404  # the results page with the refusal (issue 12: a 4xx)
    assert "There is no such flag" in response.get_data(as_text=True)


def test_report_context_extras_describe_the_committee(app, make_tender):
    setup = make_tender(state="closed", name="Cover test")
    with app.test_request_context():
        extras = results.report_context_extras(get_session(), setup.id)
    assert extras["tender_name"] == "Cover test"
    assert extras["organisation"] == "Test Org"
    assert extras["state"] == "closed"
    assert extras["chair"]["username"] == "chair"
    committee = {m["username"]: m for m in extras["committee"]}
    assert set(committee) == {"eval1", "eval2"}
    assert committee["eval1"]["submitted_at"] is not None
    assert committee["eval1"]["conflicts"] == []
    assert committee["eval1"]["sheets_submitted"] == committee["eval1"]["sheets_expected"] == 2


def test_results_show_template_texts_in_chinese(app, make_tender):
    setup = make_tender(state="closed")
    chair = client_as(app, "chair")
    chair.post("/language", data={"lang": "zh", "next": "/"})
    page = chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "排名" in page and "质量" in page and "功能匹配" in page


def test_html_in_comments_is_text_on_the_results_page(app, make_tender):
    setup = make_tender(state="open", submitted=False)
    evaluator = client_as(app, "eval1")
    evaluator.post(f"/tenders/{setup.id}/evaluate/conflicts", data={"no_conflict": "y"})
    from tests.web.conftest import MINI_VALUES

    for vendor_id in setup.vendors.values():
        evaluator.post(
            f"/tenders/{setup.id}/evaluate/{vendor_id}",
            data={
                "version": "0",
                "submit_sheet": "1",
                **{f"value-{k}": v for k, v in MINI_VALUES.items()},
                **{f"comment-{k}": "<img src=x onerror=alert(1)>" for k in MINI_VALUES},
            },
        )
    chair = client_as(app, "chair")
    chair.post(f"/tenders/{setup.id}/close")
    chair.post(f"/tenders/{setup.id}/prices")
    page = chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_results_list_disqualified_vendors_with_the_reason(app, make_tender):
    fails = {"eval1": {"Beta": {"licence_ok": "fail"}}, "eval2": {"Beta": {"licence_ok": "fail"}}}
    setup = make_tender(state="closed", values=fails)
    page = client_as(app, "chair").get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "Disqualified" in page
    assert "2 of 2 evaluators said fail" in page
