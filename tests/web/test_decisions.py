"""Decision checks in the application: the panel on the results page, the flag review (one
note for several flags, kept with author and time, audited), and the "what if" panel."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from selector.services import ServiceError, lifecycle
from selector.store.db import get_session
from selector.store.models import AuditEvent, FlagReview, Tender
from tests.web.conftest import login

# eval4 marks Alpha's functional fit "none" where the three others say "full": 0 and 5 on a
# 5-point item, a spread beyond 40% of 5 — one divergence flag for the cell (issue 10: one
# flag per cell, no longer one per evaluator). The rest of the panel agrees to the point, so
# eval4's total for Alpha (15 of the 60 evaluator points below the others) is an outlier too.
DIVERGENT = {"eval4": {"Alpha": {"fit": "none"}}}
DIVERGENCE_ID = "divergence:Alpha:fit:"
OUTLIER_ID = "outlier_evaluator:Alpha::eval4"


@pytest.fixture
def closed_tender(make_tender):
    """Alpha and Beta, four evaluators, scoring closed, an outlier and a divergence flag."""
    return make_tender(state="closed", evaluators=4, values=DIVERGENT)


def flags_of(client, tender_id):
    page = client.get(f"/tenders/{tender_id}/decisions").get_data(as_text=True)
    return re.findall(r'name="flag_ids" value="([^"]+)"', page)


def test_the_results_page_shows_the_decision_checks_panel(client, closed_tender):
    login(client, closed_tender.chair)
    page = client.get(f"/tenders/{closed_tender.id}/results").get_data(as_text=True)
    assert 'id="decision-checks"' in page
    assert "2 of 2 flags still need a review note." in page
    assert f"/tenders/{closed_tender.id}/decisions" in page
    assert f"/tenders/{closed_tender.id}/what-if" in page


def test_the_checks_page_explains_each_flag_and_the_stability_of_the_result(client, closed_tender):
    login(client, closed_tender.chair)
    response = client.get(f"/tenders/{closed_tender.id}/decisions")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert flags_of(client, closed_tender.id) == [OUTLIER_ID, DIVERGENCE_ID]
    assert (
        "Divergent scores for Alpha on “Functional fit”: Eval1 5, Eval2 5, Eval3 5, Eval4 0 of 5"
        in page
    )  # people by their display names (make_user: the login title-cased), not logins
    assert "Stability of the result" in page
    assert "Leaving one evaluator out" in page and "Leaving one bidder out" in page


def test_the_flags_are_explained_in_the_pages_language(client, closed_tender):
    login(client, closed_tender.chair)
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get(f"/tenders/{closed_tender.id}/decisions").get_data(as_text=True)
    assert "Alpha 的「功能匹配」评分分歧：" in page
    assert "Eval1 5 分、Eval2 5 分、Eval3 5 分、Eval4 0 分（满分 5）" in page
    assert "评分分歧" in page


def test_the_chair_records_one_note_on_the_ticked_flags_with_author_time_and_audit(
    app, client, closed_tender
):
    login(client, closed_tender.chair)
    response = client.post(
        f"/tenders/{closed_tender.id}/decisions/review",
        data={"flag_ids": [DIVERGENCE_ID], "note": "Discussed: eval4 missed the demo."},
    )
    assert response.status_code == 302
    with app.test_request_context():
        session = get_session()
        [review] = session.scalars(select(FlagReview)).all()
        assert (review.flag_id, review.note) == (DIVERGENCE_ID, "Discussed: eval4 missed the demo.")
        assert review.author.username == closed_tender.chair
        assert review.created_at is not None
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "flag.review"))
        assert event.detail == {"flag": DIVERGENCE_ID, "note": "Discussed: eval4 missed the demo."}
    page = client.get(f"/tenders/{closed_tender.id}/decisions").get_data(as_text=True)
    assert "✓ Discussed: eval4 missed the demo." in page
    assert flags_of(client, closed_tender.id) == [OUTLIER_ID]  # the other flag stays open


def test_a_whole_kind_of_flags_is_reviewed_with_one_note(app, client, make_tender):
    values = {"eval4": {"Alpha": {"fit": "none", "plan": "0"}, "Beta": {"fit": "none"}}}
    setup = make_tender(state="closed", evaluators=4, values=values)
    login(client, setup.chair)
    assert flags_of(client, setup.id) == [
        "outlier_evaluator:Alpha::eval4",
        "outlier_evaluator:Beta::eval4",
        "divergence:Alpha:fit:",
        "divergence:Alpha:plan:",
        "divergence:Beta:fit:",
    ]
    client.post(
        f"/tenders/{setup.id}/decisions/review",
        data={"kinds": ["divergence"], "note": "Checked with eval4."},
    )
    assert flags_of(client, setup.id) == [
        "outlier_evaluator:Alpha::eval4",
        "outlier_evaluator:Beta::eval4",
    ]
    with app.test_request_context():
        assert get_session().scalar(select(func.count()).select_from(FlagReview)) == 3


def test_finalising_needs_the_notes_and_then_succeeds(app, client, closed_tender):
    login(client, closed_tender.chair)
    client.post(
        f"/tenders/{closed_tender.id}/decisions/review",
        data={"flag_ids": [DIVERGENCE_ID], "note": "Accepted."},
    )
    with app.test_request_context():
        session = get_session()
        chair = session.get(Tender, closed_tender.id).chair
        with pytest.raises(ServiceError, match="Every flag needs a review note"):
            lifecycle.transition(session, closed_tender.id, "finalise", actor=chair)
    client.post(
        f"/tenders/{closed_tender.id}/decisions/review",
        data={"flag_ids": [OUTLIER_ID], "note": "Accepted too."},
    )
    with app.test_request_context():
        session = get_session()
        chair = session.get(Tender, closed_tender.id).chair
        lifecycle.transition(session, closed_tender.id, "finalise", actor=chair)
        assert session.get(Tender, closed_tender.id).state == "finalised"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"flag_ids": [DIVERGENCE_ID], "note": "  "}, "Review note: This field is required."),
        ({"note": "No flag ticked."}, "Choose at least one flag that the note answers."),
        ({"flag_ids": ["divergence:Nobody:fit:"], "note": "x"}, "There is no such flag"),
    ],
    ids=["empty-note", "nothing-ticked", "unknown-flag"],
)
def test_a_review_without_a_note_or_a_real_flag_is_refused(
    app, client, closed_tender, data, message
):
    login(client, closed_tender.chair)
    response = client.post(
        f"/tenders/{closed_tender.id}/decisions/review", data=data, follow_redirects=True
    )
    assert message in response.get_data(as_text=True)
    with app.test_request_context():
        assert get_session().scalar(select(func.count()).select_from(FlagReview)) == 0


def test_only_the_chair_reviews_flags(client, closed_tender):
    login(client, closed_tender.evaluators[0])
    response = client.post(
        f"/tenders/{closed_tender.id}/decisions/review",
        data={"flag_ids": [DIVERGENCE_ID], "note": "me too"},
    )
    assert response.status_code == 403
    assert client.get(f"/tenders/{closed_tender.id}/decisions").status_code == 403


def test_observers_read_the_checks_of_a_finalised_tender_but_cannot_review(
    client, make_tender, make_user
):
    setup = make_tender(state="finalised", evaluators=2)
    make_user("olga", "observer")
    login(client, "olga")
    page = client.get(f"/tenders/{setup.id}/decisions").get_data(as_text=True)
    assert "Stability of the result" in page
    assert 'name="note"' not in page
    assert client.get(f"/tenders/{setup.id}/what-if").status_code == 200


# --- what if ----------------------------------------------------------------------------------


def priced_tender(make_tender):
    """Alpha scores better but bids more. Quality (60): Alpha 19.5 of 20 -> 58.5; Beta (fit
    none, ux poor) 8.5 of 20 -> 25.5. Price rank (40): Beta 5 -> 40, Alpha 3 -> 24. Alpha
    wins 82.5 to 65.5; with all the weight on price Beta would."""
    values = {f"eval{i}": {"Beta": {"fit": "none", "ux": "poor"}} for i in (1, 2)}
    return make_tender(state="closed", values=values, bids={"Alpha": 300, "Beta": 100})


def test_the_what_if_panel_starts_from_the_tenders_weights_and_marks_break_evens(
    client, make_tender
):
    setup = priced_tender(make_tender)
    login(client, setup.chair)
    response = client.get(f"/tenders/{setup.id}/what-if")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "These are the tender's own weights." in page
    assert 'type="range"' in page and 'name="w.quality"' in page and 'name="w.price"' in page
    assert 'name="w.checks"' not in page  # a gate-only group has no weight to move
    # Quality weight x, price 100 − x: Alpha 0.975x + 0.6(100 − x), Beta 0.425x + (100 − x):
    # equal at 0.95x = 40, x = 42.11 (a change of −17.89).
    assert '<option value="42.11" label="break-even">' in page
    assert "Break-even: at 42.11% Beta would win." in page
    assert 'src="/static/js/whatif.js"' in page


def test_the_results_page_itself_carries_the_what_if_sliders_and_break_evens(
    client, make_tender
):
    setup = priced_tender(make_tender)
    login(client, setup.chair)
    page = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    panel = page.split('id="decision-checks"', 1)[1]
    assert 'type="range"' in panel and 'name="w.quality"' in panel and 'name="w.price"' in panel
    assert '<option value="42.11" label="break-even">' in panel
    assert "Break-even: at 42.11% Beta would win." in panel
    assert 'id="what-if-ranking"' in panel and 'src="/static/js/whatif.js"' in panel
    assert f'action="/tenders/{setup.id}/what-if"' in panel  # works without the script too


def test_moving_a_weight_recomputes_the_ranking_and_stores_nothing(app, client, make_tender):
    setup = priced_tender(make_tender)
    login(client, setup.chair)
    with app.test_request_context():
        session = get_session()
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    current = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "Highest score: Alpha" in current
    # All weight on price: Beta's lower bid wins.
    response = client.get(
        f"/tenders/{setup.id}/what-if", query_string={"w.price": "100", "anchor": "price"}
    )
    page = response.get_data(as_text=True)
    assert "With these weights Beta would rank first instead of Alpha." in page
    with app.test_request_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
        assert session.get(Tender, setup.id).groups[1].weight == 60  # quality unchanged


def test_weights_that_do_not_add_up_to_100_are_scaled_in_proportion(client, make_tender):
    setup = priced_tender(make_tender)
    login(client, setup.chair)
    page = client.get(
        f"/tenders/{setup.id}/what-if", query_string={"w.quality": "30", "w.price": "30"}
    ).get_data(as_text=True)
    assert "The weights were scaled to add up to 100:" in page
    assert "Quality 50% · Price 50%" in page


def test_the_break_even_link_gives_another_winner(client, make_tender):
    setup = priced_tender(make_tender)
    login(client, setup.chair)
    page = client.get(f"/tenders/{setup.id}/what-if").get_data(as_text=True)
    links = re.findall(r'href="([^"]*what-if\?anchor=[^"]+)"', page)
    assert links, "a break-even link"
    tried = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "would rank first instead of" in tried


def test_the_script_gets_only_the_ranking(client, make_tender):
    setup = priced_tender(make_tender)
    login(client, setup.chair)
    response = client.get(
        f"/tenders/{setup.id}/what-if",
        query_string={"w.price": "100", "anchor": "price", "fragment": "1"},
    )
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "<table>" in fragment
    assert "Beta would rank first" in fragment


def test_a_weight_that_is_not_a_number_is_refused_and_the_tenders_weights_shown(
    client, make_tender
):
    setup = priced_tender(make_tender)
    login(client, setup.chair)
    response = client.get(f"/tenders/{setup.id}/what-if", query_string={"w.price": "lots"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A weight is a number from 0 to 100." in page
    assert "These are the tender's own weights." in page


def test_evaluators_do_not_see_the_what_if_panel(client, make_tender):
    setup = priced_tender(make_tender)
    login(client, setup.evaluators[0])
    assert client.get(f"/tenders/{setup.id}/what-if").status_code == 403


def test_the_what_if_panel_speaks_the_pages_language(client, make_tender):
    setup = priced_tender(make_tender)
    login(client, setup.chair)
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get(f"/tenders/{setup.id}/what-if").get_data(as_text=True)
    assert "如果权重不同会怎样？" in page
    assert "临界点：权重为 42.11% 时 Beta 将居第一。" in page
    results = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "决策检查" in results and "Alpha 领先 Beta 17 分。" in results


# --- review rules (issue 10) ------------------------------------------------------------------


def test_one_note_per_criterion_acknowledges_its_non_decisive_divergence(
    app, client, make_tender
):
    # eval4's "none" on fit for Alpha and for Beta: two divergent cells on one criterion,
    # neither able to change who ranks first (both vendors move alike).
    values = {"eval4": {"Alpha": {"fit": "none"}, "Beta": {"fit": "none"}}}
    setup = make_tender(state="closed", evaluators=4, values=values)
    login(client, setup.chair)
    page = client.get(f"/tenders/{setup.id}/decisions").get_data(as_text=True)
    assert "“Functional fit”: 2 divergent cells that cannot change the winner" in page
    assert 'name="criteria" value="fit"' in page
    assert "divergence:Alpha:fit:" not in page.replace('value="divergence:Alpha:fit:"', "")
    client.post(
        f"/tenders/{setup.id}/decisions/review",
        data={"criteria": ["fit"], "note": "Fit was read two ways; the panel agrees."},
    )
    assert not [i for i in flags_of(client, setup.id) if i.startswith("divergence:")]
    with app.test_request_context():
        [review] = get_session().scalars(select(FlagReview)).all()
        assert (review.flag_id, review.note) == (
            "divergence::fit:", "Fit was read two ways; the panel agrees.")


def test_a_criterion_without_non_decisive_divergence_cannot_be_acknowledged(
    app, client, closed_tender
):
    login(client, closed_tender.chair)
    response = client.post(
        f"/tenders/{closed_tender.id}/decisions/review",
        data={"criteria": ["plan"], "note": "x"},
        follow_redirects=True,
    )
    assert "These criteria have no non-decisive divergence" in response.get_data(as_text=True)
    with app.test_request_context():
        assert get_session().scalar(select(func.count()).select_from(FlagReview)) == 0


def test_a_refused_finalise_lists_the_open_flags_as_sentences_not_ids(app, closed_tender):
    with app.test_request_context():
        session = get_session()
        chair = session.get(Tender, closed_tender.id).chair
        with pytest.raises(ServiceError) as refused:
            lifecycle.transition(session, closed_tender.id, "finalise", actor=chair)
    lines = [p.en for p in refused.value.problems]
    assert any(line.startswith("Divergent scores for Alpha on “Functional fit”") for line in lines)
    assert not any("divergence:" in line or "outlier_evaluator:" in line for line in lines)


def test_flags_and_leave_one_out_lines_name_evaluators_by_display_name(client, closed_tender):
    login(client, closed_tender.chair)
    page = client.get(f"/tenders/{closed_tender.id}/decisions").get_data(as_text=True)
    assert "Eval4&#39;s scores give Alpha" in page
    assert '<th scope="row">Eval4</th>' in page
    assert "eval4" not in page.replace('value="outlier_evaluator:Alpha::eval4"', "")


def test_the_results_panel_counts_a_criterion_note_as_answering_its_divergence(
    client, closed_tender
):
    login(client, closed_tender.chair)
    client.post(
        f"/tenders/{closed_tender.id}/decisions/review",
        data={"criteria": ["fit"], "note": "Fit read two ways."},
    )
    page = client.get(f"/tenders/{closed_tender.id}/results").get_data(as_text=True)
    assert "1 of 2 flags still need a review note." in page
