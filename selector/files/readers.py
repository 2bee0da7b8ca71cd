"""Read bids, scores, consensus and rates from CSV or Excel into the scoring model.

Every reader checks every row and raises `InputError` with one message per problem, each
naming the file, the line, the column and the value, so nothing is half-read. The command
line (`selector score`, `selector report`) and the web uploads share these readers.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from itertools import chain
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import IO, NamedTuple

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


class Table:
    """A sheet read as text: its columns by lower-case header, and where each row came from.

    A reader takes a Table where it takes a file, so a command can read its files while
    something else (the template) loads.

    `columns` maps a header to one string per data row ('' for a blank cell). `line(i)` is
    the line in the file of data row `i` (the header is line 1), for messages.
    """

    def __init__(
        self,
        name: str,
        columns: dict[str, Sequence[str]],
        length: int,
        lines: list[int] | None,
    ) -> None:
        self.name = name
        self.columns = columns
        self.length = length
        self._lines = lines

    def __len__(self) -> int:
        return self.length

    def __contains__(self, column: str) -> bool:
        return column in self.columns

    def __getitem__(self, column: str) -> Sequence[str]:
        return self.columns[column]

    def get(self, column: str) -> Sequence[str]:
        """The column, or a blank cell per row where the file has no such column."""
        return self.columns.get(column) or [""] * self.length

    def line(self, row: int) -> int:
        return row + 2 if self._lines is None else self._lines[row]

    def lines(self) -> list[int]:
        return list(range(2, self.length + 2)) if self._lines is None else self._lines


Source = str | Path | IO[bytes] | Table


def _name(source: Source, source_name: str | None) -> str:
    if source_name:
        return source_name
    if isinstance(source, Table):
        return source.name
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "upload"))


def read_table(source: Source, source_name: str | None = None) -> Table:
    """A CSV (UTF-8, with or without BOM) or Excel sheet as text cells; blank cells are ''.

    CSV is read without pandas (`selector score` starts faster without it): split with
    `str.split`, or by the `csv` module when it has quotes or spaces after commas; blank
    lines are skipped and every row keeps its line in the file.
    A row with more cells than the header is refused, one with fewer is padded with ''.
    """
    if isinstance(source, Table):
        return source
    name = _name(source, source_name)
    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            return _read_excel(source, name)
        return _read_csv(source, name)
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(Text(zh=f"{name}: 文件不存在", en=f"{name}: no such file")) from None
    except UnicodeDecodeError:
        raise InputError(
            Text(
                zh=f"{name}: 不是 UTF-8 文本；请将文件另存为 CSV UTF-8",
                en=f"{name}: not UTF-8 text; save the file as CSV UTF-8",
            )
        ) from None
    except (ValueError, csv.Error, OSError, zipfile.BadZipFile, KeyError) as error:
        raise InputError(
            Text(
                zh=f"{name}: 无法作为表格读取（{error}）",
                en=f"{name}: cannot be read as a table ({error})",
            )
        ) from None


def _read_csv(source: str | Path | IO[bytes], name: str) -> Table:
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    else:
        data = source.read()
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else str(data)
    if not text.strip():
        raise ValueError("the file is empty; its first line must be the header")
    if '"' in text or ", " in text:  # quoted cells, or spaces to skip: the csv module
        return _columns(name, *_records(text))
    # Without quotes a record is a line and a cell is what lies between two commas: a large
    # file is split in a few C calls, five times faster than the csv module.
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = rows[0].split(",")
    body = rows[1:]
    while body and not body[-1]:
        body.pop()
    lines = None
    if "" in body:  # blank lines are skipped; the others keep their line numbers
        lines = [number for number, row in enumerate(body, 2) if row]
        body = [row for row in body if row]
    width = len(header)
    if set(map(methodcaller("count", ","), body)) <= {width - 1}:
        cells = ",".join(body).split(",") if body else []
        return _table(name, header, [cells[i::width] for i in range(width)], len(body), lines)
    return _columns(name, header, [row.split(",") for row in body], lines)


def _records(text: str) -> tuple[list[str], list[list[str]], list[int] | None]:
    """Header, records and the line each record starts on, by the csv module."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    records, ends = [], []
    for record in reader:
        records.append(record)
        ends.append(reader.line_num)  # a quoted cell may span lines: where the record ends
    starts = [end + 1 for end in ends[:-1]]  # each record starts after the one before
    body = [record for record in records[1:] if record]  # blank lines are []
    lines = [line for line, record in zip(starts, records[1:], strict=True) if record]
    return records[0], body, lines


def _columns(
    name: str, header: list[str], records: list[list[str]], lines: list[int] | None
) -> Table:
    """The records as columns; a record longer than the header is refused, a shorter one
    padded with blank cells."""
    width = len(header)
    if set(map(len, records)) - {width}:
        problems = _Problems(name, [])
        for position, record in enumerate(records):
            if len(record) > width:
                problems.add(
                    position + 2 if lines is None else lines[position],
                    None,
                    None,
                    Text(
                        zh=f"有 {len(record)} 个单元格，而表头只有 {width} 列；"
                        "含逗号的值请用英文双引号括起来",
                        en=f"{len(record)} cells where the header has {width} columns; "
                        "put a value that contains a comma in double quotes",
                    ),
                )
        _raise(problems)
        records = [record + [""] * (width - len(record)) for record in records]
    columns = [list(map(itemgetter(i), records)) for i in range(width)]
    return _table(name, header, columns, len(records), lines)


def _table(
    name: str,
    header: list[str],
    columns: list[list[str]],
    length: int,
    lines: list[int] | None,
) -> Table:
    named: dict[str, Sequence[str]] = {}
    for column, cells in zip(header, columns, strict=True):
        named.setdefault(column.strip().lower(), cells)
    return Table(name, named, length, lines)


def _read_excel(source: str | Path | IO[bytes], name: str) -> Table:
    import pandas as pd  # only for Excel: a CSV is read without it

    frame = pd.read_excel(source, dtype=str, keep_default_na=False, engine="openpyxl")
    columns: dict[str, Sequence[str]] = {}
    for column in frame.columns:
        columns.setdefault(str(column).strip().lower(), frame[column].astype(object).tolist())
    return Table(name, columns, len(frame), None)


def _require(table: Table, name: str, required: Sequence[str]) -> None:
    missing = [c for c in required if c not in table]
    if missing:
        raise InputError(
            Text(
                zh=f"{name}:第1行: 缺少列 {', '.join(missing)}；表头必须为 {','.join(required)}",
                en=f"{name}:1: missing column(s) {', '.join(missing)}; the header must read "
                f"{','.join(required)}",
            )
        )


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
    table = read_table(source, name)
    _require(table, name, ("currency", "rate"))
    problems = _Problems(name, [])
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
    table = read_table(source, name)
    _require(table, name, ("vendor", "component", "amount"))
    price_ids = {c.id for c in template.price_criteria()}
    problems = _Problems(name, [])
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

    Checked in bulk (a large tender has a million rows, repeating a few dozen names, a few
    hundred criteria and a handful of values): each distinct name, and each distinct
    criterion and value, is read once. Refused: a blank name, unknown criteria, price
    criteria, values the rule does not accept, numbers out of range or off the step, NaN or
    infinity, and a cell scored twice by the same evaluator.
    """
    name = _name(source, source_name)
    table = read_table(source, name)
    _require(table, name, ("evaluator", "vendor", "criterion", "value"))
    problems = _Problems(name, [])
    evaluators = _read_names(table["evaluator"], read_name)
    vendors = _read_names(table["vendor"], read_name)
    for column, names in (("evaluator", evaluators), ("vendor", vendors)):
        if "" in names:
            for position in _positions(names, ""):
                problems.add(table.line(position), column, "", _NAME_REQUIRED[column])

    criterion_ids = _read_names(table["criterion"], str.strip)
    readings = dict.fromkeys(zip(criterion_ids, table["value"], strict=True))
    faults: dict[tuple[str, str], Problem] = {}
    criteria = {c.id: c for c in template.criteria()}
    tables = _value_tables(template)
    for pair in readings:
        criterion_id, raw = pair
        value = _reading(criteria.get(criterion_id), criterion_id, raw, template, tables)
        if isinstance(value, Problem):
            faults[pair] = value
        else:
            readings[pair] = value
    if faults:
        shown: dict[str, int] = {}  # an unknown criterion is named on its first lines only
        for position, pair in enumerate(zip(criterion_ids, table["value"], strict=True)):
            fault = faults.get(pair)
            if fault is not None:
                if fault.column == "criterion":
                    shown[pair[0]] = shown.get(pair[0], 0) + 1
                    if shown[pair[0]] > MAX_PROBLEMS:
                        continue
                problems.add(table.line(position), fault.column, fault.value, fault.message)

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
    _raise(problems)
    values = map(readings.__getitem__, zip(criterion_ids, table["value"], strict=True))
    rows = zip(evaluators, vendors, criterion_ids, values, table.get("comment"), strict=True)
    # tuple.__new__ builds each Entry in C, as Entry._make does one Python call at a time
    return list(map(partial(tuple.__new__, Entry), rows))


def _read_names(column: Sequence[str], read: Callable[[str], str]) -> list[str]:
    """The column read cell by cell with `read`, each distinct text read once.

    The rows then share one string object per name, which keeps a million entries small.
    """
    distinct = {text: read(text) for text in set(column)}
    return list(map(distinct.__getitem__, column))


def _positions(column: Sequence[str], value: str) -> list[int]:
    return [position for position, text in enumerate(column) if text == value]


class Problem(NamedTuple):
    """What is wrong with one cell: the column to name, the value as typed, the message."""

    column: str
    value: str
    message: Text


def _reading(
    criterion: Criterion | None,
    criterion_id: str,
    raw: str,
    template: Template,
    tables: dict[str, dict[str, str]],
) -> str | Decimal | Problem:
    """The normalised value of `raw` for `criterion`, or the problem to report."""
    if criterion is None:
        return Problem(
            "criterion",
            criterion_id,
            Text(
                zh=f"不是模板“{template.id}”的评分项",
                en=f"is not a criterion of template '{template.id}'",
            ),
        )
    if criterion.is_price:
        return Problem(
            "criterion",
            criterion_id,
            Text(
                zh="是价格规则：其得分来自报价",
                en="is a price rule: its points come from the bids",
            ),
        )
    if criterion.kind == "scale":
        return _read_scale(criterion, raw)
    table = tables[criterion_id]
    key = table.get(raw) or table.get(raw.strip().lower())
    if key is not None:
        return key
    accepted = " / ".join(c.key for c in rules.choices(criterion))
    return Problem(
        "value",
        raw,
        Text(
            zh=f"不是评分项“{criterion_id}”（{criterion.kind}）可接受的值；请使用 {accepted} 之一",
            en=f"not a value for criterion '{criterion_id}' ({criterion.kind}); "
            f"use one of {accepted}",
        ),
    )


def _read_scale(criterion: Criterion, raw: str) -> Decimal | Problem:
    step = rules.scale_step(criterion)
    try:
        number = Decimal(raw.strip())
    except InvalidOperation:
        what = _SCALE_FAULTS["not a number"]
    else:
        if not number.is_finite():
            what = _SCALE_FAULTS["not finite"]
        elif not 0 <= number <= criterion.max:
            what = _SCALE_FAULTS["out of range"]
        elif number % step != 0:
            what = _SCALE_FAULTS["not on the step"]
        else:
            return number
    takes = Text(
        zh=f"评分项“{criterion.id}”接受 0 到 {criterion.max} 之间、步长为 {step} 的数字",
        en=f"criterion '{criterion.id}' takes a number from 0 to {criterion.max} "
        f"in steps of {step}",
    )
    return Problem("value", raw, Text(zh=f"{what.zh}；{takes.zh}", en=f"{what.en}; {takes.en}"))


# The spreadsheet export writes a text that Excel would run as a formula with a leading
# apostrophe (see selector.reports.export); reading it back takes exactly that apostrophe off.
_NEUTRALISED = re.compile("^'(?=[=+\\-@\t\r＝＋－＠])")


def read_name(text: str) -> str:
    """A vendor or evaluator name as typed: without surrounding spaces, nor the apostrophe
    that the export puts before a name starting with = + - @ (so the export re-imports)."""
    return _NEUTRALISED.sub("", text.strip(), count=1)


def read_consensus_table(
    source: Source,
    template: Template,
    vendors: Iterable[str],
    *,
    source_name: str | None = None,
) -> list[Consensus]:
    """`vendor,criterion,value,reason` rows: the chair's value for a cell, with its reason."""
    name = _name(source, source_name)
    table = read_table(source, name)
    _require(table, name, ("vendor", "criterion", "value", "reason"))
    problems = _Problems(name, [])
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
    criteria: str | Path | Template,
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
    `criteria` is a template file, or the template already loaded. Raises InputError (from
    the template loader: TemplateError) listing every problem.
    """
    if isinstance(criteria, Template):
        template = criteria
    else:
        from selector.files.criteria import load_template  # pydantic: only when a file is given

        template = load_template(criteria)
    base = (base or template.currency).upper()
    known_rates = read_rates_table(rates_file, base) if rates_file is not None else {}
    known_rates.update(parse_rate_options(rates, base))
    bid_rows = read_bids_table(bids, template, base=base, rates=known_rates)
    entries = read_scores_table(scores, template)
    vendors = tuple(dict.fromkeys(chain((b.vendor for b in bid_rows), map(itemgetter(1), entries))))
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
