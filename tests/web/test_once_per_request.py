"""Each request scores the tender once and runs the decision checks once, and only where the
page, the API or the file shows them."""

from __future__ import annotations

from collections import Counter

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
    assert tried == {"evaluate": 2, "board": 1}


def test_the_what_if_script_fragment_needs_no_checks_at_all(client, closed, counted):
    path = f"/tenders/{closed.id}/what-if?w.quality=80&anchor=quality&fragment=1"
    assert get(client, counted, path) == {"evaluate": 2}


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
    assert get(client, counted, f"/tenders/{closed.id}/export/summary.csv") == {"evaluate": 1}
    assert get(client, counted, f"/tenders/{closed.id}/export/flags.csv") == {
        "evaluate": 1,
        "checks": 1,
        "board": 1,
    }


def test_finalising_scores_once_and_checks_once(client, closed, counted):
    counted.clear()
    response = client.post(f"/tenders/{closed.id}/finalise")
    assert response.status_code == 422  # the flags have no review notes yet
    assert dict(counted) == {"evaluate": 1, "checks": 1, "board": 1}
