"""What an evaluator sees of a finalised tender: the ranking, and their own inputs beside
the committee's points.

Blind scoring ends with finalising, but only so far: an evaluator sees the aggregate of each
cell (what counted: the consensus where the chair recorded one) and their own value, points
and comment — never another evaluator's individual inputs. Bid amounts, and the points of
price rules, only where `access.may_see_prices` allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from selector.scoring import values
from selector.scoring.model import Criterion, Text
from selector.services import access
from selector.services.results import try_result
from selector.services.templates import template_of
from selector.services.views import TenderHeading, tender_heading
from selector.store.models import User


@dataclass(frozen=True)
class OutcomeLine:
    """One criterion of one vendor: the committee's points and the evaluator's own input."""

    criterion: Criterion
    points: float | None  # what counted (None for a gate)
    consensus: bool
    own: Text | None  # the evaluator's value in the criterion's words (None: not scored)
    own_points: float | None
    comment: str


@dataclass(frozen=True)
class OutcomeVendor:
    """A vendor's standing (rank None when disqualified) and the lines of its criteria."""

    vendor: str
    rank: int | None
    total: Decimal | None
    band: Text | None
    groups: tuple[float | None, ...]  # in the order of `Outcome.groups`
    bid_total: Decimal | None  # None unless the evaluator may see prices
    disqualified: Text | None  # the gate's title when a gate removed it
    lines: tuple[OutcomeLine, ...]


@dataclass(frozen=True)
class Outcome:
    """The evaluator's outcome page; `problems` when the result cannot be computed."""

    tender: TenderHeading
    winner: str | None
    groups: tuple[tuple[Text, Decimal], ...]  # weighted groups (title, weight)
    vendors: tuple[OutcomeVendor, ...]
    prices: bool
    bands: bool
    problems: tuple[Text, ...] = ()


def evaluator_outcome(session: Session, tender_id: int, user: User) -> Outcome:
    """The outcome of a finalised tender for one of its evaluators (`access.outcome_tender`:
    NotFound or Forbidden otherwise)."""
    tender = access.outcome_tender(session, tender_id, user)
    heading = tender_heading(tender)
    template = template_of(tender)
    prices = access.may_see_prices(session, tender, user)
    weighted = [g for g in template.groups if g.weight > 0]
    groups = tuple((g.title, g.weight) for g in weighted)
    result, problems = try_result(session, tender.id)
    if result is None:
        return Outcome(heading, None, groups, (), prices, bool(template.bands), tuple(problems))
    own = {
        (e.vendor, e.criterion): e for e in result.input.entries if e.evaluator == user.username
    }
    shown = [
        c for c in template.criteria() if c.is_scored_by_evaluators or (prices and c.is_price)
    ]
    standings = [*result.ranking, *(result.vendors[d.vendor] for d in result.disqualified)]
    vendors = []
    for standing in standings:
        lines = []
        for criterion in shown:
            cell = result.cells.get((standing.vendor, criterion.id))
            entry = own.get((standing.vendor, criterion.id))
            own_points = cell.inputs.get(user.username) if cell and entry else None
            lines.append(
                OutcomeLine(
                    criterion,
                    cell.points if cell and not criterion.is_gate else None,
                    bool(cell and cell.consensus),
                    values.label(criterion, entry.value) if entry else None,
                    None if criterion.is_gate else own_points,
                    entry.comment if entry else "",
                )
            )
        gate = (
            template.criterion(standing.disqualification.criterion)
            if standing.disqualification
            else None
        )
        vendors.append(
            OutcomeVendor(
                standing.vendor,
                standing.rank,
                standing.total,
                standing.band.label if standing.band else None,
                tuple(standing.groups.get(g.id) for g in weighted),
                standing.bid_total if prices else None,
                gate.title if gate else None,
                tuple(lines),
            )
        )
    return Outcome(
        heading, result.winner, groups, tuple(vendors), prices, bool(template.bands)
    )
