"""`selector score --json` writes its JSON in several processes (`commands.score._scored_json`):
each kind of flag's JSON, and the sensitivity's, made apart and joined. The text must be exactly
`json.dumps` of `result_to_json` with every flag, on any tender (hypothesis)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from selector.cli import main
from selector.scoring.checks import (
    decision_checks,
    divergence_flags,
    fragile_flags,
    low_bid_flags,
    outlier_flags,
)
from selector.scoring.engine import evaluate
from selector.scoring.sensitivity import Panel, analyse
from selector.scoring.serialize import (
    fingerprint,
    flags_json_text,
    result_json_text,
    result_to_json,
    sensitivity_json_text,
)
from tests.unit.test_cli_score import example_args
from tests.unit.test_fast_checks import priced_tenders


def plain_json(result, checks, printed):
    payload = result_to_json(result, checks, printed)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=150, deadline=None)
@given(priced_tenders(), st.sampled_from([0.05, 0.2, 0.4, 1.0]))
def test_the_spliced_text_is_the_json_of_every_flag(inp, threshold):
    inp = replace(inp, divergence_threshold=threshold)  # from many flags to none
    result = evaluate(inp)
    panel = Panel(result)
    printed = fingerprint(inp)
    sensitivity = analyse(result, panel)
    parts = (
        flags_json_text(fragile_flags(result, sensitivity)),
        flags_json_text(low_bid_flags(result) + outlier_flags(result, panel)),
        flags_json_text(divergence_flags(result, panel)),
    )
    spliced = result_json_text(result, printed, parts, sensitivity_json_text(sensitivity))
    assert spliced == plain_json(result, decision_checks(result), printed)
    assert json.loads(spliced)["flags"] == [f.to_json() for f in decision_checks(result).flags]


def test_the_cli_json_lists_the_childs_divergence_flags_last():
    runner = CliRunner().invoke(main, ["score", *example_args(), "--json"])
    assert runner.exit_code == 0, runner.output
    data = json.loads(runner.output)
    assert any(flag["kind"] == "divergence" for flag in data["flags"])  # the child's part
    kinds = [flag["kind"] for flag in data["flags"]]
    # most serious kind first, divergence last, as decision_checks lists them
    order = ["fragile", "low_bid", "outlier_evaluator", "divergence"]
    assert kinds == sorted(kinds, key=order.index)


def console(*args: str) -> subprocess.CompletedProcess[str]:
    """The `selector` console script (`selector.cli.run`) as its own process."""
    code = "import sys; from selector.cli import run; sys.argv[0] = 'selector'; run()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120)


def test_the_console_script_ends_with_the_whole_output_and_the_commands_status(tmp_path):
    ran = console("score", *example_args(), "--json")
    assert ran.returncode == 0, ran.stderr
    in_process = CliRunner().invoke(main, ["score", *example_args(), "--json"])
    assert ran.stdout == in_process.output  # flushed in full before the process ends
    bad = tmp_path / "scores.csv"
    bad.write_text("evaluator,vendor,criterion,value\nevaluator1,Nobody,mobile,full\n",
                   encoding="utf-8")
    args = example_args()
    args[args.index("--scores") + 1] = str(bad)
    refused = console("score", *args)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert "error: " in refused.stderr
    # a command that did not ask to skip the teardown ends as click ends it
    assert console("criteria", "--help").returncode == 0
    assert console("no-such-command").returncode == 2
