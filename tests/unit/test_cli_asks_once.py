"""`selector score` asks for what it prints: the table scores the tender and runs no decision
checks; `--json` runs them once. The JSON keeps its keys and shape."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from selector.scoring import checks, sensitivity
from tests.unit.test_cli_score import example_args, run


@pytest.fixture
def analysed(monkeypatch):
    """How often the decision checks ran (each runs the sensitivity analysis once), counted
    in this process: `selector score --json` runs its checks in forked children, so forking
    is taken away here (`Forked` then runs them in this process)."""
    calls: Counter[str] = Counter()
    analyse = sensitivity.analyse

    def counting(*args, **kwargs):
        calls["checks"] += 1
        return analyse(*args, **kwargs)

    monkeypatch.setattr(checks, "analyse", counting)
    monkeypatch.setattr(sensitivity, "analyse", counting)
    monkeypatch.delattr(os, "fork")
    return calls


def test_the_table_runs_no_decision_checks(analysed):
    result = run(*example_args())
    assert result.exit_code == 0, result.output
    assert analysed["checks"] == 0


def test_the_json_runs_the_decision_checks_once_and_keeps_its_keys(analysed):
    result = run(*example_args(), "--json")
    assert result.exit_code == 0, result.output
    assert analysed["checks"] == 1
    payload = json.loads(result.stdout)
    assert list(payload) == [
        "template", "method", "currency", "ranking", "disqualified", "points",
        "fingerprint", "flags", "sensitivity",
    ]
    assert payload["flags"] and set(payload["flags"][0]) == {
        "id", "kind", "vendor", "criterion", "evaluator", "detail",
    }  # no "message": flags are data, sentences are made where they are shown (issue 10)
    assert set(payload["sensitivity"]) == {
        "margin", "weights", "without_evaluator", "without_bidder",
    }
