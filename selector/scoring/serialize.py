"""The result as JSON (the `selector score --json` contract) and the input's fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import Any

from selector.scoring.checks import DecisionChecks, Flag
from selector.scoring.model import EvaluationInput, Result, Template
from selector.scoring.numbers import plain, round_number
from selector.scoring.sensitivity import Sensitivity, sensitivity_to_json


def display(value: float | Decimal | None) -> float | None:
    """A number for the JSON: `numbers.round_number` (half-up to 2 decimals), None kept."""
    return None if value is None else round_number(value)


def result_to_json(
    result: Result,
    checks: DecisionChecks | None = None,
    input_fingerprint: str | None = None,
) -> dict[str, Any]:
    """The result and its decision checks in the shape `selector score --json` prints and
    the web API returns.

    Keys may be added, none renamed: template, method, currency, ranking (rank order),
    disqualified, points, fingerprint, flags and sensitivity (`[]` and None without
    `checks`). `input_fingerprint` is `fingerprint(result.input)` where the caller has it
    already.
    """
    inp = result.input
    points: dict[str, dict[str, float | None]] = {}
    for vendor in sorted(inp.vendors):
        points[vendor] = {
            criterion.id: display(result.cells[(vendor, criterion.id)].points)
            for criterion in inp.template.criteria()
            if not criterion.is_gate and (vendor, criterion.id) in result.cells
        }
    payload: dict[str, Any] = {
        "template": inp.template.id,
        "method": inp.method,
        "currency": inp.base_currency,
        "ranking": [
            {
                "rank": r.rank,
                "vendor": r.vendor,
                "total": display(r.total),
                "band": r.band.key if r.band else None,
                "groups": {group: display(score) for group, score in r.groups.items()},
                "bid_total": str(r.bid_total),
            }
            for r in result.ranking
        ],
        "disqualified": [
            {
                "vendor": d.vendor,
                "criterion": d.criterion,
                "fails": d.fails,
                "of": d.of,
                "by_consensus": d.by_consensus,
                "reason": d.reason,
            }
            for d in result.disqualified
        ],
        "points": points,
        "fingerprint": input_fingerprint or fingerprint(inp),
        "flags": [] if checks is None else [flag.to_json() for flag in checks.flags],
        "sensitivity": None if checks is None else sensitivity_to_json(checks.sensitivity),
    }
    return payload


def result_json_text(
    result: Result, input_fingerprint: str, flags: Iterable[str], sensitivity: str
) -> str:
    """`result_to_json` as compact JSON text (what `selector score --json` prints), from
    parts made apart: `flags`, the `flags_json_text` of each kind of flag in the order
    `decision_checks` lists them, and `sensitivity`, the `sensitivity_json_text`. The same
    text as `json.dumps` of the whole payload (tests/unit/test_json_text.py)."""
    return joined_json_text(result_head_text(result, input_fingerprint), flags, sensitivity)


def result_head_text(result: Result, input_fingerprint: str) -> str:
    """The JSON text of `result_to_json` up to its flags (the last two keys): the part of
    `result_json_text` that needs no decision check."""
    payload = result_to_json(result, None, input_fingerprint)
    del payload["flags"], payload["sensitivity"]
    return _dumps(payload)


def joined_json_text(head: str, flags: Iterable[str], sensitivity: str) -> str:
    """`result_json_text` from its `result_head_text`."""
    listed = ",".join(part for part in flags if part)
    return f'{head[:-1]},"flags":[{listed}],"sensitivity":{sensitivity}}}'


def flags_json_text(flags: Iterable[Flag]) -> str:
    """The flags' `to_json` as compact JSON, comma-separated, without the brackets."""
    return _dumps([flag.to_json() for flag in flags])[1:-1]


def sensitivity_json_text(sensitivity: Sensitivity) -> str:
    """`sensitivity_to_json` as compact JSON."""
    return _dumps(sensitivity_to_json(sensitivity))


def _num(value: object) -> str:
    """A number or a choice key as canonical text: 100, 100.0 and 100.00 read alike."""
    return plain(value) if isinstance(value, Decimal | int | float) else str(value)


def template_canonical(template: Template) -> dict[str, Any]:
    """Every field of the template that can change a score, as plain JSON values."""
    return {
        "id": template.id,
        "groups": [
            {
                "id": group.id,
                "weight": _num(group.weight),
                "criteria": [
                    {
                        "id": c.id,
                        "kind": c.kind,
                        "max": _num(c.max),
                        "partial": None if c.partial is None else _num(c.partial),
                        "step": None if c.step is None else _num(c.step),
                        "tiers": None if c.tiers is None else [_num(t) for t in c.tiers],
                        "levels": None
                        if c.levels is None
                        else [[lv.key, _num(lv.points)] for lv in c.levels],
                    }
                    for c in group.criteria
                ],
            }
            for group in template.groups
        ],
        "bands": [[b.key, _num(b.min)] for b in template.bands],
    }


def canonical_input(inp: EvaluationInput) -> dict[str, Any]:
    """The scoring input in a canonical form: order of rows, vendors and evaluators removed.

    Entries are [evaluator, vendor, criterion, value] sorted as tuples (evaluator, vendor and
    criterion are unique after validation, so values are never compared), numbers as text.
    """
    canonical = _canonical_head(inp)
    canonical["entries"] = [
        [evaluator, vendor, criterion, _num(value)]
        for evaluator, vendor, criterion, value, _ in sorted(inp.entries)
    ]
    return canonical


def _canonical_head(inp: EvaluationInput) -> dict[str, Any]:
    """The canonical input, with `entries` left None (a placeholder that keeps the order)."""
    return {
        "template": template_canonical(inp.template),
        "method": inp.method,
        "base_currency": inp.base_currency,
        "rates": sorted([currency, _num(rate)] for currency, rate in inp.rates.items()),
        "vendors": sorted(inp.vendors),
        "bids": sorted([b.vendor, b.component, _num(b.amount), b.currency] for b in inp.bids),
        "entries": None,
        "consensus": sorted(
            [c.vendor, c.criterion, _num(c.value), c.reason] for c in inp.consensus
        ),
    }


_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def canonical_json(inp: EvaluationInput) -> str:
    """`canonical_input` as compact JSON, exactly as `json.dumps` writes it, made fast.

    A tender may hold a million entries that repeat a few dozen names and values: each
    distinct one is written as JSON once, and the rows are joined from those texts in C.
    """
    entries = sorted(inp.entries)
    columns = [list(map(itemgetter(i), entries)) for i in range(4)]
    spelled: dict[object, str] = {}
    for column in columns:
        for value in set(column):
            spelled[value] = _dumps(value if isinstance(value, str) else _num(value))
    spell = spelled.__getitem__
    rows = map(",".join, zip(*(map(spell, column) for column in columns), strict=True))
    entries_json = "[[" + "],[".join(rows) + "]]" if entries else "[]"
    return (
        "{"
        + ",".join(
            f"{_dumps(key)}:{entries_json if key == 'entries' else _dumps(value)}"
            for key, value in _canonical_head(inp).items()
        )
        + "}"
    )


def fingerprint(inp: EvaluationInput) -> str:
    """SHA-256 of the canonical scoring input: the same data gives the same fingerprint."""
    return hashlib.sha256(canonical_json(inp).encode("utf-8")).hexdigest()
