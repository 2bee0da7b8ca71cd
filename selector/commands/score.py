"""`selector score`: rank a tender from files, the contract the web application matches."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from selector.commands.files import (
    ERROR_PREFIX,
    Forked,
    input_from_options,
    lang_option,
    scoring_file_options,
)
from selector.runtime import cyclic_gc_paused, leave_without_teardown
from selector.scoring.model import Result, ScoringError
from selector.scoring.numbers import figure, money, points
from selector.scoring.words import word

_HEADINGS = {
    "en": {
        "rank": "Rank",
        "vendor": "Vendor",
        "total": "Total",
        "band": "Band",
        "bid": "Total bid",
        "disqualified": "Disqualified",
        "by": "failed gate",
        "fails": "{fails} of {of} evaluators said fail",
        "consensus": "by consensus",
        "method": "Method",
        "template": "Template",
    },
    "zh": {
        "rank": "排名",
        "vendor": "供应商",
        "total": "总分",
        "band": "等级",
        "bid": "投标总价",
        "disqualified": "被取消资格",
        "by": "未通过",
        "fails": "{of} 位评委中 {fails} 位判定不通过",
        "consensus": "经共识决定",
        "method": "汇总方法",
        "template": "评分模板",
    },
}


def _score(options: dict[str, Any], lang: str) -> Result:
    """Read and score, or print every problem (in `lang`) on stderr and exit with status 2."""
    try:
        inp = input_from_options(options)  # imports the engine while the template loads
        # imported once the template's child process runs (input_from_options), not before
        from selector.scoring.engine import evaluate

        return evaluate(inp)
    except ScoringError as error:
        _refuse(error, lang)


def _scored_json(options: dict[str, Any], lang: str) -> str:
    """The JSON of `selector score --json` — the result, its decision checks and the input's
    fingerprint — made on both cores, in the text `serialize.result_json_text` writes.

    While this process scores, a forked child computes the fingerprint (a sort and a hash of
    every entry). Then, the panel built, two more children make the JSON of the divergence
    flags (most of a large tender's flags) and of the sensitivity with the fragile flags
    that follow from it, while this process checks the bids and the evaluators' totals and
    writes the rest. The kinds are joined in the order `checks.decision_checks` lists them.
    What `Forked` cannot run in a child it runs here: the text is the same either way."""
    try:
        inp = input_from_options(options)
        # numpy's modules, imported once the template's child runs (input_from_options)
        from selector.scoring.checks import low_bid_flags, outlier_flags
        from selector.scoring.engine import evaluate
        from selector.scoring.sensitivity import Panel
        from selector.scoring.serialize import (
            fingerprint,
            flags_json_text,
            joined_json_text,
            result_head_text,
        )

        children = [Forked(fingerprint, inp)]
        try:
            result = evaluate(inp)
            panel = Panel(result)
            children.append(Forked(_sensitivity_json, (result, panel)))
            children.append(Forked(_divergence_json, (result, panel)))
            mine = flags_json_text(low_bid_flags(result) + outlier_flags(result, panel))
            head = result_head_text(result, children[0].result())
            (fragile, sensitivity), divergence = (child.result() for child in children[1:])
            return joined_json_text(head, (fragile, mine, divergence), sensitivity)
        finally:
            for child in children:
                child.close()
    except ScoringError as error:
        _refuse(error, lang)


def _sensitivity_json(arguments: tuple[Result, Any]) -> tuple[str, str]:
    """The JSON of the fragile flags and of the sensitivity of a result and its panel."""
    # imported by _scored_json already: looked up here, where the child runs
    from selector.scoring.checks import fragile_flags
    from selector.scoring.sensitivity import analyse
    from selector.scoring.serialize import flags_json_text, sensitivity_json_text

    result, panel = arguments
    sensitivity = analyse(result, panel)
    return flags_json_text(fragile_flags(result, sensitivity)), sensitivity_json_text(sensitivity)


def _divergence_json(arguments: tuple[Result, Any]) -> str:
    """The JSON of the divergence flags of a result and its panel."""
    # imported by _scored_json already: looked up here, where the child runs
    from selector.scoring.checks import divergence_flags
    from selector.scoring.serialize import flags_json_text

    result, panel = arguments
    return flags_json_text(divergence_flags(result, panel))


def _refuse(error: ScoringError, lang: str) -> NoReturn:
    for problem in error.in_language(lang):
        click.echo(f"{ERROR_PREFIX[lang]}{problem}", err=True)
    sys.exit(2)


@click.command()
@scoring_file_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@lang_option
def score(as_json: bool, lang: str, **options: Any) -> None:
    """Rank the vendors of a tender from its criteria, bids and scores files.

    Exits 2, printing one message per problem on stderr and nothing on stdout, when an input
    is bad.
    """
    # The console script may end the process without freeing the tender's objects one by
    # one: the output is all this command leaves behind (`runtime.leave_without_teardown`).
    leave_without_teardown()
    # A large tender's entries live until the command ends: the cyclic collector would walk
    # them again and again as they are read (a tenth of the run at 75,000 entries).
    with cyclic_gc_paused():
        if as_json:
            # compact (no blanks after , and :): a large tender's JSON stays small; pipe to jq
            click.echo(_scored_json(options, lang))
        else:
            click.echo(ranking_table(_score(options, lang), lang))


def ranking_table(result: Result, lang: str) -> str:
    """The ranking as a plain-text table in `lang`, then the disqualified vendors."""
    words = _HEADINGS[lang]
    template = result.template
    groups = [g for g in template.groups if g.weight > 0]
    header = [words["rank"], words["vendor"], words["total"], words["band"]]
    header += [f"{g.title.get(lang)} ({figure(g.weight)})" for g in groups]
    header.append(f"{words['bid']} ({result.input.base_currency})")
    rows = [
        [
            str(r.rank),
            r.vendor,
            points(r.total),
            r.band.label.get(lang) if r.band else "-",
            *[points(r.groups.get(g.id, 0.0)) for g in groups],
            money(r.bid_total),
        ]
        for r in result.ranking
    ]
    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    numeric = {0, 2, *range(4, len(header))}

    def line(cells: list[str]) -> str:
        return "  ".join(
            _pad(cell, width, right=index in numeric)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [
        f"{words['template']}: {template.title.get(lang)}   {words['method']}: "
        f"{word('method', result.input.method, lang)}",
        "",
        line(header),
        line(["-" * w for w in widths]),
        *[line(row) for row in rows],
    ]
    if result.disqualified:
        out += ["", f"{words['disqualified']}:"]
        for d in result.disqualified:
            gate = template.criterion(d.criterion)
            title = gate.title.get(lang) if gate else d.criterion
            how = (
                words["consensus"]
                if d.by_consensus
                else words["fails"].format(fails=d.fails, of=d.of)
            )
            reason = f" — {d.reason}" if d.reason else ""
            out.append(f"  {d.vendor}: {words['by']} {title} ({how}){reason}")
    return "\n".join(out)


def _width(text: str) -> int:
    """Display width: CJK characters take two terminal columns."""
    return sum(2 if ord(ch) >= 0x1100 and not 0xFF61 <= ord(ch) <= 0xFFDC else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill
