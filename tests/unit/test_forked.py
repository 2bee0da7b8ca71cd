"""`Forked`: the template loads in a child process while `selector score` reads its files."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from selector.commands.files import Forked
from selector.scoring.model import ScoringError, Text
from tests.unit.test_cli_score import example_args, run


def child_pid(_: str) -> int:
    return os.getpid()


def refuse(argument: str) -> None:
    raise ScoringError([Text(zh=f"坏：{argument}", en=f"bad: {argument}")])


def crash_in_child(parent: str) -> str:
    if str(os.getpid()) != parent:
        os._exit(3)  # the child dies without a word
    return "computed here"


def test_the_value_comes_from_another_process():
    assert Forked(child_pid, "x").result() != os.getpid()


def test_a_scoring_error_comes_back_in_both_languages():
    with pytest.raises(ScoringError) as caught:
        Forked(refuse, "x.yaml").result()
    assert caught.value.texts == [Text(zh="坏：x.yaml", en="bad: x.yaml")]


def test_a_child_that_dies_is_replaced_by_computing_here():
    assert Forked(crash_in_child, str(os.getpid())).result() == "computed here"


def test_no_fork_while_other_threads_run():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        forked = Forked(child_pid, "x")
        assert forked.pid is None
        assert forked.result() == os.getpid()
    finally:
        stop.set()
        thread.join()


def test_close_reaps_a_child_whose_result_is_not_wanted():
    forked = Forked(child_pid, "x")
    pid = forked.pid
    forked.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_score_reports_a_bad_template_before_the_files(tmp_path: Path):
    template = tmp_path / "bad.yaml"
    template.write_text("id: x\ngroups: [\n", encoding="utf-8")
    args = example_args()
    args[1] = str(template)
    args[3] = str(tmp_path / "missing-bids.csv")  # click checks that it exists: make it
    (tmp_path / "missing-bids.csv").write_text("nonsense\n", encoding="utf-8")
    result = run(*args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {template}")
    assert "missing column" not in result.stderr


def test_the_collector_pause_restores_the_callers_state():
    import gc

    from selector.runtime import cyclic_gc_paused

    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_the_console_script_ending_at_once_does_not_resume_the_collector(monkeypatch):
    import gc

    from selector import runtime

    monkeypatch.setattr(runtime, "_teardown", {"skip": False, "console": False})
    runtime.leave_without_teardown()  # in-process (a test runner): the state comes back
    with runtime.cyclic_gc_paused():
        pass
    assert gc.isenabled()
    runtime.console_script_started()  # `selector.cli.run`, about to os._exit
    try:
        with runtime.cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


BAD_SCORES = (
    "evaluator,vendor,criterion,value\n"
    ",Alpha,mobile,full\n"  # a blank name
    "evaluator1,Alpha,no_such,full\n"  # an unknown criterion
    "evaluator1,Alpha,mobile,maybe\n"  # a value the rule refuses
    "evaluator1,Alpha,mobile,full\n"  # the same cell twice
)


@pytest.mark.parametrize(
    "case",
    ["scores", "scores and bids", "scores not utf-8", "scores without a column", "template"],
)
def test_problems_read_in_children_are_those_read_here_in_the_same_order(
    case, tmp_path, monkeypatch
):
    """The template, the bids and the scores are read in three processes: whatever fails,
    the messages and their order are those of reading everything in this one."""
    args = example_args()
    scores = tmp_path / "scores.csv"
    scores.write_text(BAD_SCORES, encoding="utf-8")
    args[args.index("--scores") + 1] = str(scores)
    if case == "scores not utf-8":
        scores.write_bytes(b"evaluator,vendor,criterion,value\n\xff\xfe,x,y,z\n")
    if case == "scores without a column":
        scores.write_text("evaluator,vendor,value\nevaluator1,Alpha,full\n", encoding="utf-8")
    if case == "scores and bids":
        bids = tmp_path / "bids.csv"
        bids.write_text("vendor,component,amount\nAlpha,licence,-5\n", encoding="utf-8")
        args[args.index("--bids") + 1] = str(bids)
    if case == "template":
        template = tmp_path / "bad.yaml"
        template.write_text("id: x\ngroups: [\n", encoding="utf-8")
        args[args.index("--criteria") + 1] = str(template)
    forked = run(*args, "--json")
    monkeypatch.delattr(os, "fork")  # `Forked` computes in this process
    here = run(*args, "--json")
    assert forked.exit_code == here.exit_code == 2
    assert forked.stdout == here.stdout == ""
    assert forked.stderr == here.stderr
    first = here.stderr.splitlines()[0]
    expected = {"scores": "column 'evaluator'", "scores and bids": "bids.csv",
                "scores not utf-8": "not UTF-8", "scores without a column": "missing column",
                "template": "bad.yaml"}[case]  # fmt: skip
    assert expected in first, here.stderr
    if case == "scores":
        lines = here.stderr.splitlines()
        assert [":2:" in lines[0], ":3:" in lines[1], ":4:" in lines[2], ":5:" in lines[3]] == [
            True, True, True, True
        ]  # names, then the criterion and the value, then the repeat: as read in one pass
