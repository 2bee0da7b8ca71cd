"""The CSV export: one sheet as CSV, from a scoring `Result` (the live workbook, with its
formulas, is `selector.reports.workbook`).

Sheets: Summary (the ranking), Groups, Criteria (the points matrix), Entries, Bids,
Consensus, Rates, Flags and Method. Entries, Bids, Consensus and Rates keep the column names
`selector score` reads, so a sheet saved as CSV goes straight back in and reproduces the
ranking and the totals.

Spreadsheets run formulas: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a
carriage return (or their full-width forms) would be one in Excel, so such a text is
prefixed with `'` (OWASP's advice for CSV injection; `selector.files.codec`, which also
reads it back). Numbers stay numbers.
An exporter returns `(filename, mimetype, bytes)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from selector.files.codec import neutralise
from selector.reports.context import criterion_codes, evaluator_names, rule_words
from selector.reports.labels import labels
from selector.scoring.checks import DecisionChecks, decision_checks
from selector.scoring.model import Result, Text
from selector.scoring.numbers import plain, round_number
from selector.scoring.serialize import display, fingerprint
from selector.scoring.words import word

CSV_MIME = "text/csv; charset=utf-8"
SHEETS = ("Summary", "Groups", "Criteria", "Entries", "Bids", "Consensus", "Rates", "Flags",
          "Method")


def _attr(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


# --- the sheets -------------------------------------------------------------------------------


def summary_sheet(result: Result, lang: str) -> pd.DataFrame:
    """Ranked vendors, then disqualified ones: rank, totals, band, bid, each group's score."""
    template = result.template
    groups = [g for g in template.groups if g.weight > 0 and g.max_points > 0]
    rows: list[dict[str, Any]] = []
    for r in result.ranking:
        row: dict[str, Any] = {
            "rank": r.rank,
            "vendor": r.vendor,
            "total": display(r.total),
            "band": r.band.label.get(lang) if r.band else "",
            f"bid_total_{result.input.base_currency}": round_number(r.bid_total),
            "disqualified": "",
        }
        for g in groups:
            row[f"{g.id} ({g.title.get(lang)}, {plain(g.weight)})"] = display(r.groups.get(g.id))
        rows.append(row)
    words = labels(lang)
    for d in result.disqualified:
        gate = template.criterion(d.criterion)
        reason = (words["dq_consensus"] if d.by_consensus else words["dq_reason"]).format(
            gate=gate.title.get(lang) if gate else d.criterion, fails=d.fails, of=d.of,
            reason=d.reason)
        rows.append({"rank": None, "vendor": d.vendor, "total": None, "band": "",
                     f"bid_total_{result.input.base_currency}":
                         round_number(result.vendors[d.vendor].bid_total),
                     "disqualified": reason})
    frame = pd.DataFrame(rows)
    return frame.astype({"rank": "Int64"}) if "rank" in frame.columns else frame


def groups_sheet(result: Result, lang: str) -> pd.DataFrame:
    """One row per vendor and group: points earned, max, weight and the weighted score."""
    rows = []
    order = [r.vendor for r in result.ranking] + [d.vendor for d in result.disqualified]
    for vendor in order:
        standing = result.vendors[vendor]
        for group in result.template.groups:
            earned = sum(
                (result.cells[(vendor, c.id)].points or 0.0)
                for c in group.criteria if (vendor, c.id) in result.cells
            )
            rows.append({
                "vendor": vendor,
                "group": group.id,
                "title": group.title.get(lang),
                "weight": float(group.weight),
                "points": display(earned),
                "max": float(group.max_points),
                "score": display(standing.groups.get(group.id)),
            })
    return pd.DataFrame(rows)


def criteria_sheet(result: Result, lang: str) -> pd.DataFrame:
    """The points matrix: one row per criterion, one column per vendor (rank order)."""
    codes = criterion_codes(result.template)
    order = [r.vendor for r in result.ranking] + [d.vendor for d in result.disqualified]
    rows = []
    for group in result.template.groups:
        for c in group.criteria:
            row: dict[str, Any] = {
                "code": codes[c.id], "group": group.id, "criterion": c.id,
                "title": c.title.get(lang), "kind": c.kind, "max": float(c.max),
            }
            for vendor in order:
                cell = result.cells.get((vendor, c.id))
                if cell is None:
                    row[vendor] = None
                elif c.is_gate:
                    fails = sum(1 for v in cell.inputs.values() if v >= 0.5)
                    row[vendor] = f"{fails}/{len(cell.inputs)} fail"
                else:
                    row[vendor] = display(cell.points)
            rows.append(row)
    return pd.DataFrame(rows)


def entries_sheet(
    result: Result, lang: str, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Every evaluator × vendor × criterion input with its comment (`selector score --scores`);
    evaluators by `names` (username -> display name, `context.evaluator_names`)."""
    entries = result.input.entries
    names = names or {}
    return pd.DataFrame({
        "evaluator": [names.get(e.evaluator, e.evaluator) for e in entries],
        "vendor": [e.vendor for e in entries],
        "criterion": [e.criterion for e in entries],
        "value": [_entry_value(e.value) for e in entries],
        "comment": [e.comment or "" for e in entries],
    })


def _entry_value(value: str | Decimal) -> str | float:
    if isinstance(value, Decimal):
        return float(value)
    return value


def bids_sheet(result: Result, lang: str) -> pd.DataFrame:
    """Each bid as given (`selector score --bids`), with the rate, base amount and points."""
    base = result.input.base_currency
    rates = {base: Decimal(1), **result.input.rates}
    rows = []
    for bid in result.input.bids:
        cell = result.cells.get((bid.vendor, bid.component))
        base_amount = result.base_amounts.get((bid.vendor, bid.component))
        rows.append({
            "vendor": bid.vendor,
            "component": bid.component,
            "amount": round_number(bid.amount),
            "currency": bid.currency,
            "rate": float(rates.get(bid.currency, Decimal(0))),
            f"amount_{base}": None if base_amount is None else round_number(base_amount),
            "points": None if cell is None else display(cell.points),
        })
    return pd.DataFrame(rows, columns=["vendor", "component", "amount", "currency", "rate",
                                       f"amount_{base}", "points"])


def consensus_sheet(result: Result, lang: str) -> pd.DataFrame:
    """The chair's consensus values (`selector score --consensus`)."""
    return pd.DataFrame(
        [{"vendor": c.vendor, "criterion": c.criterion, "value": _entry_value(c.value),
          "reason": c.reason} for c in result.input.consensus],
        columns=["vendor", "criterion", "value", "reason"],
    )


def rates_sheet(result: Result, lang: str) -> pd.DataFrame:
    """The exchange rates to the base currency (`selector score --rates`)."""
    return pd.DataFrame(
        [{"currency": c, "rate": float(r)} for c, r in sorted(result.input.rates.items())],
        columns=["currency", "rate"],
    )


def flags_sheet(
    checks: DecisionChecks,
    lang: str,
    reviews: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every flag the committee must review, with its explanation and review note; people by
    `names` (display names), no internal flag id (issue 10)."""
    reviews = reviews or {}
    names = names or {}
    rows = []
    for flag in checks.flags:
        sentence = getattr(flag, "sentence", None)
        message = sentence(names) if callable(sentence) else _attr(flag, "message")
        flag_id = str(_attr(flag, "id") or "")
        review = reviews.get(flag_id)
        if review is not None and not isinstance(review, str):
            review = _attr(review, "note")
        evaluator = _attr(flag, "evaluator") or ""
        rows.append({
            "kind": word("flag_kind", str(_attr(flag, "kind")), lang),
            "vendor": _attr(flag, "vendor") or "",
            "criterion": _attr(flag, "criterion") or "",
            "evaluator": names.get(evaluator, evaluator),
            "message": _in_lang(message, lang),
            "review": str(review or ""),
        })
    return pd.DataFrame(rows, columns=["kind", "vendor", "criterion", "evaluator", "message",
                                       "review"])


def method_sheet(result: Result, lang: str) -> pd.DataFrame:
    """How the totals were computed: the settings, then every criterion's rule in words."""
    words = labels(lang)
    inp = result.input
    template = result.template
    rows: list[dict[str, Any]] = [
        {"item": "template", "value": template.id, "detail": template.title.get(lang)},
        {"item": "method", "value": inp.method, "detail": words[f"method_{inp.method}"]},
        {"item": "consensus", "value": len(inp.consensus), "detail": words["consensus_rule"]},
        {"item": "base_currency", "value": inp.base_currency, "detail": ""},
        {"item": "rounding", "value": "half-up, 2 decimals, once",
         "detail": words["rounding_rule"]},
        {"item": "tie_break", "value": "total desc, bid asc, shared rank",
         "detail": words["tie_break_rule"]},
        {"item": "fingerprint", "value": fingerprint(inp), "detail": words["fingerprint_note"]},
    ]
    for group in template.groups:
        rows.append({"item": f"weight:{group.id}", "value": float(group.weight),
                     "detail": f"{group.title.get(lang)}; {words['max_points']} "
                               f"{plain(group.max_points)}. {words['group_formula']}"})
    for c in template.criteria():
        rows.append({"item": f"rule:{c.id}", "value": c.kind, "detail": rule_words(c, lang)})
    return pd.DataFrame(rows, columns=["item", "value", "detail"])


def _in_lang(text: Any, lang: str) -> str:
    if isinstance(text, Text):
        return text.get(lang)
    if isinstance(text, Mapping):
        return str(text.get(lang) or "")
    return "" if text is None else str(text)


BUILDERS: Mapping[str, Callable[[Result, str], pd.DataFrame]] = {
    "Summary": summary_sheet,
    "Groups": groups_sheet,
    "Criteria": criteria_sheet,
    "Entries": entries_sheet,
    "Bids": bids_sheet,
    "Consensus": consensus_sheet,
    "Rates": rates_sheet,
    "Method": method_sheet,
}  # and Flags, from the decision checks (`flags_sheet`)


def sheet(result: Result, name: str, lang: str = "en",
          extras: Mapping[str, Any] | None = None, *,
          checks: DecisionChecks | None = None) -> pd.DataFrame:
    """One sheet as a DataFrame with every text cell neutralised.

    `checks` are the result's decision checks where the caller has them; the Flags sheet
    computes them otherwise, and no other sheet needs them.
    """
    key = next((s for s in SHEETS if s.lower() == name.lower()), None)
    if key is None:
        raise ValueError(f"unknown sheet '{name}'; use one of {', '.join(SHEETS)}")
    if key == "Flags":
        checks = decision_checks(result) if checks is None else checks
        frame = flags_sheet(checks, lang, (extras or {}).get("flag_reviews"),
                            evaluator_names(extras or {}))
    elif key == "Entries":
        frame = entries_sheet(result, lang, evaluator_names(extras or {}))
    else:
        frame = BUILDERS[key](result, lang)
    return _neutralised(frame)


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [neutralise(str(c)) for c in frame.columns]
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(neutralise)
    return frame


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return slug[:60] or "tender"


def export_csv(
    result: Result, name: str, lang: str = "en", extras: Mapping[str, Any] | None = None, *,
    checks: DecisionChecks | None = None,
) -> tuple[str, str, bytes]:
    """One sheet as CSV in UTF-8 with a byte-order mark (so Excel shows Chinese). `checks`
    as for `sheet`."""
    frame = sheet(result, name, lang, extras, checks=checks)
    text = frame.to_csv(index=False, lineterminator="\r\n")
    base = _slug(str((extras or {}).get("title") or result.template.id))
    return f"{base}-{name.lower()}.csv", CSV_MIME, "\ufeff".encode() + text.encode("utf-8")
