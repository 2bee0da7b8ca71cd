"""Read bids, scores, consensus and rates from CSV or Excel into the scoring model.

Every reader checks every row and raises `InputError` with one message per problem, each
naming the file, the line, the column and the value, so nothing is half-read. The command
line (`selector score`, `selector report`) and the web uploads share these readers. A
typed value is read by `selector.scoring.values`, a name cell by `selector.files.codec`,
the sheet itself by `selector.files.tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from selector.files.codec import read_name
from selector.files.tables import (
    InputError,
    Problems,
    Source,
    Table,
    name_of,
    read_table,
    require_columns,
)
from selector.scoring import values
from selector.scoring.limits import MAX_PROBLEMS
from selector.scoring.model import (
    DEFAULT_DIVERGENCE,
    DEFAULT_LOW_BID,
    Bid,
    Consensus,
    Criterion,
    Entry,
    EvaluationInput,
    Method,
    Template,
    Text,
)

__all__ = [
    "InputError",
    "Table",
    "PreparedScores",
    "Prices",
    "load_evaluation_input",
    "parse_rate_options",
    "read_bids_table",
    "read_consensus_table",
    "read_name",
    "prepare_scores",
    "read_prices",
    "read_rates_table",
    "read_scores_table",
    "read_table",
]

_NAME_REQUIRED = {
    "evaluator": Text(zh="必须填写评委名称", en="a evaluator name is required"),
    "vendor": Text(zh="必须填写供应商名称", en="a vendor name is required"),
}


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number


def read_rates_table(
    source: Source, base: str, *, source_name: str | None = None
) -> dict[str, Decimal]:
    """`currency,rate` rows: 1 unit of the currency is `rate` units of the base currency."""
    name = name_of(source, source_name)
    table = read_table(source, name)
    require_columns(table, name, ("currency", "rate"))
    problems = Problems(name)
    rates: dict[str, Decimal] = {}
    for line, currency, raw in zip(table.lines(), table["currency"], table["rate"], strict=True):
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
    problems.raise_any()
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
    name = name_of(source, source_name)
    base = base or template.currency
    known_rates = {base: Decimal(1), **(rates or {})}
    table = read_table(source, name)
    require_columns(table, name, ("vendor", "component", "amount"))
    price_ids = {c.id for c in template.price_criteria()}
    problems = Problems(name)
    bids: list[Bid] = []
    seen: dict[tuple[str, str], int] = {}
    for line, vendor, component, raw, currency in zip(
        table.lines(),
        table["vendor"],
        table["component"],
        table["amount"],
        table.get("currency"),
        strict=True,
    ):
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
        elif (refusal := values.amount_problem(amount)) is not None:
            problems.add(line, "amount", raw, refusal)
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
    problems.raise_any()
    return bids


class PreparedScores(NamedTuple):
    """A scores file read as far as it can be without the template (`prepare_scores`): its
    names checked, its repeated cells found; each distinct text one object, so that a
    large file's columns travel between processes in a few megabytes."""

    name: str
    table: Table  # the rows' lines in the file (no columns)
    evaluators: list[str]
    vendors: list[str]
    criterion_ids: list[str]
    values: list[str]  # as typed
    comments: Sequence[str]
    named: list[Text]  # the problems of blank names
    repeated: list[Text]  # the problems of cells scored twice


def read_scores_table(
    source: Source | PreparedScores, template: Template, *, source_name: str | None = None
) -> list[Entry]:
    """`evaluator,vendor,criterion,value[,comment]` rows, one per evaluator and cell.

    Checked in bulk (a large tender has a million rows, repeating a few dozen names, a few
    hundred criteria and a handful of values): each distinct name, and each distinct
    criterion and value, is read once. Refused: a blank name, unknown criteria, price
    criteria, values the rule does not accept, numbers out of range or off the step, NaN or
    infinity, and a cell scored twice by the same evaluator. `source` may be read by
    `prepare_scores` already (in another process, while the template loads).
    """
    if not isinstance(source, PreparedScores):
        source = prepare_scores(source, source_name=source_name)
    name, table = source.name, source.table
    criterion_ids, typed = source.criterion_ids, source.values
    problems = Problems(name)
    problems.messages.extend(source.named)
    readings = dict.fromkeys(zip(criterion_ids, typed, strict=True))
    faults: dict[tuple[str, str], _Fault] = {}
    criteria = {c.id: c for c in template.criteria()}
    for pair in readings:
        criterion_id, raw = pair
        value = _reading(criteria.get(criterion_id), criterion_id, raw, template)
        if isinstance(value, _Fault):
            faults[pair] = value
        else:
            readings[pair] = value
    if faults:
        shown: dict[str, int] = {}  # an unknown criterion is named on its first lines only
        for position, pair in enumerate(zip(criterion_ids, typed, strict=True)):
            fault = faults.get(pair)
            if fault is not None:
                if fault.column == "criterion":
                    shown[pair[0]] = shown.get(pair[0], 0) + 1
                    if shown[pair[0]] > MAX_PROBLEMS:
                        continue
                problems.add(table.line(position), fault.column, fault.value, fault.message)
    problems.messages.extend(source.repeated)
    problems.raise_any()
    values = map(readings.__getitem__, zip(criterion_ids, typed, strict=True))
    rows = zip(source.evaluators, source.vendors, criterion_ids, values, source.comments,
               strict=True)  # fmt: skip
    # tuple.__new__ builds each Entry in C, as Entry._make does one Python call at a time
    return list(map(partial(tuple.__new__, Entry), rows))


def prepare_scores(source: Source, *, source_name: str | None = None) -> PreparedScores:
    """The part of `read_scores_table` that needs no template: the file read, its columns
    required, its names read and checked, its repeated cells found. Raises InputError for
    a file that cannot be read as the scores table."""
    name = name_of(source, source_name)
    table = read_table(source, name)
    require_columns(table, name, ("evaluator", "vendor", "criterion", "value"))
    problems = Problems(name)
    evaluators = _read_names(table["evaluator"], read_name)
    vendors = _read_names(table["vendor"], read_name)
    for column, names in (("evaluator", evaluators), ("vendor", vendors)):
        if "" in names:
            for position in _positions(names, ""):
                problems.add(table.line(position), column, "", _NAME_REQUIRED[column])
    named, problems.messages = problems.messages, []
    criterion_ids = _read_names(table["criterion"], str.strip)
    cells = zip(evaluators, vendors, criterion_ids, strict=True)
    if len(set(map(hash, cells))) != len(table):  # a repeat, or (rarely) equal hashes
        first: dict[tuple[str, str, str], int] = {}
        repeated = 0
        for position, cell in enumerate(zip(evaluators, vendors, criterion_ids, strict=True)):
            if cell not in first:
                first[cell] = position
                continue
            repeated += 1
            if repeated <= MAX_PROBLEMS:
                evaluator, vendor, criterion_id = cell
                problems.add(
                    table.line(position),
                    "criterion",
                    criterion_id,
                    Text(
                        zh=f"评委“{evaluator}”已对供应商“{vendor}”的该项打过分",
                        en=f"evaluator '{evaluator}' already scored vendor '{vendor}' on it",
                    ),
                )
    return PreparedScores(
        name,
        table.lines_only(),
        evaluators,
        vendors,
        criterion_ids,
        _read_names(table["value"], str),
        table.get("comment"),
        named,
        problems.messages,
    )


def _read_names(column: Sequence[str], read: Callable[[str], str]) -> list[str]:
    """The column read cell by cell with `read`, each distinct text read once.

    The rows then share one string object per name, which keeps a million entries small.
    """
    distinct = {text: read(text) for text in set(column)}
    return list(map(distinct.__getitem__, column))


def _positions(column: Sequence[str], value: str) -> list[int]:
    return [position for position, text in enumerate(column) if text == value]


class _Fault(NamedTuple):
    """What is wrong with one cell: the column to name, the value as typed, the message."""

    column: str
    value: str
    message: Text


def _reading(
    criterion: Criterion | None, criterion_id: str, raw: str, template: Template
) -> values.Value | _Fault:
    """The canonical value of `raw` for `criterion`, or the fault to report."""
    if criterion is None:
        return _Fault(
            "criterion",
            criterion_id,
            Text(
                zh=f"不是模板“{template.id}”的评分项",
                en=f"is not a criterion of template '{template.id}'",
            ),
        )
    value = values.read(criterion, raw)
    if isinstance(value, values.Problem):
        column, typed = ("criterion", criterion_id) if criterion.is_price else ("value", raw)
        return _Fault(column, typed, value.text)
    return value


def read_consensus_table(
    source: Source,
    template: Template,
    vendors: Iterable[str],
    *,
    source_name: str | None = None,
) -> list[Consensus]:
    """`vendor,criterion,value,reason` rows: the chair's value for a cell, with its reason."""
    name = name_of(source, source_name)
    table = read_table(source, name)
    require_columns(table, name, ("vendor", "criterion", "value", "reason"))
    problems = Problems(name)
    known = set(vendors)
    criteria = {c.id: c for c in template.criteria()}
    agreed: list[Consensus] = []
    seen: set[tuple[str, str]] = set()
    for line, vendor, criterion_id, raw, reason in zip(
        table.lines(),
        table["vendor"],
        table["criterion"],
        table["value"],
        table["reason"],
        strict=True,
    ):
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
            value = values.read(criterion, raw)
            if isinstance(value, values.Problem):
                problems.add(line, "value", raw, value.text)
                continue
            seen.add((vendor, criterion_id))
            agreed.append(Consensus(vendor, criterion_id, value, reason.strip()))
    problems.raise_any()
    return agreed


class Prices(NamedTuple):
    """A tender's bids with the base currency and the exchange rates they were read with."""

    base: str
    rates: dict[str, Decimal]
    bids: tuple[Bid, ...]


def read_prices(
    template: Template,
    bids: Source,
    *,
    base: str | None = None,
    rates: Iterable[str] = (),
    rates_file: Source | None = None,
) -> Prices:
    """The bids file read against `template`, in the base currency (default: the
    template's) at the rates of `rates_file` and of `rates` (`CUR=RATE` options, which win).
    Raises InputError listing every problem: the rates' first, then the bids'."""
    base = (base or template.currency).upper()
    known_rates = read_rates_table(rates_file, base) if rates_file is not None else {}
    known_rates.update(parse_rate_options(rates, base))
    rows = read_bids_table(bids, template, base=base, rates=known_rates)
    return Prices(base, known_rates, tuple(rows))


def load_evaluation_input(
    criteria: str | Path | Template,
    bids: Source | Prices,
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
    `criteria` is a template file, or the template already loaded; `bids` a bids file, or
    the `read_prices` of one (then `base`, `rates` and `rates_file` are not read again).
    Raises InputError (from the template loader: TemplateError) listing every problem.
    """
    if isinstance(criteria, Template):
        template = criteria
    else:
        from selector.files.criteria import load_template  # pydantic: only when a file is given

        template = load_template(criteria)
    if not isinstance(bids, Prices):
        bids = read_prices(template, bids, base=base, rates=rates, rates_file=rates_file)
    entries = read_scores_table(scores, template)
    named = chain((b.vendor for b in bids.bids), map(itemgetter(1), entries))
    vendors = tuple(dict.fromkeys(named))
    agreed = read_consensus_table(consensus, template, vendors) if consensus is not None else []
    return EvaluationInput(
        template=template,
        vendors=vendors,
        entries=tuple(entries),
        bids=bids.bids,
        consensus=tuple(agreed),
        method=method,
        base_currency=bids.base,
        rates=bids.rates,
        divergence_threshold=divergence_threshold,
        low_bid_threshold=low_bid_threshold,
    )
