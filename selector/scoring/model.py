"""The scoring model: frozen values that describe a tender template, its inputs and its result.

Nothing here knows about Flask, SQLAlchemy or files. The loader (`selector.files.criteria`) builds a
`Template`; the CLI and the web application build an `EvaluationInput`; `engine.evaluate`
returns a `Result`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal, NamedTuple

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

RuleKind = Literal["tiered", "binary", "scale", "grade", "price_rank", "price_ratio", "gate"]
RULE_KINDS: tuple[RuleKind, ...] = (
    "tiered",
    "binary",
    "scale",
    "grade",
    "price_rank",
    "price_ratio",
    "gate",
)
PRICE_KINDS: frozenset[str] = frozenset({"price_rank", "price_ratio"})
CHOICE_KINDS: frozenset[str] = frozenset({"tiered", "binary", "grade", "gate"})

Method = Literal["mean", "trimmed", "median"]
METHODS: tuple[Method, ...] = ("mean", "trimmed", "median")

DEFAULT_PARTIAL = Decimal(3)
DEFAULT_STEP = Decimal("0.5")
DEFAULT_DIVERGENCE = 0.4
DEFAULT_LOW_BID = 0.6


@dataclass(frozen=True)
class Text:
    """A text a person reads, in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_json(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


class ScoringError(ValueError):
    """Input the scoring rules cannot accept, one message per fault.

    `texts` holds each message in both languages; `problems` the English ones (what the
    command line prints by default and what callers compare against). Every message the
    scoring core and the readers raise is a `Text`; a plain string stands for both languages.
    """

    def __init__(self, problems: Iterable[str | Text] | str | Text) -> None:
        items = [problems] if isinstance(problems, str | Text) else list(problems)
        self.texts: list[Text] = [p if isinstance(p, Text) else Text(zh=p, en=p) for p in items]
        self.problems: list[str] = [t.en for t in self.texts]
        super().__init__("\n".join(self.problems))

    def in_language(self, lang: str) -> list[str]:
        """The messages in `lang` ("zh" or "en")."""
        return [t.get(lang) for t in self.texts]


@dataclass(frozen=True)
class Level:
    """One level of a `grade` criterion (e.g. excellent / 优) with its points and descriptor."""

    key: str
    points: Decimal
    label: Text
    descriptor: Text | None = None


@dataclass(frozen=True)
class Criterion:
    """One line of the tender sheet.

    `kind` says how points are given (see docs/contract.md §2). Kind-specific fields are None
    for the kinds that do not use them: `partial` (tiered), `step` (scale), `levels` (grade),
    `tiers` (price_rank). A gate has `max` 0. `source` is "seed" for an item of the source
    tender sheet and "added" for one the template filled in.
    """

    id: str
    kind: RuleKind
    max: Decimal
    title: Text
    description: Text | None = None
    partial: Decimal | None = None
    step: Decimal | None = None
    levels: tuple[Level, ...] | None = None
    tiers: tuple[Decimal, ...] | None = None
    source: str | None = None

    @property
    def is_price(self) -> bool:
        return self.kind in PRICE_KINDS

    @property
    def is_gate(self) -> bool:
        return self.kind == "gate"

    @property
    def is_scored_by_evaluators(self) -> bool:
        """True for every kind an evaluator enters (all but the price rules)."""
        return self.kind not in PRICE_KINDS

    def level(self, key: str) -> Level | None:
        for level in self.levels or ():
            if level.key == key:
                return level
        return None


@dataclass(frozen=True)
class Group:
    """A weighted group of criteria. `weight` is the effective percent of the total."""

    id: str
    title: Text
    weight: Decimal
    criteria: tuple[Criterion, ...]
    description: Text | None = None

    @cached_property  # read for every vendor of a large tender, and the group never changes
    def max_points(self) -> Decimal:
        return sum((c.max for c in self.criteria), Decimal(0))


@dataclass(frozen=True)
class Band:
    """A named band of totals: a vendor falls in the band with the highest `min` <= total."""

    key: str
    min: Decimal
    label: Text


@dataclass(frozen=True)
class Template:
    """A criteria template: groups of criteria with effective weights adding up to 100."""

    id: str
    title: Text
    groups: tuple[Group, ...]
    currency: str = "CNY"
    description: Text | None = None
    bands: tuple[Band, ...] = ()
    method_notes: Text | None = None

    def criteria(self) -> Iterator[Criterion]:
        for group in self.groups:
            yield from group.criteria

    def criterion(self, criterion_id: str) -> Criterion | None:
        for criterion in self.criteria():
            if criterion.id == criterion_id:
                return criterion
        return None

    def group_of(self, criterion_id: str) -> Group | None:
        for group in self.groups:
            if any(c.id == criterion_id for c in group.criteria):
                return group
        return None

    def price_criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria() if c.is_price)

    def band_for(self, total: Decimal) -> Band | None:
        chosen: Band | None = None
        for band in self.bands:
            if band.min <= total and (chosen is None or band.min > chosen.min):
                chosen = band
        return chosen


# --- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bid:
    """A vendor's amount for one price criterion (cost component), in `currency`."""

    vendor: str
    component: str
    amount: Decimal
    currency: str


class Entry(NamedTuple):
    """One evaluator's input on one cell (vendor × criterion).

    `value` is normalised: a choice key (`full`, `partial`, `none`, `yes`, `no`, `pass`,
    `fail`, or a grade level key) or, for `scale`, a Decimal. `values.read` turns what a
    person typed into it. A NamedTuple rather than a dataclass because a large tender
    holds a million of them: as immutable, and several times cheaper to build.
    """

    evaluator: str
    vendor: str
    criterion: str
    value: str | Decimal
    comment: str = ""


@dataclass(frozen=True)
class Consensus:
    """A value the chair recorded for a cell, with a reason; it overrides the aggregate."""

    vendor: str
    criterion: str
    value: str | Decimal
    reason: str


@dataclass(frozen=True)
class EvaluationInput:
    """Everything the scoring rules need, and nothing else.

    `rates` maps a currency to its value in `base_currency` (1 unit = rate units of base).
    `vendors` lists every bidding vendor (also those that turn out disqualified).
    """

    template: Template
    vendors: tuple[str, ...]
    entries: tuple[Entry, ...]
    bids: tuple[Bid, ...] = ()
    consensus: tuple[Consensus, ...] = ()
    method: Method = "mean"
    base_currency: str = "CNY"
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    divergence_threshold: float = DEFAULT_DIVERGENCE
    low_bid_threshold: float = DEFAULT_LOW_BID


# --- result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """The points of one vendor on one criterion and how they came about.

    `inputs` maps evaluator -> points for evaluator-scored kinds (empty for price rules).
    `aggregate` is the aggregated evaluator points (None for price rules and gates);
    `points` is what counts: the consensus value where there is one, else the aggregate, else
    the price rule's points. Gates have `points` None.
    """

    vendor: str
    criterion: str
    points: float | None
    aggregate: float | None
    inputs: Mapping[str, float]
    consensus: Consensus | None = None


@dataclass(frozen=True)
class Disqualification:
    """A vendor failed by a gate: `fails` of the `of` evaluators who scored it said fail."""

    vendor: str
    criterion: str
    fails: int
    of: int
    by_consensus: bool = False
    reason: str = ""


@dataclass(frozen=True)
class VendorResult:
    """One vendor's standing. `rank` and `total` are None for a disqualified vendor.

    `total_exact` is the unrounded sum of the group scores; `total` is it rounded half-up to
    2 decimals, once. `groups` holds unrounded group scores. `bid_total` is in base currency.
    """

    vendor: str
    rank: int | None
    total: Decimal | None
    total_exact: float
    groups: Mapping[str, float]
    bid_total: Decimal
    band: Band | None
    disqualification: Disqualification | None = None


@dataclass(frozen=True)
class Result:
    """The outcome of `engine.evaluate`: what every page, report and export reads.

    `ranking` lists the ranked vendors in rank order (shared ranks by vendor name);
    `disqualified` the vendors a gate removed; `cells[(vendor, criterion)]` every cell
    (for a gate, `inputs` holds 1.0 for each evaluator who said fail and 0.0 for pass);
    `base_amounts[(vendor, component)]` each bid in base currency. The fingerprint of the
    input is `serialize.fingerprint(result.input)`. The decision checks (flags and
    sensitivity) are not part of it: `checks.decision_checks(result)` computes them.
    """

    input: EvaluationInput
    ranking: tuple[VendorResult, ...]
    disqualified: tuple[Disqualification, ...]
    vendors: Mapping[str, VendorResult]
    cells: Mapping[tuple[str, str], Cell]
    base_amounts: Mapping[tuple[str, str], Decimal]

    @property
    def template(self) -> Template:
        return self.input.template

    @property
    def winner(self) -> str | None:
        return self.ranking[0].vendor if self.ranking else None

    def points(self, vendor: str, criterion: str) -> float | None:
        cell = self.cells.get((vendor, criterion))
        return None if cell is None else cell.points
