"""The moderation view (issue 10): per criterion, every evaluator's input and comment side by
side, the aggregate, the spread, divergent or decisive, and a consensus value recorded from the
criterion's own values with a confirmation before one replaces another."""

from __future__ import annotations

import re

from selector.services.moderation import cell_anchor
from tests.web.conftest import login

DIVERGENT = {"eval1": {"Alpha": {"fit": "full"}}, "eval2": {"Alpha": {"fit": "none"}}}


def chair_client(app):
    client = app.test_client()
    login(client, "chair")
    return client


def consensus_of(client, tender_id):
    return client.get(f"/api/tenders/{tender_id}/result").get_json()["points"]


def test_the_page_shows_each_evaluators_input_and_comment_by_name_with_aggregate_and_spread(
    app, make_tender
):
    setup = make_tender(state="closed", values=DIVERGENT,
                        evaluator_names=["eval1", "eval2"])
    page = chair_client(app).get(f"/tenders/{setup.id}/moderation?criterion=fit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # display names (make_user titles the login), never the login
    assert "Eval1" in html and "Eval2" in html
    assert ">eval1<" not in html
    assert "Meets the requirement" in html and "Does not meet" in html and "because" in html
    cell = html.split(f'id="{cell_anchor("Alpha", "fit")}"')[1].split("</article>")[0]
    assert "2.5" in cell  # the aggregate: (5 + 0) / 2
    assert "divergent" in cell or "decisive" in cell
    assert re.search(r"Spread</dt><dd>5</dd>", cell)
    # the consensus value is a select of the criterion's own values
    assert '<select id="value-' in cell and 'value="partial"' in cell
    assert 'name="value" type="text"' not in cell


def test_the_default_criterion_is_the_first_with_divergence(app, make_tender):
    setup = make_tender(state="closed", values={"eval1": {"Alpha": {"api": "yes"}},
                                                "eval2": {"Alpha": {"api": "no"}}})
    html = chair_client(app).get(f"/tenders/{setup.id}/moderation").get_data(as_text=True)
    assert f'id="{cell_anchor("Alpha", "api")}"' in html


def test_recording_a_consensus_from_the_select_and_replacing_it_only_when_confirmed(
    app, make_tender
):
    setup = make_tender(state="closed", values=DIVERGENT)
    client = chair_client(app)
    url = f"/tenders/{setup.id}/moderation/consensus"
    cell = {"vendor": setup.vendors["Alpha"], "criterion": "fit"}
    done = client.post(url, data={**cell, "value": "partial", "reason": "Agreed in the meeting"})
    assert done.status_code == 302
    assert cell_anchor("Alpha", "fit") in done.location
    assert consensus_of(client, setup.id)["Alpha"]["fit"] == 3
    # replacing it without the confirmation is refused, naming the value it holds
    refused = client.post(url, data={**cell, "value": "full", "reason": "Second thoughts"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "already has the consensus value “Partially meets”" in text
    assert "Second thoughts" in text  # the reason typed is kept
    assert consensus_of(client, setup.id)["Alpha"]["fit"] == 3
    confirmed = client.post(
        url, data={**cell, "value": "full", "reason": "Second thoughts", "replace": "y"}
    )
    assert confirmed.status_code == 302
    assert consensus_of(client, setup.id)["Alpha"]["fit"] == 5


def test_a_value_the_criterion_does_not_offer_is_refused_and_nothing_is_stored(app, make_tender):
    setup = make_tender(state="closed", values=DIVERGENT)
    client = chair_client(app)
    url = f"/tenders/{setup.id}/moderation/consensus"
    for data in (
        {"criterion": "fit", "value": "superb", "reason": "r"},
        {"criterion": "fit", "value": "partial", "reason": ""},
        {"criterion": "fee", "value": "5", "reason": "r"},
    ):
        response = client.post(url, data={"vendor": setup.vendors["Alpha"], **data})
        assert response.status_code == 422, data
    assert consensus_of(client, setup.id)["Alpha"]["fit"] == 2.5


def test_the_page_in_chinese(app, make_tender):
    setup = make_tender(state="closed", values=DIVERGENT)
    client = chair_client(app)
    client.post("/language", data={"lang": "zh", "next": "/"})
    html = client.get(f"/tenders/{setup.id}/moderation?criterion=fit").get_data(as_text=True)
    assert "评审协调" in html and "录入共识" in html and "满足" in html


def test_only_the_chair_moderates_and_only_after_closing(app, make_tender):
    setup = make_tender(state="open", submitted=True)
    client = chair_client(app)
    # blind while scoring is open: nobody reads the inputs, nor records anything
    assert client.get(f"/tenders/{setup.id}/moderation").status_code == 403
    evaluator = app.test_client()
    login(evaluator, "eval1")
    assert evaluator.get(f"/tenders/{setup.id}/moderation").status_code in (403, 404)
    response = evaluator.post(
        f"/tenders/{setup.id}/moderation/consensus",
        data={"vendor": setup.vendors["Alpha"], "criterion": "fit", "value": "full",
              "reason": "r"},
    )
    assert response.status_code in (400, 403, 404)


def test_a_refused_finalise_links_each_open_flag_to_its_place_on_the_decisions_page(
    app, make_tender
):
    setup = make_tender(state="closed", values=DIVERGENT)
    client = chair_client(app)
    refused = client.post(f"/tenders/{setup.id}/finalise")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    links = re.findall(rf'<a href="/tenders/{setup.id}/decisions#(m[0-9a-f]{{10}})">([^<]+)</a>',
                       html)
    assert links and all(sentence.startswith("Divergent scores for") for _, sentence in links)
    decisions = client.get(f"/tenders/{setup.id}/decisions").get_data(as_text=True)
    for anchor, _sentence in links:
        assert f'id="{anchor}"' in decisions
    # a divergent cell's flag leads on to the cell on the moderation page
    assert f"/tenders/{setup.id}/moderation?criterion=fit#{cell_anchor('Alpha', 'fit')}" in (
        decisions
    )
