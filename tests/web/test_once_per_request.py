"""Each request scores the tender at most once and runs the decision checks at most once, and
only where the page, the API or the file shows them; a later request on the same input reuses
the result (kept by the input's key, `services.results.scored`), and any change scores again."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from selector.scoring import checks, engine, sensitivity
from tests.web.conftest import login

# eval4 marks Alpha's functional fit "none" where the others say "full": flags to review.
DIVERGENT = {"eval4": {"Alpha": {"fit": "none"}}}


@pytest.fixture
def counted(monkeypatch):
    """How often a request scored the tender (`engine.evaluate`), ran the decision checks
    (`checks.decision_checks` -> `sensitivity.analyse`) and computed the break-evens alone."""
    calls: Counter[str] = Counter()

    def counting(name, function):
        def wrapped(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(engine, "evaluate", counting("evaluate", engine.evaluate))
    monkeypatch.setattr(checks, "analyse", counting("checks", checks.analyse))
    monkeypatch.setattr(sensitivity, "_Board", counting("board", sensitivity._Board))
    return calls


@pytest.fixture
def closed(client, make_tender):
    setup = make_tender(state="closed", evaluators=4, values=DIVERGENT)
    login(client, setup.chair)
    return setup


def get(client, counted, path):
    counted.clear()
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return dict(counted)


def test_the_results_page_scores_once_and_checks_once(client, closed, counted):
    # one board for the checks' sensitivity; the sliders reuse its break-evens
    assert get(client, counted, f"/tenders/{closed.id}/results") == {
        "evaluate": 1,
        "checks": 1,
        "board": 1,
    }


def test_the_decision_checks_page_scores_once_and_checks_once(client, closed, counted):
    assert get(client, counted, f"/tenders/{closed.id}/decisions") == {
        "evaluate": 1,
        "checks": 1,
        "board": 1,
    }


def test_the_api_scores_once_and_checks_once(client, closed, counted):
    assert get(client, counted, f"/api/tenders/{closed.id}/result") == {
        "evaluate": 1,
        "checks": 1,
        "board": 1,
    }


def test_the_what_if_page_computes_only_the_break_evens_beside_the_ranking(
    client, closed, counted
):
    own = get(client, counted, f"/tenders/{closed.id}/what-if")
    assert own == {"evaluate": 1, "board": 1}  # the tender's own weights: one ranking
    path = f"/tenders/{closed.id}/what-if?w.quality=80&anchor=quality"
    tried = get(client, counted, path)
    assert tried == {"evaluate": 1, "board": 1}  # the tender's own result is kept: one more


def test_the_what_if_script_fragment_needs_no_checks_at_all(client, closed, counted):
    path = f"/tenders/{closed.id}/what-if?w.quality=80&anchor=quality&fragment=1"
    assert get(client, counted, path) == {"evaluate": 2}
    assert get(client, counted, path) == {"evaluate": 1}  # only the other weights' ranking


def test_the_consensus_page_scores_once_and_runs_no_checks(client, closed, counted):
    assert get(client, counted, f"/tenders/{closed.id}/consensus") == {"evaluate": 1}


def test_the_workbook_checks_once_and_a_csv_sheet_only_when_it_is_the_flags(
    client, closed, counted
):
    assert get(client, counted, f"/tenders/{closed.id}/export.xlsx") == {
        "evaluate": 1,
        "checks": 1,
        "board": 1,
    }
    # the same input: the result and its checks are kept from the workbook's request
    assert get(client, counted, f"/tenders/{closed.id}/export/summary.csv") == {}
    assert get(client, counted, f"/tenders/{closed.id}/export/flags.csv") == {}


def test_finalising_scores_once_and_checks_once(client, closed, counted):
    counted.clear()
    response = client.post(f"/tenders/{closed.id}/finalise")
    assert response.status_code == 422  # the flags have no review notes yet
    assert dict(counted) == {"evaluate": 1, "checks": 1, "board": 1}


def test_a_second_request_on_the_same_input_scores_nothing_again(client, closed, counted):
    first = get(client, counted, f"/tenders/{closed.id}/results")
    assert first == {"evaluate": 1, "checks": 1, "board": 1}
    assert get(client, counted, f"/tenders/{closed.id}/results") == {}
    assert get(client, counted, f"/tenders/{closed.id}/decisions") == {}
    assert get(client, counted, f"/api/tenders/{closed.id}/result") == {}


def test_a_consensus_value_scores_the_tender_again(client, closed, counted):
    get(client, counted, f"/tenders/{closed.id}/results")
    response = client.post(
        f"/tenders/{closed.id}/consensus",
        data={
            "vendor": closed.vendors["Alpha"],
            "criterion": "fit",
            "value": "partial",
            "reason": "agreed after the demo",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    changed = get(client, counted, f"/tenders/{closed.id}/results")
    assert changed == {"evaluate": 1, "checks": 1, "board": 1}
    assert "agreed after the demo" in client.get(f"/tenders/{closed.id}/results").get_data(
        as_text=True
    )


def test_a_change_the_fingerprint_leaves_out_scores_again(client, closed, counted, app):
    """The flags' threshold and the comments are not in the scoring fingerprint, but the
    result's flags and the page show them: they are in the key too."""
    from selector.services import results
    from selector.store.db import get_session

    with app.test_request_context():
        session = get_session()
        inp = results.evaluation_input_for(session, closed.id)
        tender = results._tender(session, closed.id)
        key = results.input_key(inp, tender.template_yaml)
        assert key == results.input_key(inp, tender.template_yaml)
        first, *rest = inp.entries
        commented = replace(inp, entries=(first._replace(comment="changed"), *rest))
        stricter = replace(inp, divergence_threshold=0.1)
        reordered = replace(inp, vendors=tuple(reversed(inp.vendors)))
        others = {
            results.input_key(commented, tender.template_yaml),
            results.input_key(stricter, tender.template_yaml),
            results.input_key(reordered, tender.template_yaml),
            results.input_key(inp, tender.template_yaml + "\n# retitled"),
        }
        assert key not in others and len(others) == 4
    get(client, counted, f"/tenders/{closed.id}/results")
    # the settings are locked once scoring opens: a reopening with a reason unlocks them
    reason = {"reason": "a stricter divergence threshold"}
    assert client.post(f"/tenders/{closed.id}/reopen", data=reason).status_code == 302
    response = client.post(
        f"/tenders/{closed.id}/settings",
        data={
            "name": "Renamed",
            "organisation": "Test Org",
            "base_currency": "CNY",
            "method": "mean",
            "divergence_percent": "10",
            "low_bid_percent": "60",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert client.post(f"/tenders/{closed.id}/close", data={}).status_code == 302
    # the input's scoring fingerprint is the same, the flags' threshold is not
    assert get(client, counted, f"/tenders/{closed.id}/results") == {
        "evaluate": 1,
        "checks": 1,
        "board": 1,
    }
