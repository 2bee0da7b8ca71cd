"""What `selector score`, `selector report` and `selector export` share: the file options.

Kept light (click and the scoring model only): `selector report` imports it before it starts
its WeasyPrint helper process, and everything heavy is imported after that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from selector.scoring.model import (
    DEFAULT_DIVERGENCE,
    DEFAULT_LOW_BID,
    METHODS,
    EvaluationInput,
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
            required=True,
            type=click.Path(exists=True, dir_okay=False),
            help="CSV: vendor,component,amount[,currency].",
        ),
        click.option(
            "--scores",
            required=True,
            type=click.Path(exists=True, dir_okay=False),
            help="CSV: evaluator,vendor,criterion,value[,comment].",
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
    """Read the files named by `scoring_file_options`; raises ScoringError on bad input."""
    # Imported here: `selector report` imports this module for its options and starts
    # WeasyPrint's import in a helper process before it reads the files, so that the two
    # imports (pandas and pydantic here, WeasyPrint there) overlap.
    from selector.inputs import load_evaluation_input

    return load_evaluation_input(
        options["criteria"],
        options["bids"],
        options["scores"],
        options.get("consensus"),
        method=options["method"],
        base=options.get("base"),
        rates=options.get("rates", ()),
        rates_file=options.get("rates_file"),
        divergence_threshold=options["divergence"],
        low_bid_threshold=options["low_bid"],
    )
