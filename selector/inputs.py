"""Read bids, scores, consensus and rates from CSV or Excel into the scoring model.

Every reader checks every row and raises `InputError` with one message per problem, each
naming the file, the line, the column and the value, so nothing is half-read. The command
line (`selector score`, `selector report`) and the web uploads share these readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from selector.criteria import load_template
from selector.scoring import rules
from selector.scoring.model import (
    DEFAULT_DIVERGENCE,
    DEFAULT_LOW_BID,
    Bid,
    Consensus,
    Criterion,
    Entry,
    EvaluationInput,
    Method,
    ScoringError,
    Template,
    Text,
)

MAX_PROBLEMS = 50
Source = str | Path | IO[bytes]

_NAME_REQUIRED = {
    "evaluator": Text(zh="必须填写评委名称", en="a evaluator name is required"),
    "vendor": Text(zh="必须填写供应商名称", en="a vendor name is required"),
}
_SCALE_FAULTS = {
    "not finite": Text(zh="不是有限数字", en="not finite"),
    "not a number": Text(zh="不是数字", en="not a number"),
    "out of range": Text(zh="超出范围", en="out of range"),
    "not on the step": Text(zh="不符合步长", en="not on the step"),
}


class InputError(ScoringError):
    """A file the scoring rules cannot read; `.problems` holds one message per fault."""


@dataclass
class _Problems:
    """Collects `file:line: column 'name': value 'x': message` lines, capped for humans.

    In Chinese the same place reads `file:第N行: 列“name”: 值“x”: message`.
    """

    source: str
    messages: list[Text]

    def add(self, line: int | None, column: str | None, value: object, message: Text) -> None:
        zh = self.source if line is None else f"{self.source}:第{line}行"
        en = self.source if line is None else f"{self.source}:{line}"
        if column is not None:
            zh += f": 列“{column}”"
            en += f": column '{column}'"
        if value is not None:
            zh += f": 值“{value}”"
            en += f": value '{value}'"
        self.messages.append(Text(zh=f"{zh}: {message.zh}", en=f"{en}: {message.en}"))


def _name(source: Source, source_name: str | None) -> str:
    if source_name:
        return source_name
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "upload"))


def read_table(source: Source, source_name: str | None = None) -> pd.DataFrame:
    """A CSV (UTF-8, with or without BOM) or Excel sheet as text cells; blank cells are ''."""
    name = _name(source, source_name)
    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(
                source, dtype=str, keep_default_na=False, engine="openpyxl"
            ).astype(object)
        else:
            frame = pd.read_csv(
                source,
                dtype=object,  # plain Python strings: fast to iterate
                keep_default_na=False,
                encoding="utf-8-sig",
                skipinitialspace=True,
            )
    except FileNotFoundError:
        raise InputError(Text(zh=f"{name}: 文件不存在", en=f"{name}: no such file")) from None
    except UnicodeDecodeError:
        raise InputError(
            Text(
                zh=f"{name}: 不是 UTF-8 文本；请将文件另存为 CSV UTF-8",
                en=f"{name}: not UTF-8 text; save the file as CSV UTF-8",
            )
        ) from None
    except (ValueError, pd.errors.ParserError, OSError) as error:
        raise InputError(
            Text(
                zh=f"{name}: 无法作为表格读取（{error}）",
                en=f"{name}: cannot be read as a table ({error})",
            )
        ) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _require(frame: pd.DataFrame, name: str, required: Sequence[str]) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            Text(
                zh=f"{name}:第1行: 缺少列 {', '.join(missing)}；表头必须为 {','.join(required)}",
                en=f"{name}:1: missing column(s) {', '.join(missing)}; the header must read "
                f"{','.join(required)}",
            )
        )


def _lines(frame: pd.DataFrame) -> np.ndarray:
    """File line of each row: the header is line 1."""
    return np.asarray(frame.index, dtype=np.int64) + 2


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number


def _raise(problems: _Problems) -> None:
    if problems.messages:
        shown = problems.messages[:MAX_PROBLEMS]
        if len(problems.messages) > MAX_PROBLEMS:
            more = len(problems.messages) - MAX_PROBLEMS
            shown.append(
                Text(
                    zh=f"{problems.source}: ……另有 {more} 个问题",
                    en=f"{problems.source}: … and {more} more problems",
                )
            )
        raise InputError(shown)


def read_rates_table(
    source: Source, base: str, *, source_name: str | None = None
) -> dict[str, Decimal]:
    """`currency,rate` rows: 1 unit of the currency is `rate` units of the base currency."""
    name = _name(source, source_name)
    frame = read_table(source, name)
    _require(frame, name, ("currency", "rate"))
    problems = _Problems(name, [])
    rates: dict[str, Decimal] = {}
    for line, currency, raw in zip(_lines(frame), frame["currency"], frame["rate"], strict=True):
        code = currency.strip().upper()
        rate = _decimal(raw)
        if not code:
            problems.add(
                int(line),
                "currency",
                currency,
                Text(zh="必须填写币种代码", en="a currency code is required"),
            )
        elif rate is None or not rate.is_finite() or rate <= 0:
            problems.add(
                int(line),
                "rate",
                raw,
                Text(
                    zh=f"请以正数给出 1 {code} 折合多少 {base}",
                    en=f"give 1 {code} in {base} as a positive number",
                ),
            )
        elif code in rates:
            problems.add(
                int(line),
                "currency",
                currency,
                Text(zh="该币种重复给出", en="this currency is given twice"),
            )
        else:
            rates[code] = rate
    _raise(problems)
    return rates


def parse_rate_options(options: Iterable[str], base: str) -> dict[str, Decimal]:
    """`--rate USD=7.1` options as a mapping; raises InputError naming the bad option."""
    rates: dict[str, Decimal] = {}
    problems: list[Text] = []
    for option in options:
        code, _, raw = option.partition("=")
        rate = _decimal(raw) if raw else None
        if not code.strip() or rate is None or not rate.is_finite() or rate <= 0:
            problems.append(
                Text(
                    zh=f"--rate“{option}”: 请写成 币种=汇率，例如 USD=7.1（1 USD = 7.1 {base}）",
                    en=f"--rate '{option}': write CURRENCY=RATE, e.g. USD=7.1 (1 USD = 7.1 {base})",
                )
            )
        else:
            rates[code.strip().upper()] = rate
    if problems:
        raise InputError(problems)
    return rates


def read_bids_table(
    source: Source,
    template: Template,
    *,
    base: str | None = None,
    rates: dict[str, Decimal] | None = None,
    source_name: str | None = None,
) -> list[Bid]:
    """`vendor,component,amount[,currency]` rows; component is a price criterion's id.

    The currency defaults to the base currency; a currency other than the base needs a rate.
    """
    name = _name(source, source_name)
    base = base or template.currency
    known_rates = {base: Decimal(1), **(rates or {})}
    frame = read_table(source, name)
    _require(frame, name, ("vendor", "component", "amount"))
    currencies = frame["currency"] if "currency" in frame.columns else [""] * len(frame)
    price_ids = {c.id for c in template.price_criteria()}
    problems = _Problems(name, [])
    bids: list[Bid] = []
    seen: dict[tuple[str, str], int] = {}
    for line, vendor, component, raw, currency in zip(
        _lines(frame),
        frame["vendor"],
        frame["component"],
        frame["amount"],
        currencies,
        strict=True,
    ):
        line = int(line)
        vendor, component = read_name(vendor), component.strip()
        code = currency.strip().upper() or base
        amount = _decimal(raw)
        if not vendor:
            problems.add(line, "vendor", vendor, _NAME_REQUIRED["vendor"])
        elif component not in price_ids:
            problems.add(
                line,
                "component",
                component,
                Text(
                    zh=f"不是模板“{template.id}”的价格评分项；请使用 "
                    f"{', '.join(sorted(price_ids)) or '（无：该模板没有价格评分项）'} 之一",
                    en=f"not a price criterion of template '{template.id}'; use one of "
                    f"{', '.join(sorted(price_ids)) or '(none: the template has no price)'}",
                ),
            )
        elif amount is None or not amount.is_finite():
            problems.add(
                line,
                "amount",
                raw,
                Text(
                    zh="不是数字；请按 125000.00 的格式填写金额",
                    en="not a number; write the amount like 125000.00",
                ),
            )
        elif amount <= 0:
            problems.add(
                line,
                "amount",
                raw,
                Text(zh="金额必须大于零", en="an amount must be greater than zero"),
            )
        elif code not in known_rates:
            problems.add(
                line,
                "currency",
                currency,
                Text(
                    zh=f"缺少 {code} 的汇率；请在汇率中添加（1 {code} = ? {base}）",
                    en=f"no exchange rate for {code}; add it to the rates (1 {code} = ? {base})",
                ),
            )
        elif (vendor, component) in seen:
            first = seen[(vendor, component)]
            problems.add(
                line,
                "component",
                component,
                Text(
                    zh=f"供应商“{vendor}”已在第 {first} 行为该项报价",
                    en=f"vendor '{vendor}' already bid for it on line {first}",
                ),
            )
        else:
            seen[(vendor, component)] = line
            bids.append(Bid(vendor, component, amount, code))
    _raise(problems)
    return bids


def _value_tables(template: Template) -> dict[str, dict[str, str]]:
    """criterion id -> {alias as typed or folded: normalised key} for the choice kinds."""
    tables: dict[str, dict[str, str]] = {}
    for criterion in template.criteria():
        if criterion.kind in ("scale", "price_rank", "price_ratio"):
            continue
        table: dict[str, str] = {}
        if criterion.kind == "tiered":
            table.update(rules.TIERED_VALUES)
        elif criterion.kind == "binary":
            table.update(rules.BINARY_VALUES)
        elif criterion.kind == "gate":
            table.update(rules.GATE_VALUES)
        for level in criterion.levels or ():
            for alias in (level.key, level.label.zh, level.label.en):
                table[alias.lower()] = level.key
        tables[criterion.id] = table
    return tables


def read_scores_table(
    source: Source, template: Template, *, source_name: str | None = None
) -> list[Entry]:
    """`evaluator,vendor,criterion,value[,comment]` rows, one per evaluator and cell.

    Checked in bulk (a large tender has a million rows): unknown criteria, price criteria,
    values the rule does not accept, numbers out of range or off the step, NaN or infinity,
    and a cell scored twice by the same evaluator.
    """
    name = _name(source, source_name)
    frame = read_table(source, name)
    _require(frame, name, ("evaluator", "vendor", "criterion", "value"))
    problems = _Problems(name, [])
    lines = _lines(frame)
    criteria = {c.id: c for c in template.criteria()}
    comments = frame["comment"] if "comment" in frame.columns else pd.Series([""] * len(frame))

    names = {column: _stripped(frame[column]) for column in ("evaluator", "vendor")}
    for column, column_names in names.items():
        for position in np.flatnonzero(column_names == ""):
            problems.add(int(lines[position]), column, "", _NAME_REQUIRED[column])

    values: list[object] = [None] * len(frame)
    tables = _value_tables(template)
    raw_values = frame["value"].to_numpy()
    for criterion_id, positions in frame.groupby("criterion", sort=False).indices.items():
        criterion = criteria.get(criterion_id)
        if criterion is None or criterion.is_price:
            reason = (
                Text(
                    zh="是价格规则：其得分来自报价",
                    en="is a price rule: its points come from the bids",
                )
                if criterion
                else Text(
                    zh=f"不是模板“{template.id}”的评分项",
                    en=f"is not a criterion of template '{template.id}'",
                )
            )
            for position in positions[:MAX_PROBLEMS]:
                problems.add(int(lines[position]), "criterion", criterion_id, reason)
            continue
        if criterion.kind == "scale":
            _read_scale(criterion, positions, raw_values, lines, values, problems)
            continue
        table = tables[criterion_id]
        accepted = " / ".join(c.key for c in rules.choices(criterion))
        for position in positions:
            raw = raw_values[position]
            key = table.get(raw) or table.get(raw.strip().lower())
            if key is None:
                problems.add(
                    int(lines[position]),
                    "value",
                    raw,
                    Text(
                        zh=f"不是评分项“{criterion_id}”（{criterion.kind}）可接受的值；"
                        f"请使用 {accepted} 之一",
                        en=f"not a value for criterion '{criterion_id}' ({criterion.kind}); "
                        f"use one of {accepted}",
                    ),
                )
            values[position] = key

    duplicated = frame.duplicated(["evaluator", "vendor", "criterion"], keep="first").to_numpy()
    for position in np.flatnonzero(duplicated)[:MAX_PROBLEMS]:
        evaluator, vendor = frame["evaluator"].iat[position], frame["vendor"].iat[position]
        problems.add(
            int(lines[position]),
            "criterion",
            frame["criterion"].iat[position],
            Text(
                zh=f"评委“{evaluator}”已对供应商“{vendor}”的该项打过分",
                en=f"evaluator '{evaluator}' already scored vendor '{vendor}' on it",
            ),
        )
    _raise(problems)
    rows = zip(
        names["evaluator"].tolist(),
        names["vendor"].tolist(),
        frame["criterion"].tolist(),
        values,
        list(comments),
        strict=True,
    )
    return list(map(Entry._make, rows))


def _stripped(column: pd.Series) -> np.ndarray:
    """The column's names as `read_name` reads them, each distinct name read once.

    A scores file repeats a few dozen evaluator and vendor names a million times; the rows
    then share one string object per name.
    """
    codes, distinct = pd.factorize(column)
    return np.array([read_name(text) for text in distinct], dtype=object)[codes]


# The spreadsheet export writes a text that Excel would run as a formula with a leading
# apostrophe (see selector.reports.export); reading it back takes exactly that apostrophe off.
_NEUTRALISED = re.compile("^'(?=[=+\\-@\t\r＝＋－＠])")


def read_name(text: str) -> str:
    """A vendor or evaluator name as typed: without surrounding spaces, nor the apostrophe
    that the export puts before a name starting with = + - @ (so the export re-imports)."""
    return _NEUTRALISED.sub("", text.strip(), count=1)


def _read_scale(
    criterion: Criterion,
    positions: np.ndarray,
    raw_values: np.ndarray,
    lines: np.ndarray,
    values: list[object],
    problems: _Problems,
) -> None:
    raw = raw_values[positions]
    numbers = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=float)
    step = float(rules.scale_step(criterion))
    steps = numbers / step
    finite = np.isfinite(numbers)
    in_range = finite & (numbers >= 0) & (numbers <= float(criterion.max))
    on_step = in_range & (np.abs(steps - np.round(steps)) <= 1e-9)
    for index in np.flatnonzero(on_step):
        values[positions[index]] = Decimal(raw[index].strip())
    takes = Text(
        zh=f"评分项“{criterion.id}”接受 0 到 {criterion.max} 之间、"
        f"步长为 {rules.scale_step(criterion)} 的数字",
        en=f"criterion '{criterion.id}' takes a number from 0 to {criterion.max} "
        f"in steps of {rules.scale_step(criterion)}",
    )
    for index in np.flatnonzero(~on_step)[:MAX_PROBLEMS]:
        text = raw[index]
        if not finite[index]:
            spelled_infinite = text.strip().lower() in ("nan", "inf", "-inf", "infinity")
            what = _SCALE_FAULTS["not finite" if spelled_infinite else "not a number"]
        elif not in_range[index]:
            what = _SCALE_FAULTS["out of range"]
        else:
            what = _SCALE_FAULTS["not on the step"]
        problems.add(
            int(lines[positions[index]]),
            "value",
            text,
            Text(zh=f"{what.zh}；{takes.zh}", en=f"{what.en}; {takes.en}"),
        )


def read_consensus_table(
    source: Source,
    template: Template,
    vendors: Iterable[str],
    *,
    source_name: str | None = None,
) -> list[Consensus]:
    """`vendor,criterion,value,reason` rows: the chair's value for a cell, with its reason."""
    name = _name(source, source_name)
    frame = read_table(source, name)
    _require(frame, name, ("vendor", "criterion", "value", "reason"))
    problems = _Problems(name, [])
    known = set(vendors)
    criteria = {c.id: c for c in template.criteria()}
    agreed: list[Consensus] = []
    seen: set[tuple[str, str]] = set()
    for line, vendor, criterion_id, raw, reason in zip(
        _lines(frame),
        frame["vendor"],
        frame["criterion"],
        frame["value"],
        frame["reason"],
        strict=True,
    ):
        line = int(line)
        vendor, criterion_id = read_name(vendor), criterion_id.strip()
        criterion = criteria.get(criterion_id)
        if vendor not in known:
            problems.add(
                line,
                "vendor",
                vendor,
                Text(
                    zh="未知供应商：报价和评分中都没有它",
                    en="unknown vendor: it is in neither the bids nor the scores",
                ),
            )
        elif criterion is None or criterion.is_price:
            problems.add(
                line,
                "criterion",
                criterion_id,
                Text(
                    zh="不是本模板中由评委打分的评分项",
                    en="not a criterion that evaluators score in this template",
                ),
            )
        elif not reason.strip():
            problems.add(
                line,
                "reason",
                reason,
                Text(zh="共识值需要填写理由", en="a consensus value needs a reason"),
            )
        elif (vendor, criterion_id) in seen:
            problems.add(
                line,
                "criterion",
                criterion_id,
                Text(zh="该单元格已有共识值", en="this cell has a consensus already"),
            )
        else:
            try:
                value = rules.parse_value(criterion, raw)
            except ScoringError as error:
                problems.add(line, "value", raw, error.texts[0])
                continue
            seen.add((vendor, criterion_id))
            agreed.append(Consensus(vendor, criterion_id, value, reason.strip()))
    _raise(problems)
    return agreed


def load_evaluation_input(
    criteria: str | Path,
    bids: Source,
    scores: Source,
    consensus: Source | None = None,
    *,
    method: Method = "mean",
    base: str | None = None,
    rates: Iterable[str] = (),
    rates_file: Source | None = None,
    divergence_threshold: float = DEFAULT_DIVERGENCE,
    low_bid_threshold: float = DEFAULT_LOW_BID,
) -> EvaluationInput:
    """Read a whole tender from files, as `selector score` takes them.

    The vendors are those named in the bids or the scores, in order of first appearance.
    Raises InputError (from the template loader: TemplateError) listing every problem.
    """
    template = load_template(criteria)
    base = (base or template.currency).upper()
    known_rates = read_rates_table(rates_file, base) if rates_file is not None else {}
    known_rates.update(parse_rate_options(rates, base))
    bid_rows = read_bids_table(bids, template, base=base, rates=known_rates)
    entries = read_scores_table(scores, template)
    vendors = tuple(dict.fromkeys([b.vendor for b in bid_rows] + [e.vendor for e in entries]))
    agreed = read_consensus_table(consensus, template, vendors) if consensus is not None else []
    return EvaluationInput(
        template=template,
        vendors=vendors,
        entries=tuple(entries),
        bids=tuple(bid_rows),
        consensus=tuple(agreed),
        method=method,
        base_currency=base,
        rates=known_rates,
        divergence_threshold=divergence_threshold,
        low_bid_threshold=low_bid_threshold,
    )
