"""The moderation view (issue 10): for the chair, one criterion at a time, every cell's
evaluator inputs and comments side by side, its aggregate, spread and whether it is divergent
or decisive, and the consensus value the committee may record right there.

Read only: recording a consensus value is `services.consensus.record_consensus`. Evaluators
are shown by display name, never by login; no internal id is shown (the page's anchors are
short hashes, `anchor`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from selector.scoring import values
from selector.scoring.checks import Flag, decision_checks
from selector.scoring.model import Criterion, ScoringError, Text
from selector.scoring.numbers import figure
from selector.services.documents import Evidence, cell_references
from selector.services.results import _tender, evaluator_names, result_for
from selector.services.templates import template_of


def anchor(*parts: str) -> str:
    """A stable fragment id for a page element named by `parts` (a cell: vendor and
    criterion; a flag: its id), that shows no name and no internal id."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False)
    return "m" + digest.hexdigest()[:10]


def cell_anchor(vendor: str, criterion: str) -> str:
    """The fragment of a cell on the moderation page."""
    return anchor("cell", vendor, criterion)


def flag_anchor(flag: Flag) -> str:
    """The fragment of a flag on the decision-checks page."""
    return anchor("flag", flag.id)


@dataclass(frozen=True)
class InputLine:
    """One evaluator's input on a cell: their display name, the value in the criterion's
    words, the points it earns and their comment."""

    evaluator: str
    value: Text
    points: str
    comment: str
    cited: Evidence | None = None  # the vendor's document (and page) the comment cites


@dataclass(frozen=True)
class CellView:
    """One vendor on the chosen criterion."""

    vendor_id: int
    vendor: str
    anchor: str
    inputs: tuple[InputLine, ...]
    aggregate: str  # "" where nobody scored it
    spread: str  # "" with fewer than two inputs
    divergent: bool
    decisive: bool
    consensus: Text | None  # the recorded value in the criterion's words
    consensus_value: str  # its key ("" without one): the select starts there
    consensus_reason: str


@dataclass(frozen=True)
class CriterionLine:
    """One criterion in the page's index: how many cells, divergent, decisive, agreed."""

    key: str
    title: Text
    cells: int
    divergent: int
    decisive: int
    agreed: int


@dataclass(frozen=True)
class Moderation:
    """The moderation page: the criteria index and the chosen criterion's cells, with the
    values a consensus may take (key, label). `problems` while the tender cannot be scored."""

    criteria: tuple[CriterionLine, ...]
    criterion: str  # the chosen criterion's key ("" when there is none)
    title: Text
    maximum: str
    threshold: str
    cells: tuple[CellView, ...]
    choices: tuple[tuple[str, Text], ...]
    problems: tuple[Text, ...] = ()


def consensus_choices(criterion: Criterion) -> tuple[tuple[str, Text], ...]:
    """The values a consensus on `criterion` may take, as the select offers them: a choice
    criterion's options (best first), a scale's steps from its max down to 0."""
    if criterion.kind == "scale":
        step = values.step(criterion)
        count = int(criterion.max / step) if step > 0 else 0
        steps = [criterion.max - k * step for k in range(count + 1)]
        if steps and steps[-1] != 0:
            steps.append(Decimal(0))
        return tuple((values.as_text(s), values.label(criterion, s)) for s in steps)
    return tuple((o.key, o.label) for o in values.options(criterion))


def moderation(session: Session, tender_id: int, criterion_key: str | None = None) -> Moderation:
    """The moderation page of a tender for one criterion (`criterion_key`; by default the
    first with decisive divergence, else the first divergent, else the first).

    Raises NotFound for an unknown tender; a tender that cannot be scored yet comes back
    with its `problems` and no cells.
    """
    tender = _tender(session, tender_id)
    template = template_of(tender)
    scored = [c for c in template.criteria() if c.is_scored_by_evaluators]
    names = evaluator_names(session, tender_id)
    try:
        result = result_for(session, tender_id)
    except ScoringError as error:
        lines = tuple(CriterionLine(c.id, c.title, 0, 0, 0, 0) for c in scored)
        chosen = next((c for c in scored if c.id == criterion_key), scored[0] if scored else None)
        return Moderation(
            lines,
            chosen.id if chosen else "",
            chosen.title if chosen else Text("", ""),
            figure(chosen.max) if chosen else "",
            "",
            (),
            consensus_choices(chosen) if chosen else (),
            tuple(error.texts),
        )
    flags = {
        (f.vendor, f.criterion): f for f in decision_checks(result).flags if f.kind == "divergence"
    }
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (vendor, criterion), cell in result.cells.items():
        if not cell.inputs and cell.consensus is None:
            continue
        row = counts[criterion]
        row[0] += 1
        flag = flags.get((vendor, criterion))
        row[1] += flag is not None
        row[2] += flag is not None and flag.decisive
        row[3] += cell.consensus is not None
    lines = tuple(CriterionLine(c.id, c.title, *counts[c.id]) for c in scored)
    chosen = next((c for c in scored if c.id == criterion_key), None)
    if chosen is None:
        first = next((line for line in lines if line.decisive), None)
        first = first or next((line for line in lines if line.divergent), None)
        key = first.key if first else (scored[0].id if scored else "")
        chosen = next((c for c in scored if c.id == key), None)
    if chosen is None:
        return Moderation(lines, "", Text("", ""), "", "", (), ())
    comments = {
        (e.vendor, e.evaluator): e.comment
        for e in result.input.entries
        if e.criterion == chosen.id
    }
    given = {
        (e.vendor, e.evaluator): e.value for e in result.input.entries if e.criterion == chosen.id
    }
    cells = []
    cited = cell_references(session, tender_id)
    for vendor in tender.vendors:
        cell = result.cells.get((vendor.name, chosen.id))
        inputs = cell.inputs if cell is not None else {}
        agreed = cell.consensus if cell is not None else None
        flag = flags.get((vendor.name, chosen.id))
        ordered = sorted(inputs.items(), key=lambda item: names.get(item[0], item[0]))
        spread = max(inputs.values()) - min(inputs.values()) if len(inputs) > 1 else None
        aggregate = cell.aggregate if cell is not None else None
        cells.append(
            CellView(
                vendor_id=vendor.id,
                vendor=vendor.name,
                anchor=cell_anchor(vendor.name, chosen.id),
                inputs=tuple(
                    InputLine(
                        names.get(evaluator, evaluator),
                        values.label(chosen, given.get((vendor.name, evaluator), "")),
                        figure(points),
                        comments.get((vendor.name, evaluator), ""),
                        cited.get((vendor.name, chosen.id, evaluator)),
                    )
                    for evaluator, points in ordered
                ),
                aggregate="" if aggregate is None else figure(aggregate),
                spread="" if spread is None else figure(spread),
                divergent=flag is not None,
                decisive=flag is not None and flag.decisive,
                consensus=None if agreed is None else values.label(chosen, agreed.value),
                consensus_value="" if agreed is None else values.as_text(agreed.value),
                consensus_reason="" if agreed is None else agreed.reason,
            )
        )
    share = result.input.divergence_threshold
    return Moderation(
        lines,
        chosen.id,
        chosen.title,
        figure(chosen.max),
        figure(Decimal(str(share)) * chosen.max),
        tuple(cells),
        consensus_choices(chosen),
    )
