"""`selector criteria`: check a criteria template file before a tender uses it."""

from __future__ import annotations

import json
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import click

from selector.commands.files import ERROR_PREFIX, lang_option
from selector.files.criteria import TemplateError, load_template, template_to_json
from selector.scoring.model import Criterion, Template
from selector.scoring.numbers import plain

# How each problem line starts on stderr.

_WORDS = {
    "en": {
        "template": "Template",
        "currency": "currency",
        "summary": "{groups} groups, {criteria} criteria",
        "item": "Group / criterion",
        "title": "Title",
        "kind": "Kind",
        "rule": "Points",
        "max": "Max",
        "weight": "Weight",
        "total": "Total",
        "bands": "Bands",
        "ok": "OK: the weights add up to 100.",
        "pass_fail": "pass / fail",
        "scale": "0–{max}, step {step}",
        "ratio": "{max} × lowest / bid",
    },
    "zh": {
        "template": "评分模板",
        "currency": "币种",
        "summary": "{groups} 个分组,{criteria} 个评分项",
        "item": "分组 / 评分项",
        "title": "名称",
        "kind": "规则",
        "rule": "计分",
        "max": "满分",
        "weight": "权重",
        "total": "合计",
        "bands": "等级",
        "ok": "检查通过:权重合计为 100。",
        "pass_fail": "通过 / 不通过",
        "scale": "0–{max},步长 {step}",
        "ratio": "{max} × 最低价 / 报价",
    },
}


@click.group()
def criteria() -> None:
    """Work with criteria templates (the YAML files in criteria/)."""


@criteria.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the normalised template as JSON.")
@lang_option
def check(path: Path, as_json: bool, lang: str) -> None:
    """Check the template at PATH and print a summary of its groups and criteria.

    With --json, print the normalised template (effective group weights filled in). Exits 2,
    printing one message per problem on stderr and nothing on stdout, when the file is bad.
    """
    try:
        template = load_template(path)
    except TemplateError as error:
        for problem in error.in_language(lang):
            click.echo(f"{ERROR_PREFIX[lang]}{problem}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(template_to_json(template), ensure_ascii=False, indent=2))
    else:
        click.echo(summary_table(template, lang))


def summary_table(template: Template, lang: str) -> str:
    """The template as a plain-text table in `lang`: each group, then its criteria."""
    words = _WORDS[lang]
    criteria_count = sum(len(group.criteria) for group in template.groups)
    header = [words["item"], words["title"], words["kind"], words["rule"], words["max"]]
    header.append(words["weight"])
    rows: list[list[str]] = []
    for group in template.groups:
        rows.append(
            [group.id, group.title.get(lang), "", "", plain(group.max_points), plain(group.weight)]
        )
        for criterion in group.criteria:
            rows.append(
                [
                    f"  {criterion.id}",
                    criterion.title.get(lang),
                    criterion.kind,
                    _rule(criterion, lang),
                    plain(criterion.max),
                    "",
                ]
            )
    total_max = sum((group.max_points for group in template.groups), Decimal(0))
    total_weight = sum((group.weight for group in template.groups), Decimal(0))
    rows.append([words["total"], "", "", "", plain(total_max), plain(total_weight)])

    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    numeric = {4, 5}

    def line(cells: list[str]) -> str:
        return "  ".join(
            _pad(cell, width, right=index in numeric)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = line(["-" * width for width in widths])
    out = [
        f"{words['template']} {template.id}: {template.title.get(lang)} "
        f"({words['currency']} {template.currency}; "
        + words["summary"].format(groups=len(template.groups), criteria=criteria_count)
        + ")",
        "",
        line(header),
        rule,
        *[line(row) for row in rows[:-1]],
        rule,
        line(rows[-1]),
    ]
    if template.bands:
        bands = sorted(template.bands, key=lambda band: band.min, reverse=True)
        shown = ", ".join(f"{b.key} {b.label.get(lang)} ≥ {plain(b.min)}" for b in bands)
        out += ["", f"{words['bands']}: {shown}"]
    out += ["", words["ok"]]
    return "\n".join(out)


def _rule(criterion: Criterion, lang: str) -> str:
    """How the criterion gives points, in a few characters: "5 / 3 / 0", "0–5, step 0.5"."""
    words = _WORDS[lang]
    kind = criterion.kind
    if kind == "tiered" and criterion.partial is not None:
        return f"{plain(criterion.max)} / {plain(criterion.partial)} / 0"
    if kind == "binary":
        return f"{plain(criterion.max)} / 0"
    if kind == "scale" and criterion.step is not None:
        return words["scale"].format(max=plain(criterion.max), step=plain(criterion.step))
    if kind == "grade" and criterion.levels:
        levels = sorted(criterion.levels, key=lambda level: level.points, reverse=True)
        return " / ".join(f"{level.key} {plain(level.points)}" for level in levels)
    if kind == "price_rank" and criterion.tiers:
        return " / ".join(plain(tier) for tier in criterion.tiers)
    if kind == "price_ratio":
        return words["ratio"].format(max=plain(criterion.max))
    if kind == "gate":
        return words["pass_fail"]
    return ""


def _width(text: str) -> int:
    """Display width: wide (CJK) characters take two terminal columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill
