"""Small builders for scoring tests: templates and inputs straight from the model."""

from __future__ import annotations

from decimal import Decimal

from selector.scoring.model import (
    Band,
    Bid,
    Criterion,
    Entry,
    EvaluationInput,
    Group,
    Level,
    Template,
    Text,
)


def text(value: str) -> Text:
    return Text(zh=value, en=value)


def crit(cid: str, kind: str = "tiered", maximum: float | int = 5, **fields: object) -> Criterion:
    converted = {
        key: (
            tuple(Decimal(str(v)) for v in value)
            if key == "tiers"
            else Decimal(str(value))
            if key in ("partial", "step")
            else value
        )
        for key, value in fields.items()
    }
    return Criterion(cid, kind, Decimal(str(maximum)), text(cid), **converted)  # type: ignore[arg-type]


def group(gid: str, weight: float | int, *criteria: Criterion) -> Group:
    return Group(gid, text(gid), Decimal(str(weight)), tuple(criteria))


def template(*groups: Group, bands: tuple[Band, ...] = ()) -> Template:
    return Template("test", text("test"), tuple(groups), bands=bands)


def grade_levels(*pairs: tuple[str, float]) -> tuple[Level, ...]:
    return tuple(Level(key, Decimal(str(points)), text(key)) for key, points in pairs)


def bids(component: str, **amounts: float | int | str) -> tuple[Bid, ...]:
    return tuple(Bid(v, component, Decimal(str(a)), "CNY") for v, a in amounts.items())


def make_input(
    tmpl: Template,
    entries: list[Entry] | tuple[Entry, ...],
    *,
    vendors: tuple[str, ...] | None = None,
    **fields: object,
) -> EvaluationInput:
    entries = tuple(entries)
    bid_rows = tuple(fields.pop("bids", ()))  # type: ignore[arg-type]
    if vendors is None:
        vendors = tuple(dict.fromkeys([e.vendor for e in entries] + [b.vendor for b in bid_rows]))
    return EvaluationInput(tmpl, vendors, entries, bid_rows, **fields)  # type: ignore[arg-type]
