"""What `selector score`, `selector report` and `selector export` share: the file options.

Kept light (click and the scoring model only): `selector report` imports it before it starts
its WeasyPrint helper process, and everything heavy is imported after that.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import click

from selector.scoring.model import (
    DEFAULT_DIVERGENCE,
    DEFAULT_LOW_BID,
    METHODS,
    EvaluationInput,
    ScoringError,
    Template,
    Text,
)

F = TypeVar("F", bound=Callable[..., Any])

ERROR_PREFIX = {"en": "error: ", "zh": "错误："}

# The language of a command's table and error messages (English by default).
lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="en",
    show_default=True,
    help="Language of the table and of the error messages.",
)


def scoring_file_options(command: F) -> F:
    """The file options of `selector score`, shared with `selector report` in file mode."""
    options = [
        click.option(
            "--criteria",
            "criteria",
            required=True,
            type=click.Path(exists=True, dir_okay=False),
            help="Criteria template (YAML), e.g. criteria/crm_selection.yaml.",
        ),
        click.option(
            "--bids",
            type=click.Path(exists=True, dir_okay=False),
            help="CSV: vendor,component,amount[,currency]. Required unless --workbook.",
        ),
        click.option(
            "--scores",
            type=click.Path(exists=True, dir_okay=False),
            help="CSV: evaluator,vendor,criterion,value[,comment]. Required unless --workbook.",
        ),
        click.option(
            "--workbook",
            type=click.Path(exists=True, dir_okay=False),
            help="A workbook that selector export wrote: its Entries, Bids, Consensus and "
            "Rates sheets instead of --scores, --bids, --consensus and --rates (its method "
            "and base currency unless --method or --base say otherwise).",
        ),
        click.option(
            "--consensus",
            type=click.Path(exists=True, dir_okay=False),
            help="CSV: vendor,criterion,value,reason — overrides a cell's aggregate.",
        ),
        click.option(
            "--method",
            type=click.Choice(METHODS),
            default="mean",
            show_default=True,
            help="How the evaluators of one cell are aggregated.",
        ),
        click.option("--base", help="Base currency (default: the template's)."),
        click.option(
            "--rate",
            "rates",
            multiple=True,
            metavar="CUR=RATE",
            help="1 CUR = RATE base units; repeatable; overrides --rates.",
        ),
        click.option(
            "--rates",
            "rates_file",
            type=click.Path(exists=True, dir_okay=False),
            help="CSV: currency,rate.",
        ),
        click.option(
            "--divergence",
            type=click.FloatRange(0, 1),
            default=DEFAULT_DIVERGENCE,
            show_default=True,
            help="Divergence flag threshold, as a share of a criterion's max.",
        ),
        click.option(
            "--low-bid",
            type=click.FloatRange(0, 1),
            default=DEFAULT_LOW_BID,
            show_default=True,
            help="Low-bid flag threshold, as a share of the median total bid.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def input_from_options(options: dict[str, Any]) -> EvaluationInput:
    """Read the files named by `scoring_file_options`; raises ScoringError on bad input.

    Both cores at work: a forked child loads the template (pydantic's import and the model
    checks) and reads the rates and the bids against it; another reads the scores file as
    far as it can without the template (`readers.prepare_scores`: the names, the repeated
    cells), while this process imports the scoring engine (numpy); then the scores' values
    are read against the template here.
    """
    # Imported here: `selector report` imports this module for its options and starts
    # WeasyPrint's import in a helper process before it reads the files.
    from selector.files.readers import (
        InputError,
        load_evaluation_input,
        prepare_scores,
        read_table,
    )

    if options.get("workbook"):
        return _input_from_workbook(options)
    missing = [f"--{name}" for name in ("bids", "scores") if not options.get(name)]
    if missing:
        raise ScoringError(Text(
            zh=f"请给出 {' 和 '.join(missing)}，或用 --workbook 给出导出的工作簿",
            en=f"give {' and '.join(missing)}, or an exported workbook with --workbook",
        ))
    priced = Forked(_template_and_prices, options)
    scores = Forked(prepare_scores, options["scores"])
    try:
        consensus = options.get("consensus")
        if consensus is not None:
            try:
                consensus = read_table(consensus)
            except InputError:
                pass  # read again below, to report it after any template problem
        import selector.scoring.checks  # noqa: F401  engine and numpy, while the others read

        template, prices = priced.result()  # its problems first, as load_evaluation_input's
        return load_evaluation_input(
            template,
            prices,
            scores.result(),
            consensus,
            method=options["method"],
            divergence_threshold=options["divergence"],
            low_bid_threshold=options["low_bid"],
        )
    finally:
        priced.close()
        scores.close()


def _template_and_prices(options: dict[str, Any]) -> tuple[Template, Any]:
    """The template and the bids in its terms (`readers.read_prices`): the forked child's
    part of `input_from_options`. Problems are raised in the order `load_evaluation_input`
    raises them: the template's, the rates', the bids'."""
    from selector.files.readers import read_prices  # imported by the caller already

    template = _load_template(options["criteria"])
    prices = read_prices(
        template,
        options["bids"],
        base=options.get("base"),
        rates=options.get("rates", ()),
        rates_file=options.get("rates_file"),
    )
    return template, prices


def _input_from_workbook(options: dict[str, Any]) -> EvaluationInput:
    """The input from the sheets of an exported workbook (`selector.files.workbook`)."""
    # as in input_from_options: not before `selector report` has started its helper
    from selector.files.readers import load_evaluation_input
    from selector.files.workbook import read_workbook

    given = [f"--{name.replace('_file', '')}" for name in ("bids", "scores", "consensus",
                                                            "rates_file") if options.get(name)]
    if given:
        raise ScoringError(Text(
            zh=f"--workbook 已包含报价、评分、共识和汇率，不能再给出 {', '.join(given)}",
            en=f"--workbook holds the bids, scores, consensus and rates: leave out "
            f"{', '.join(given)}",
        ))
    sheets = read_workbook(options["workbook"])
    settings = sheets.settings
    method = options["method"]
    if not _given("method") and settings.get("method") in METHODS:
        method = settings["method"]
    return load_evaluation_input(
        _load_template(options["criteria"]),
        sheets.bids,
        sheets.scores,
        sheets.consensus,
        method=method,
        base=options.get("base") or settings.get("base_currency") or None,
        rates=options.get("rates", ()),
        rates_file=sheets.rates,
        divergence_threshold=options["divergence"],
        low_bid_threshold=options["low_bid"],
    )


def _given(parameter: str) -> bool:
    """Whether the command line gave `parameter` (rather than its default)."""
    context = click.get_current_context(silent=True)
    if context is None:
        return False
    source = context.get_parameter_source(parameter)
    return source is not None and source != click.core.ParameterSource.DEFAULT


def _load_template(path: str) -> Template:
    """The template file, kept between runs (`selector.files.loaded`): the loader and
    pydantic are imported, in the forked child, only when the file is new."""
    from selector.files.loaded import load_template  # after `selector report` forks its helper

    return load_template(path)


class Forked:
    """`function(argument)` computed in a forked child while this process goes on.

    `result()` returns its value, or raises the ScoringError it raised (with both languages
    of each message). Where `fork` is missing, other threads run (a fork copies none of them,
    and a lock one held would stay held in the child), or the child fails in any other way,
    the function runs in this process instead, so the outcome is the same.
    """

    def __init__(self, function: Callable[[Any], Any], argument: Any) -> None:
        self.function, self.argument = function, argument
        self.pid: int | None = None
        self.pipe: int | None = None
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running any cleanup
            os.close(read_end)
            status = 0
            try:
                try:
                    payload: tuple[str, Any] = ("value", function(argument))
                except ScoringError as error:
                    payload = ("problems", error.texts)
                with os.fdopen(write_end, "wb") as out:
                    pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self.pipe = pid, read_end

    def result(self) -> Any:
        if self.pipe is not None:
            with os.fdopen(self.pipe, "rb") as pipe:
                self.pipe = None
                data = pipe.read()
            self.close()
            try:
                kind, payload = pickle.loads(data)
            except Exception:  # the child failed: compute here, with the real error if any
                kind, payload = "failed", None
            if kind == "value":
                return payload
            if kind == "problems":
                raise ScoringError(payload)
        return self.function(self.argument)

    def close(self) -> None:
        """Reap the child, ending it first if it is still at work (its result unwanted)."""
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
        if self.pid is not None:
            pid, self.pid = self.pid, None
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
