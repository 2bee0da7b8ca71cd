"""The live workbook: a tender's result as an analyst audits it in Excel or LibreOffice.

Sheets, in the workbook's language (zh or en):
- **Summary**: the ranking. Each group's score, the total and the rank are formulas over
  the Groups sheet, the total bid one over the Bids sheet;
- **Groups**: each group's score per vendor, `weight × sum of its criteria's points ÷ max`,
  as formulas over the Points and Weights sheets;
- **Points**: every cell's points as the app counted them (the evaluators' aggregate, the
  consensus value where there is one, the price rule's points), gates as 通过/不通过;
- **Weights**: each group's weight and maximum: change a weight and the totals move;
- **Entries, Bids, Consensus, Rates**: the tender's inputs in the shape
  `selector score --workbook` reads back (`selector.files.workbook`);
- **Flags** and **Method**: what the committee reviewed, and how the totals are computed.

The formulas round as the app does (docs/contract.md §8): a total is settled to 9 decimals and then
rounded half-up to 2, `ROUND(ROUND(sum, 9), 2)`; ranks count the higher totals, then the
equal totals with a lower bid, so equal total and bid share a rank. Only this module writes
formulas, and they hold cell references and numbers, never a text a person typed: every
text cell is written as a string, one that a spreadsheet would run as a formula with a
leading apostrophe (`neutralise`). An exporter returns `(filename, mimetype, bytes)`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from selector.files.codec import neutralise
from selector.files.workbook import BIDS, CONSENSUS, ENTRIES, METHOD, RATES
from selector.reports.context import criterion_codes, evaluator_names, rule_words
from selector.reports.labels import labels
from selector.scoring import values
from selector.scoring.checks import DecisionChecks, decision_checks
from selector.scoring.model import Criterion, Result, Text
from selector.scoring.serialize import fingerprint
from selector.scoring.words import EXPORT_SHEET_NAMES, word

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"
POINTS = "#,##0.00"
FIGURE = "#,##0.00##"  # weights, maxima and rates: 2 decimals at least, up to 4
RANK = "0"
MAX_WIDTH = 60
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
CONSENSUS_FILL = PatternFill("solid", fgColor="FFF2CC")

HEADER = {
    "rank": Text(zh="排名", en="Rank"),
    "vendor": Text(zh="供应商", en="Vendor"),
    "total": Text(zh="总分", en="Total"),
    "band": Text(zh="等级", en="Band"),
    "bid_total": Text(zh="投标总价（{base}）", en="Total bid ({base})"),
    "disqualified": Text(zh="取消资格原因", en="Disqualified"),
    "code": Text(zh="编号", en="Code"),
    "group": Text(zh="分组", en="Group"),
    "criterion": Text(zh="评分项", en="Criterion"),
    "title": Text(zh="名称", en="Title"),
    "kind": Text(zh="规则", en="Rule"),
    "max": Text(zh="满分", en="Max"),
    "weight": Text(zh="权重（%）", en="Weight (%)"),
    "max_points": Text(zh="满分合计", en="Max points"),
    "sum": Text(zh="权重合计", en="Sum of weights"),
    "flag_id": Text(zh="编号", en="ID"),
    "flag_kind": Text(zh="类型", en="Kind"),
    "evaluator": Text(zh="评委", en="Evaluator"),
    "message": Text(zh="说明", en="Explanation"),
    "review": Text(zh="复核意见", en="Review note"),
}
CONSENSUS_NOTE = Text(zh="共识值（评审主任记录）：", en="Consensus value (recorded by the chair): ")


def build_workbook(
    result: Result, lang: str = "en", extras: Mapping[str, Any] | None = None, *,
    checks: DecisionChecks | None = None,
) -> tuple[str, str, bytes]:
    """The live workbook of `result` in `lang`: `(filename, mimetype, bytes)`. `checks` are
    the result's decision checks where the caller has them (else computed here, once: the
    Flags sheet lists them)."""
    extras = extras or {}
    book = Workbook()
    writer = _Writer(result, decision_checks(result) if checks is None else checks, lang, extras)
    writer.write(book)
    buffer = io.BytesIO()
    book.save(buffer)
    title = str(extras.get("title") or extras.get("tender_name") or result.template.id)
    return workbook_filename(title, lang), XLSX_MIME, buffer.getvalue()


def workbook_filename(title: str, lang: str, suffix: str = ".xlsx") -> str:
    """`<tender name>-<lang>.xlsx`, the name made safe: letters (Chinese too), digits, `.`,
    `_` and `-` only, at most 60 of them."""
    return f"{safe_slug(title)}-{lang}{suffix}"


def safe_slug(text: str) -> str:
    """A tender name as a file name: runs of anything but word characters, `.` and `-`
    become one `-`; no leading dot; `tender` when nothing is left."""
    normal = unicodedata.normalize("NFKC", text)
    slug = re.sub(r"[^\w.-]+", "-", normal).strip("-._")
    return slug[:60].strip("-._") or "tender"


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class _Writer:
    """Writes the sheets of one workbook; remembers where each figure went for formulas."""

    def __init__(
        self, result: Result, checks: DecisionChecks, lang: str, extras: Mapping[str, Any]
    ) -> None:
        self.result = result
        self.checks = checks
        self.lang = lang
        self.extras = extras
        self.template = result.template
        self.words = labels(lang)
        self.vendors = ([r.vendor for r in result.ranking]
                        + [d.vendor for d in result.disqualified])
        self.base = result.input.base_currency
        self.name = {key: text.get(lang) for key, text in EXPORT_SHEET_NAMES.items()}
        self.people = evaluator_names(extras)  # username -> display name

    def h(self, key: str, **values: str) -> str:
        return HEADER[key].get(self.lang).format(**values)

    def write(self, book: Workbook) -> None:
        first = book.active
        summary = book.create_sheet(self.name["summary"])
        book.remove(first)
        sheets = {key: book.create_sheet(self.name[key])
                  for key in ("groups", "points", "weights", "entries", "bids", "consensus",
                              "rates", "flags", "method")}
        self.points(sheets["points"])
        self.weights(sheets["weights"])
        self.bids(sheets["bids"])
        self.groups(sheets["groups"])
        self.summary(summary)
        self.entries(sheets["entries"])
        self.consensus(sheets["consensus"])
        self.rates(sheets["rates"])
        self.flags(sheets["flags"])
        self.method(sheets["method"])

    # --- the figures -----------------------------------------------------------------

    def points(self, ws: Worksheet) -> None:
        """One row per criterion (template order, so a group's rows are contiguous), one
        column per vendor: the points that count."""
        codes = criterion_codes(self.template)
        head = [self.h("code"), self.h("group"), self.h("criterion"), self.h("title"),
                self.h("kind"), self.h("max"), *self.vendors]
        _header(ws, head)
        self.first_vendor_column = 7
        self.group_rows: dict[str, tuple[int, int]] = {}
        row = 2
        for group in self.template.groups:
            start = row
            for criterion in group.criteria:
                _text(ws, row, 1, codes[criterion.id])
                _text(ws, row, 2, group.id)
                _text(ws, row, 3, criterion.id)
                _text(ws, row, 4, criterion.title.get(self.lang))
                _text(ws, row, 5, word("rule_kind", criterion.kind, self.lang))
                _number(ws, row, 6, float(criterion.max), FIGURE)
                for offset, vendor in enumerate(self.vendors):
                    self._point(ws, row, self.first_vendor_column + offset, vendor, criterion)
                row += 1
            self.group_rows[group.id] = (start, row - 1)
        _finish(ws, freeze="G2", widths={4: 36})

    def _point(self, ws: Worksheet, row: int, column: int, vendor: str,
               criterion: Criterion) -> None:
        cell = self.result.cells.get((vendor, criterion.id))
        if cell is None:
            return
        if criterion.is_gate:
            if cell.consensus is not None:
                outcome = str(cell.consensus.value)
            else:
                fails = sum(1 for v in cell.inputs.values() if v >= 0.5)
                outcome = "fail" if 2 * fails > len(cell.inputs) else "pass"
            gate = _text(ws, row, column, word("choice", outcome, self.lang))
            gate.alignment = Alignment(horizontal="center")
        elif cell.points is not None:
            _number(ws, row, column, cell.points, POINTS)
        if cell.consensus is not None:
            target = ws.cell(row=row, column=column)
            target.fill = CONSENSUS_FILL
            note = CONSENSUS_NOTE.get(self.lang) + _plain(cell.consensus.reason)
            target.comment = Comment(note, "Selector")

    def weights(self, ws: Worksheet) -> None:
        """One row per group: its weight (the number an analyst changes) and maximum."""
        _header(ws, [self.h("group"), self.h("title"), self.h("weight"), self.h("max_points")])
        self.weight_rows: dict[str, int] = {}
        for row, group in enumerate(self.template.groups, start=2):
            _text(ws, row, 1, group.id)
            _text(ws, row, 2, group.title.get(self.lang))
            _number(ws, row, 3, float(group.weight), FIGURE)
            _number(ws, row, 4, float(group.max_points), FIGURE)
            self.weight_rows[group.id] = row
        last = len(self.template.groups) + 1
        _text(ws, last + 2, 2, self.h("sum"))
        _formula(ws, last + 2, 3, f"=SUM(C2:C{last})", FIGURE)
        _finish(ws, freeze="A2", widths={2: 36}, filter_rows=last)

    def groups(self, ws: Worksheet) -> None:
        """One row per group, one column per vendor: weight × points ÷ max, as formulas."""
        points, weights = _quoted(self.name["points"]), _quoted(self.name["weights"])
        _header(ws, [self.h("group"), self.h("title"), self.h("weight"), self.h("max_points"),
                     *self.vendors])
        self.groups_rows: dict[str, int] = {}
        for row, group in enumerate(self.template.groups, start=2):
            self.groups_rows[group.id] = row
            source = self.weight_rows[group.id]
            _text(ws, row, 1, group.id)
            _text(ws, row, 2, group.title.get(self.lang))
            _formula(ws, row, 3, f"={weights}!$C${source}", FIGURE)
            _formula(ws, row, 4, f"={weights}!$D${source}", FIGURE)
            start, end = self.group_rows[group.id]
            for offset in range(len(self.vendors)):
                letter = get_column_letter(self.first_vendor_column + offset)
                column = 5 + offset
                if end < start:  # a group without criteria scores nothing
                    _number(ws, row, column, 0.0, POINTS)
                    continue
                _formula(ws, row, column,
                         f"=IF($D{row}=0,0,$C{row}*SUM({points}!{letter}{start}:{letter}{end})"
                         f"/$D{row})", POINTS)
        _finish(ws, freeze="E2", widths={2: 36})

    def bids(self, ws: Worksheet) -> None:
        """Each bid as given, its rate, its amount in the base currency (a formula) and the
        points it earned; the columns `selector score --workbook` reads come first."""
        lang = self.lang
        head = [BIDS.header(k, lang) for k in ("vendor", "component", "amount", "currency",
                                                 "rate")]
        head += [f"{BIDS.header('amount_base', lang)} ({self.base})",
                 BIDS.header("points", lang)]
        _header(ws, head)
        rates = {self.base: Decimal(1), **self.result.input.rates}
        bids = self.result.input.bids
        for row, bid in enumerate(bids, start=2):
            _text(ws, row, 1, bid.vendor)
            _text(ws, row, 2, bid.component)
            _number(ws, row, 3, float(bid.amount), MONEY)
            _text(ws, row, 4, bid.currency)
            _number(ws, row, 5, float(rates.get(bid.currency, Decimal(0))), FIGURE)
            _formula(ws, row, 6, f"=C{row}*E{row}", MONEY)
            cell = self.result.cells.get((bid.vendor, bid.component))
            if cell is not None and cell.points is not None:
                _number(ws, row, 7, cell.points, POINTS)
        self.bid_rows = len(bids) + 1
        _finish(ws, freeze="A2", widths={})

    def summary(self, ws: Worksheet) -> None:
        """The ranking: group scores, total and rank as formulas; the bid total a formula
        over the Bids sheet; disqualified vendors last, with the reason and no rank."""
        groups_sheet, bids_sheet = _quoted(self.name["groups"]), _quoted(self.name["bids"])
        ranked_groups = [g for g in self.template.groups if g.weight > 0 and g.max_points > 0]
        has_bands = bool(self.template.bands)
        head = [self.h("rank"), self.h("vendor"), self.h("total")]
        if has_bands:
            head.append(self.h("band"))
        head.append(self.h("bid_total", base=self.base))
        head += [g.title.get(self.lang) for g in ranked_groups]
        head.append(self.h("disqualified"))
        _header(ws, head)
        total_col = 3
        bid_col = 5 if has_bands else 4
        first_group = bid_col + 1
        last_row = len(self.vendors) + 1
        totals = f"${get_column_letter(total_col)}$2:${get_column_letter(total_col)}${last_row}"
        bid_letter = get_column_letter(bid_col)
        bids_range = f"${bid_letter}$2:${bid_letter}${last_row}"
        dq = {d.vendor: d for d in self.result.disqualified}
        for row, vendor in enumerate(self.vendors, start=2):
            standing = self.result.vendors[vendor]
            _text(ws, row, 2, vendor)
            vendor_column = get_column_letter(5 + self.vendors.index(vendor))
            for offset, group in enumerate(ranked_groups):
                _formula(ws, row, first_group + offset,
                         f"={groups_sheet}!{vendor_column}{self.groups_rows[group.id]}", POINTS)
            _formula(ws, row, bid_col,
                     f"=ROUND(SUMIFS({bids_sheet}!$F$2:$F${max(self.bid_rows, 2)},"
                     f"{bids_sheet}!$A$2:$A${max(self.bid_rows, 2)},$B{row}),2)", MONEY)
            if vendor in dq:
                reason = dq[vendor]
                gate = self.template.criterion(reason.criterion)
                words = self.words["dq_consensus" if reason.by_consensus else "dq_reason"]
                _text(ws, row, first_group + len(ranked_groups), words.format(
                    gate=gate.title.get(self.lang) if gate else reason.criterion,
                    fails=reason.fails, of=reason.of, reason=_plain(reason.reason)))
                continue
            if ranked_groups:
                first = get_column_letter(first_group)
                last = get_column_letter(first_group + len(ranked_groups) - 1)
                _formula(ws, row, total_col, f"=ROUND(ROUND(SUM({first}{row}:{last}{row}),9),2)",
                         POINTS)
            else:
                _number(ws, row, total_col, 0.0, POINTS)
            total = f"${get_column_letter(total_col)}{row}"
            bid = f"${bid_letter}{row}"
            _formula(ws, row, 1, f"=1+SUMPRODUCT(ISNUMBER({totals})*({totals}>{total}))"
                     f"+SUMPRODUCT(ISNUMBER({totals})*({totals}={total})*({bids_range}<{bid}))",
                     RANK)
            if has_bands and standing.band is not None:
                _text(ws, row, 4, standing.band.label.get(self.lang))
        _finish(ws, freeze="C2", widths={2: 28, len(head): 48})

    # --- the inputs --------------------------------------------------------------------

    def entries(self, ws: Worksheet) -> None:
        """Every evaluator's input, its value in the workbook's language (满足, 通过 ...)."""
        lang = self.lang
        _header(ws, [ENTRIES.header(k, lang) for k, _ in ENTRIES.columns])
        criteria = {c.id: c for c in self.template.criteria()}
        for row, entry in enumerate(self.result.input.entries, start=2):
            criterion = criteria.get(entry.criterion)
            _text(ws, row, 1, self.people.get(entry.evaluator, entry.evaluator))
            _text(ws, row, 2, entry.vendor)
            _text(ws, row, 3, entry.criterion)
            _text(ws, row, 4, criterion.title.get(lang) if criterion else "")
            _value(ws, row, 5, criterion, entry.value, lang)
            _text(ws, row, 6, entry.comment or "")
        _finish(ws, freeze="A2", widths={4: 30, 6: 48})

    def consensus(self, ws: Worksheet) -> None:
        lang = self.lang
        _header(ws, [CONSENSUS.header(k, lang) for k, _ in CONSENSUS.columns])
        for row, agreed in enumerate(self.result.input.consensus, start=2):
            _text(ws, row, 1, agreed.vendor)
            _text(ws, row, 2, agreed.criterion)
            _value(ws, row, 3, self.template.criterion(agreed.criterion), agreed.value, lang)
            _text(ws, row, 4, agreed.reason)
        _finish(ws, freeze="A2", widths={4: 60})

    def rates(self, ws: Worksheet) -> None:
        _header(ws, [RATES.header("currency", self.lang), RATES.header("rate", self.lang)])
        for row, (currency, rate) in enumerate(sorted(self.result.input.rates.items()), 2):
            _text(ws, row, 1, currency)
            _number(ws, row, 2, float(rate), FIGURE)
        _finish(ws, freeze="A2", widths={2: 18})

    # --- what the committee reviewed, and how ------------------------------------------

    def flags(self, ws: Worksheet) -> None:
        # people by display name and no internal flag id (issue 10)
        _header(ws, [self.h(k) for k in ("flag_kind", "vendor", "criterion", "evaluator",
                                          "message", "review")])
        reviews = self.extras.get("flag_reviews") or {}
        for row, flag in enumerate(self.checks.flags, start=2):
            flag_id = str(_attr(flag, "id") or "")
            review = reviews.get(flag_id)
            if isinstance(review, list):
                review = " / ".join(_plain(_attr(r, "note") if not isinstance(r, str) else r)
                                    for r in review)
            elif review is not None and not isinstance(review, str):
                review = _attr(review, "note")
            sentence = getattr(flag, "sentence", None)
            message = sentence(self.people) if callable(sentence) else _attr(flag, "message")
            evaluator = _attr(flag, "evaluator") or ""
            values = (word("flag_kind", str(_attr(flag, "kind")), self.lang),
                      _attr(flag, "vendor") or "", _attr(flag, "criterion") or "",
                      self.people.get(evaluator, evaluator),
                      message.get(self.lang) if isinstance(message, Text) else str(message or ""),
                      str(review or ""))
            for column, value in enumerate(values, start=1):
                _text(ws, row, column, str(value))
        _finish(ws, freeze="A2", widths={5: 70, 6: 40})

    def method(self, ws: Worksheet) -> None:
        """The settings (`method` and `base_currency` are read back by --workbook), the
        rounding and tie rules, and every criterion's rule in words."""
        words, lang, inp = self.words, self.lang, self.result.input
        _header(ws, [METHOD.header(k, lang) for k, _ in METHOD.columns])
        rows: list[tuple[str, str, str]] = [
            ("template", self.template.id, self.template.title.get(lang)),
            ("method", inp.method, words[f"method_{inp.method}"]),
            ("base_currency", inp.base_currency, ""),
            ("rounding", "ROUND(ROUND(x, 9), 2)", words["rounding_rule"]),
            ("tie_break", "", words["tie_break_rule"]),
            ("group_formula", "", words["group_formula"]),
            ("consensus", str(len(inp.consensus)), words["consensus_rule"]),
            ("fingerprint", str(self.extras.get("fingerprint") or fingerprint(inp)),
             words["fingerprint_note"]),
        ]
        rows += [(f"rule:{c.id}", c.kind, rule_words(c, lang)) for c in self.template.criteria()]
        for row, cells in enumerate(rows, start=2):
            for column, value in enumerate(cells, start=1):
                _text(ws, row, column, value)
        _finish(ws, freeze="A2", widths={2: 24, 3: 90})


# --- cells ---------------------------------------------------------------------------------


def _header(ws: Worksheet, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = _text(ws, 1, column, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _text(ws: Worksheet, row: int, column: int, value: str) -> Any:
    """A text cell: always a string, never a formula (a formula-like text gets a `'`)."""
    cell = ws.cell(row=row, column=column)
    cell.value = neutralise(value)
    cell.data_type = "s"
    return cell


def _number(ws: Worksheet, row: int, column: int, value: float, number_format: str) -> Any:
    cell = ws.cell(row=row, column=column, value=float(value))
    cell.number_format = number_format
    return cell


def _formula(ws: Worksheet, row: int, column: int, formula: str, number_format: str) -> Any:
    """A formula this module built from cell references and numbers (never user text)."""
    cell = ws.cell(row=row, column=column, value=formula)
    cell.number_format = number_format
    return cell


def _value(ws: Worksheet, row: int, column: int, criterion: Criterion | None,
           value: str | Decimal, lang: str) -> None:
    """An entry's value: a number for `scale`, else the choice in `lang` (部分满足, 通过)."""
    if isinstance(value, Decimal):
        _number(ws, row, column, float(value), "0.##")
        return
    _text(ws, row, column, values.label(criterion, value).get(lang))


def _plain(value: Any) -> str:
    return " ".join(str(value or "").split())


def _attr(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _finish(ws: Worksheet, *, freeze: str, widths: Mapping[int, int],
            filter_rows: int | None = None) -> None:
    """Frozen header, an autofilter over the table, column widths fitted to the content
    (capped; `widths` caps particular columns lower), and pages one sheet wide."""
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"  # printed: the header on every page, as wide as the page
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    last_row = filter_rows or ws.max_row
    if ws.max_column and last_row >= 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{max(last_row, 1)}"
    fitted: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            if cell.data_type == "s":
                width = max(_width(line) for line in str(cell.value).splitlines() or [""])
            elif cell.data_type == "f":
                width = 12
            else:
                width = len(f"{cell.value:,.2f}") if isinstance(cell.value, float) else 8
            fitted[cell.column] = max(fitted.get(cell.column, 0), width)
    for column, width in fitted.items():
        cap = widths.get(column, MAX_WIDTH)
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), cap)


def formula_cells(data: bytes) -> Iterable[tuple[str, str, str]]:
    """(sheet, cell, formula) of every formula in a workbook: what the tests inspect."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    yield ws.title, cell.coordinate, str(cell.value)
