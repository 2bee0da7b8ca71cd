"""Decision checks in the application: the flags with their review notes, the chair's review
of several flags at once, and the "what if" ranking under other group weights.

The numbers come from the scoring core (`selector.scoring.checks`, `.sensitivity`); this
module only loads rows, asks the core, and — for a review — stores the note and its audit
event in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from selector.scoring import engine
from selector.scoring.checks import DecisionChecks, Flag
from selector.scoring.limits import MAX_FLAGS_PER_NOTE
from selector.scoring.model import Result, ScoringError, Text
from selector.scoring.sensitivity import normalised_weights, reweighted
from selector.services import NotFound, ServiceError, written
from selector.services.moderation import cell_anchor, flag_anchor
from selector.services.results import (
    ReviewNote,
    checks_for,
    criterion_note_id,
    evaluator_names,
    notes_covering,
    result_for,
    reviews_by_flag,
)
from selector.services.uow import tender_change
from selector.store.models import FlagReview, TenderState, User

# Flags are reviewed in one state only; both review verbs refuse the others with this.
_REVIEW_REFUSAL = Text(
    zh="提示须在评分关闭后、定稿前复核。",
    en="Flags are reviewed after scoring is closed and before finalising.",
)

# --- the flags and their reviews ------------------------------------------------------------


@dataclass(frozen=True)
class FlagView:
    """A flag of the result with the review notes recorded on it (oldest first) and its
    sentence, evaluators by their display names."""

    flag: Flag
    reviews: tuple[ReviewNote, ...]
    sentence: Text

    @property
    def is_open(self) -> bool:
        return not self.reviews

    @property
    def anchor(self) -> str:
        """The flag's fragment on the decision-checks page (a refused finalise links it)."""
        return flag_anchor(self.flag)

    @property
    def cell_anchor(self) -> str:
        """A divergence flag's cell on the moderation page ("" for other kinds)."""
        flag = self.flag
        if flag.kind != "divergence" or flag.vendor is None or flag.criterion is None:
            return ""
        return cell_anchor(flag.vendor, flag.criterion)


@dataclass(frozen=True)
class FlagBoard:
    """Every flag of a tender's current result, most serious kind first, with its reviews.

    `stale_reviews` are notes on flags the current result no longer raises (the data changed
    since they were written); they are kept, and shown apart.
    """

    flags: tuple[FlagView, ...]
    stale_reviews: tuple[ReviewNote, ...]

    @property
    def open(self) -> tuple[FlagView, ...]:
        return tuple(view for view in self.flags if view.is_open)

    def divergence_by_criterion(self) -> list[tuple[str, list[FlagView]]]:
        """(criterion id, its non-decisive divergence flags), in the order the core lists
        them: what one note per criterion acknowledges."""
        groups: dict[str, list[FlagView]] = {}
        for view in self.flags:
            flag = view.flag
            if flag.kind == "divergence" and not flag.decisive and flag.criterion is not None:
                groups.setdefault(flag.criterion, []).append(view)
        return sorted(groups.items(), key=lambda item: self.flags.index(item[1][0]))

    def by_kind(self) -> list[tuple[str, list[FlagView]]]:
        """(kind, flags) in the order the core lists them."""
        groups: dict[str, list[FlagView]] = {}
        for view in self.flags:
            groups.setdefault(view.flag.kind, []).append(view)
        return list(groups.items())


def flag_board(
    session: Session,
    tender_id: int,
    flags: Iterable[Flag],
    names: Mapping[str, str] | None = None,
) -> FlagBoard:
    """The flags of the tender's current result with their review notes and sentences
    (`names`: evaluator id -> display name; the committee's when not given)."""
    flags = tuple(flags)
    names = evaluator_names(session, tender_id) if names is None else names
    reviews = reviews_by_flag(session, tender_id)
    covering = {flag.id: notes_covering(flag) for flag in flags}
    raised = {i for ids in covering.values() for i in ids}
    views = tuple(
        FlagView(
            flag,
            tuple(note for i in covering[flag.id] for note in reviews.get(i, ())),
            flag.sentence(names),
        )
        for flag in flags
    )
    stale = tuple(
        review for flag_id, notes in reviews.items() if flag_id not in raised for review in notes
    )
    return FlagBoard(views, stale)


@dataclass(frozen=True)
class TenderChecks:
    """What the decision-checks page shows: the result and its decision checks (None and
    the problems while the tender cannot be scored), the flags with their reviews, and the
    committee's display names by evaluator id."""

    result: Result | None
    checks: DecisionChecks | None
    problems: tuple[Text, ...]
    board: FlagBoard | None
    names: Mapping[str, str]


def tender_checks(session: Session, tender_id: int) -> TenderChecks:
    """The tender's current result, its decision checks and the flags' review notes (read
    only); each computed once."""
    names = evaluator_names(session, tender_id)
    try:
        result = result_for(session, tender_id)
    except ScoringError as error:
        return TenderChecks(None, None, tuple(error.texts), None, names)
    checks = checks_for(result)
    board = flag_board(session, tender_id, checks.flags, names)
    return TenderChecks(result, checks, (), board, names)


def _note(note: str | None) -> str:
    return written(
        note,
        field="note",
        what=Text(zh="说明", en="The note"),
        missing=Text(zh="请填写复核说明。", en="Write a review note."),
    )


def review_flags(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    flag_ids: Iterable[str],
    note: str,
    kinds: Iterable[str] = (),
    criteria: Iterable[str] = (),
) -> list[FlagReview]:
    """Record the chair's review note on one or more flags of the tender's current result.

    Inputs: the tender, the chair (`actor`), the ids of the flags the note answers and/or
    `kinds` (every flag of those kinds that has no note yet, except decisive divergence:
    each decisive cell is ticked on its own) and/or `criteria` (one note acknowledging the
    criterion's non-decisive divergence, kept under `criterion_note_id`), the note.
    Result: one `FlagReview` per flag (author and time recorded), and one `flag.review` audit
    event per flag in the same transaction. Errors: ServiceError for an empty or too long
    note or no flag chosen; NotFound for an id the current result does not raise; Forbidden
    for anyone but the tender's chair; ServiceError unless scoring is closed (flags are
    reviewed after closing and before finalising).
    """
    chosen = list(dict.fromkeys(i.strip() for i in flag_ids if i and i.strip()))
    kinds = {k for k in kinds if k}
    criteria = list(dict.fromkeys(c.strip() for c in criteria if c and c.strip()))
    if not chosen and not kinds and not criteria:
        raise ServiceError(
            Text(
                zh="请至少选择一个此说明所针对的提示。",
                en="Choose at least one flag that the note answers.",
            ),
            field="flag_ids",
        )
    note = _note(note)
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.CLOSED],
        refusal=_REVIEW_REFUSAL,
    ) as change:
        tender = change.tender
        try:
            flags = checks_for(result_for(session, tender.id)).flags
        except ScoringError:
            flags = ()
        raised = {flag.id for flag in flags}
        unknown = [i for i in chosen if i not in raised]
        if unknown:
            ids = ", ".join(unknown)
            raise NotFound(
                Text(
                    zh=f"本项目的结果中没有以下提示:{ids}",
                    en=f"There is no such flag on this tender's result: {ids}",
                )
            )
        acknowledged = {
            f.criterion for f in flags if f.kind == "divergence" and not f.decisive
        }
        unknown = [c for c in criteria if c not in acknowledged]
        if unknown:
            names = ", ".join(unknown)
            raise NotFound(
                Text(
                    zh=f"本项目的结果中以下评分项没有非决定性的评分分歧:{names}",
                    en=f"These criteria have no non-decisive divergence on this tender's "
                    f"result: {names}",
                )
            )
        chosen += [criterion_note_id(c) for c in criteria]
        if kinds:
            reviewed = set(reviews_by_flag(session, tender.id))
            chosen += [
                f.id
                for f in flags
                if f.kind in kinds
                and not (f.kind == "divergence" and f.decisive)
                and not any(i in reviewed for i in notes_covering(f))
                and f.id not in chosen
            ]
        if not chosen:
            raise ServiceError(
                Text(
                    zh="该类提示均已有复核说明。", en="Every flag of that kind has a note already."
                ),
                field="flag_ids",
            )
        if len(chosen) > MAX_FLAGS_PER_NOTE:
            raise ServiceError(
                Text(
                    zh=f"一条说明最多对应 {MAX_FLAGS_PER_NOTE} 个提示。",
                    en=f"Choose at most {MAX_FLAGS_PER_NOTE} flags for one note.",
                ),
                field="flag_ids",
            )
        reviews = []
        for flag_id in chosen:
            review = FlagReview(flag_id=flag_id, note=note, author_id=actor.id)
            tender.flag_reviews.append(review)
            reviews.append(review)
            change.audit("flag.review", flag=flag_id, note=note)
    return reviews


def review_flag(
    session: Session, tender_id: int, *, actor: User, flag_id: str, note: str
) -> FlagReview:
    """Record the chair's review note on a decision-check flag (scoring closed)."""
    note = _note(note)
    flag_id = (flag_id or "").strip()
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.CLOSED],
        refusal=_REVIEW_REFUSAL,
    ) as change:
        tender = change.tender
        try:
            known = {f.id for f in checks_for(result_for(session, tender.id)).flags}
        except ScoringError:
            known = set()
        if flag_id not in known:
            raise NotFound(
                Text(
                    zh="本项目的结果中没有该提示。",
                    en="There is no such flag on this tender's result.",
                )
            )
        review = FlagReview(flag_id=flag_id, note=note, author_id=actor.id)
        tender.flag_reviews.append(review)
        change.audit("flag.review", flag=flag_id, note=note)
    return review


# --- what if ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfRow:
    """One vendor under the tried weights, next to its standing in the result."""

    vendor: str
    rank: int | None
    total: Decimal | None
    current_rank: int | None
    current_total: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.total is None or self.current_total is None:
            return None
        return self.total - self.current_total


@dataclass(frozen=True)
class WhatIf:
    """The ranking under other group weights, computed by the core and never stored.

    `weights` are the weights used (percent, adding up to 100), `requested` what was asked
    for, `normalised` whether they had to be scaled to add up to 100, `anchor` the group
    that kept its weight while the others were rescaled (None: all were scaled alike).
    """

    current: Result
    tried: Result
    weights: Mapping[str, Decimal]
    requested: Mapping[str, Decimal]
    normalised: bool
    rows: tuple[WhatIfRow, ...]
    anchor: str | None = None

    @property
    def winner_changes(self) -> bool:
        return self.tried.winner != self.current.winner

    @property
    def is_current(self) -> bool:
        """True when the tried weights are the template's own."""
        return all(
            abs(self.weights[g.id] - g.weight) < Decimal("0.005")
            for g in self.current.template.groups
        )


def parse_weights(
    current: Mapping[str, Decimal], given: Mapping[str, str]
) -> tuple[dict[str, Decimal], list[str]]:
    """Weights from a form (`group id -> text`), each a number in 0–100; missing groups keep
    their current weight. Returns the weights and the problems (one per bad field)."""
    weights = dict(current)
    problems = []
    for group_id in current:
        raw = given.get(group_id)
        if raw is None or raw.strip() == "":
            continue
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0 or value > 100:
            problems.append(group_id)
            continue
        weights[group_id] = value
    return weights, problems


def scored(session: Session, tender_id: int) -> Result:
    """The tender's current result; ServiceError (with the problems) while it cannot be
    scored yet."""
    try:
        return result_for(session, tender_id)
    except ScoringError as error:
        raise ServiceError(
            Text(zh="该项目暂时无法计分。", en="The tender cannot be scored yet."),
            problems=error.texts,
        ) from None


def what_if(current: Result, weights: Mapping[str, str], *, anchor: str | None = None) -> WhatIf:
    """A tender's ranking under other group weights, from its current result (`scored`).
    Nothing is stored.

    `weights` maps group ids to what was typed (a number from 0 to 100); groups not given
    keep their weight. The weights are then made to add up to 100: with an `anchor` group
    (the one a person moved), it keeps its weight and the others are scaled in proportion to
    fill the rest — exactly how the break-evens are computed; without one, all are scaled in
    proportion. Raises ServiceError when a weight is not a number from 0 to 100, or every
    weight is 0.
    """
    template = current.template
    requested, bad = parse_weights({g.id: g.weight for g in template.groups}, weights)
    if bad:
        raise ServiceError(
            Text(zh="权重是 0 到 100 之间的数字。", en="A weight is a number from 0 to 100."),
            field="weights",
            problems=[f"{gid}: {weights.get(gid)}" for gid in bad],
        )
    used = _fill_to_100(requested, {g.id: g.weight for g in template.groups}, anchor)
    normalised = any(abs(used[g] - requested[g]) >= Decimal("0.005") for g in requested)
    if all(used[g.id] == g.weight for g in template.groups):
        tried = current  # the tender's own weights: the ranking is the current one
    else:
        tried = engine.evaluate(replace(current.input, template=reweighted(template, used)))
    before = current.vendors
    rows = tuple(
        WhatIfRow(r.vendor, r.rank, r.total, before[r.vendor].rank, before[r.vendor].total)
        for r in tried.ranking
    )
    kept = anchor if anchor in requested else None
    return WhatIf(current, tried, used, requested, normalised, rows, kept)


def _fill_to_100(
    requested: Mapping[str, Decimal], original: Mapping[str, Decimal], anchor: str | None
) -> dict[str, Decimal]:
    if anchor is not None and anchor in requested:
        kept = min(requested[anchor], Decimal(100))
        others = {g: w for g, w in requested.items() if g != anchor}
        if sum(others.values(), Decimal(0)) == 0:
            others = {g: original[g] for g in others}
        rest = sum(others.values(), Decimal(0))
        if rest > 0:
            return {anchor: kept} | {g: w * (100 - kept) / rest for g, w in others.items()}
        requested = {anchor: kept} | others
    if sum(requested.values(), Decimal(0)) == 0:
        raise ServiceError(
            Text(
                zh="请至少给一个分组设置大于 0 的权重。",
                en="Give at least one group a weight above 0.",
            ),
            field="weights",
        )
    return normalised_weights(requested)
