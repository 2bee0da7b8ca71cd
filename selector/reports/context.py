"""The report's plain context: what the PDF template shows, built from a scoring `Result`.

`build_context(result, lang, extras)` turns the result (and, from the database, the tender's
name, organisation, state and committee) into frozen dataclasses of display strings. The
templates only lay these out; every number is formatted here, once, by
`selector.scoring.numbers` — the rounding and formatting the results page, the workbook and
`selector score` use — so that they agree (half-up, 2 decimals).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from operator import attrgetter
from typing import Any

from markupsafe import Markup

from selector.reports import charts, ledger
from selector.reports.labels import labels as labels_for
from selector.reports.ledger import (
    LINE_CELLS,
    PAIR_GAP,
    WIDE_CELLS,
    Column,
    Ledger,
    Part,
    make_ledger,
    width_for,
)
from selector.scoring.checks import DecisionChecks, decision_checks
from selector.scoring.model import Cell, Criterion, Group, Result, Template, Text
from selector.scoring.numbers import figure, money, plain, points, signed
from selector.scoring.serialize import fingerprint
from selector.scoring.values import label as value_label
from selector.scoring.words import word

TEXT_MIN = 32  # cells the free-text column of a ledger keeps at the least (16 ideographs)
MATRIX_MIN = 10  # cells of a vendor's matrix column: its name on one header line
NARROW_MIN = 8  # ... or on two, where that saves a chunk of vendors (a large tender)
TWO_UP_TEXT_MIN = 8  # cells of criterion title a two-up inputs line keeps at the least
GATE_MARK = {"pass": "○", "fail": "×"}
DIVERGENCE_LISTED = 60  # more divergence flags than this are counted, not spelled out
# More ranked vendors than this and the summary's ranking is a ledger (a line of text per
# vendor) rather than a table: 50 vendors' table cells cost WeasyPrint a quarter second.
RANKING_TABLE_MAX = 20
# More vendors than this and the stability page lists only the bidders whose leaving out
# changes the winner, then says that leaving out any other keeps it.
BIDDERS_LISTED = 20


def _points(value: float | Decimal | None) -> str:
    """Points as the report shows them (`numbers.points`: 2 decimals), blank for none."""
    return "" if value is None else points(value)


_MISSING = object()


def _attr(item: Any, name: str, default: Any = None) -> Any:
    """A field of a dataclass or a key of a dict: flags and sensitivity come as either.

    The attribute is tried first: a large tender's thousands of flags are dataclasses, and
    an isinstance test against the Mapping ABC costs more than the lookup."""
    value = getattr(item, name, _MISSING)
    if value is not _MISSING:
        return value
    if isinstance(item, Mapping):
        return item.get(name, default)
    return default


def _text(value: Any, lang: str) -> str:
    """A `Text`, a {"zh", "en"} mapping or a plain string, in `lang`."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or "")
    return str(value)


# --- the context ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A committee member as the cover and the sign-off page show them."""

    name: str
    role: str = ""
    submitted_at: str = ""
    conflict: str = ""
    signoff: str = ""  # the sign-off recorded in the app: approval, dissent, absence, awaiting
    signed_at: str = ""


@dataclass(frozen=True)
class RankRow:
    rank: str
    vendor: str
    total: str
    groups: tuple[str, ...]
    bid_total: str
    band: str


@dataclass(frozen=True)
class DisqualifiedRow:
    vendor: str
    reason: str
    bid_total: str


@dataclass(frozen=True)
class GroupHead:
    id: str
    code: str
    title: str
    weight: str
    max_points: str
    description: str = ""


@dataclass(frozen=True)
class FlagRow:
    id: str
    kind: str
    message: str
    review: str


@dataclass(frozen=True)
class BreakEven:
    group: str
    change: str
    new_winner: str


@dataclass(frozen=True)
class LeaveOneOut:
    left_out: str
    winner: str
    changed: bool


@dataclass(frozen=True)
class Stability:
    """The one-page stability summary (issue 3): whatever the core computed, honestly."""

    margin: str
    weights: tuple[BreakEven, ...]
    without_evaluator: tuple[LeaveOneOut, ...]
    without_bidder: tuple[LeaveOneOut, ...]
    flags: tuple[FlagRow, ...]
    flag_counts: tuple[tuple[str, int], ...] = ()
    flag_blocks: tuple[str, ...] = ()
    # many bidders: `without_bidder` lists those whose leaving out changes the winner, and
    # this sentence says that leaving out any other keeps it
    without_bidder_rest: str = ""


@dataclass(frozen=True)
class RuleText:
    ref: str
    kind: str
    words: str
    codes: str


@dataclass(frozen=True)
class ReportContext:
    """Everything `templates/reports/report.html` shows, as display strings."""

    lang: str
    labels: Mapping[str, str]
    title: str
    organisation: str
    date: str
    finalised: bool
    status: str
    template_title: str
    committee: tuple[Member, ...]
    chair: str
    fingerprint: str
    method: str
    currency: str
    groups: tuple[GroupHead, ...]
    ranking: tuple[RankRow, ...]
    disqualified: tuple[DisqualifiedRow, ...]
    margin_text: str
    chart: Markup
    stability: Stability
    evaluators: tuple[tuple[str, str], ...]
    matrices: tuple[Ledger, ...]
    inputs: Ledger | None  # the evidence ledger: only in the appendix
    wide: bool  # the detail section's ledgers are set on landscape pages
    prices: Ledger | None
    rates: tuple[tuple[str, str], ...]
    rules: tuple[RuleText, ...]
    aggregation: str
    worked: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = field(default=())
    kind: str = "report"  # "report": the decision; "appendix": the per-input evidence
    has_bands: bool = False
    consensus: tuple[tuple[str, str, str, str], ...] = ()  # vendor, code, value, reason
    ranking_ledger: Ledger | None = None  # the ranking as a ledger (many vendors), else None
    worked_ledger: Ledger | None = None  # the worked lines as a ledger (many vendors)
    audit_head: str = ""  # "#<events> <hash>" of the audit chain when the report was made
    # the bid documents, per vendor: (vendor, ((name, envelope, sha256, uploaded), ...))
    documents: tuple[tuple[str, tuple[tuple[str, str, str, str], ...]], ...] = ()
    chair_signoff: Member | None = None  # the chair's sign-off, last
    signoff_status: str = ""  # "Sign-off complete" or "Awaiting sign-off: …"
    prices_opened: str = ""  # when the chair opened the price envelope
    # each change of an opened bid or rate: when, who, what, before, after, reason
    price_changes: tuple[tuple[str, str, str, str, str, str], ...] = ()


# --- building it ------------------------------------------------------------------------------


def criterion_codes(template: Template) -> dict[str, str]:
    """criterion id -> "group.item" code, numbered in template order from 1.1."""
    return {
        criterion.id: f"{g}.{c}"
        for g, group in enumerate(template.groups, start=1)
        for c, criterion in enumerate(group.criteria, start=1)
    }


def evaluator_order(result: Result, extras: Mapping[str, Any]) -> tuple[str, ...]:
    """Evaluators (as the entries name them) in committee order, then by first entry.

    Committee members are matched on `username` where they have one, else on `name`.
    """
    seen: dict[str, None] = {}
    for member in extras.get("committee", ()) or ():
        key = str(_attr(member, "username", "") or _attr(member, "name", "") or "")
        if key:
            seen.setdefault(key)
    # in order of first entry, read in C (a large tender has 75,000 entries)
    present = dict.fromkeys(map(attrgetter("evaluator"), result.input.entries))
    for name in present:
        seen.setdefault(name)
    return tuple(name for name in seen if name in present)


def _evaluator_names(extras: Mapping[str, Any]) -> dict[str, str]:
    """username -> how the report names the evaluator (`evaluator_names`)."""
    return evaluator_names(extras)


def evaluator_names(extras: Mapping[str, Any]) -> dict[str, str]:
    """username -> the evaluator's display name, as the PDF and the export name people
    (never the login, issue 10). Two members of the same name are told apart by a number,
    "Li Wei (2)", so that the export's Entries read back as the same evaluators; a username
    without a display name stays as it is."""
    names: dict[str, str] = {}
    taken: dict[str, int] = {}
    for member in extras.get("committee", ()) or ():
        username = str(_attr(member, "username", "") or "")
        name = str(_attr(member, "name", "") or "") or username
        if not username:
            continue
        taken[name] = taken.get(name, 0) + 1
        names[username] = name if taken[name] == 1 else f"{name} ({taken[name]})"
    return names


def build_context(
    result: Result,
    lang: str = "zh",
    extras: Mapping[str, Any] | None = None,
    *,
    checks: DecisionChecks | None = None,
    appendix: bool = False,
) -> ReportContext:
    """The report context for `result` in `lang`: the leadership report (the decision), or
    with `appendix` the per-input evidence ledger that is rendered on request.

    `extras` (all optional) come from the database or the command line: `title`,
    `organisation`, `date`, `finalised` (bool) or `state`, `committee` (items with `name`,
    `role`, `submitted_at`, `conflict`), `chair`, `flag_reviews` ({flag id: note}), `notes`.
    `checks` are the result's decision checks where the caller has them (else computed
    here: the report always shows them).
    """
    extras = dict(extras or {})
    checks = decision_checks(result) if checks is None else checks
    words = labels_for(lang)
    template = result.template
    codes = criterion_codes(template)
    evaluators = evaluator_order(result, extras)
    ranked_groups = [g for g in template.groups if g.weight > 0 and g.max_points > 0]
    group_heads = tuple(_group_head(g, i, lang) for i, g in enumerate(template.groups, 1))
    heads_by_id = {h.id: h for h in group_heads}
    vendor_order = [r.vendor for r in result.ranking] + [d.vendor for d in result.disqualified]
    currency = result.input.base_currency
    finalised = bool(extras.get("finalised")) or str(extras.get("state", "")) in (
        "finalised",
        "finalized",
        "final",
    )
    chair = extras.get("chair") or ""
    if not isinstance(chair, str):
        chair = str(_attr(chair, "name", "") or _attr(chair, "username", "") or "")
    date = extras.get("date") or (extras.get("finalised_at") if finalised else None)
    names = _evaluator_names(extras)
    ranking = tuple(
        RankRow(
            rank=str(r.rank),
            vendor=r.vendor,
            total=points(r.total),
            groups=tuple(points(r.groups.get(g.id, 0.0)) for g in ranked_groups),
            bid_total=money(r.bid_total),
            band=r.band.label.get(lang) if r.band else "",
        )
        for r in result.ranking
    )
    disqualified = tuple(
        DisqualifiedRow(d.vendor, _dq_reason(d, template, lang), money(
            result.vendors[d.vendor].bid_total))
        for d in result.disqualified
    )
    if appendix:
        inputs, wide = _inputs(result, checks, codes, evaluators, vendor_order, lang)
        matrices: tuple[Ledger, ...] = ()
    else:
        # the matrices go on landscape pages when the vendors do not fit a portrait line
        inputs = None
        matrices, wide = _matrices(result, group_heads, codes, vendor_order, lang)
    committee = tuple(_member(m, lang) for m in extras.get("committee", ()) or ())
    if not committee:
        committee = tuple(Member(name) for name in evaluators)
    committee, chair_signoff, signoff_status = _signoffs(committee, chair, extras, lang)
    return ReportContext(
        lang=lang,
        labels=words,
        title=str(extras.get("title") or extras.get("tender_name") or template.title.get(lang)),
        organisation=str(extras.get("organisation") or ""),
        date=_when(date)[:10] if date else dt.date.today().isoformat(),
        finalised=finalised,
        status=_status(extras, finalised, lang),
        template_title=template.title.get(lang),
        committee=committee,
        chair=chair,
        fingerprint=str(extras.get("fingerprint") or _fingerprint(result)),
        audit_head=_audit_head(extras.get("audit_head")),
        chair_signoff=chair_signoff,
        signoff_status=signoff_status,
        method=result.input.method,
        currency=currency,
        groups=tuple(heads_by_id[g.id] for g in ranked_groups),
        ranking=ranking,
        disqualified=disqualified,
        margin_text=_margin_text(result, words),
        chart=charts.stacked_bars(
            [(r.vendor, [r.groups.get(g.id, 0.0) for g in ranked_groups], points(r.total))
             for r in result.ranking],
            [g.title.get(lang) for g in ranked_groups],
        ),
        stability=_stability(result, checks, lang, extras.get("flag_reviews") or {}, codes,
                             {e: i for i, e in enumerate(evaluators, start=1)}, names),
        evaluators=tuple((str(i), names.get(e, e)) for i, e in enumerate(evaluators, 1)),
        matrices=matrices,
        inputs=inputs,
        wide=wide,
        prices=_prices(result, codes, vendor_order, lang),
        rates=_rates(result),
        rules=_rules(template, codes, lang),
        aggregation=words[f"method_{result.input.method}"],
        worked=tuple(_worked_line(result, vendor, lang) for vendor in vendor_order),
        notes=tuple(str(n) for n in extras.get("notes", ()) or ()),
        kind="appendix" if appendix else "report",
        has_bands=bool(template.bands),
        consensus=tuple(_consensus_rows(result, codes, lang)),
        ranking_ledger=(_ranking_ledger(ranking, [heads_by_id[g.id] for g in ranked_groups],
                                        currency, bool(template.bands), lang)
                        if len(ranking) > RANKING_TABLE_MAX else None),
        documents=_documents(extras.get("documents") or (), vendor_order, words),
        worked_ledger=(_worked_ledger(result, vendor_order, heads_by_id, lang)
                       if len(vendor_order) > RANKING_TABLE_MAX else None),
        prices_opened=_when(extras.get("prices_opened_at")),
        price_changes=tuple(_price_change_rows(extras.get("price_changes") or (), template,
                                               codes, lang)),
    )


def _ranking_ledger(ranking: Sequence[RankRow], groups: Sequence[GroupHead], currency: str,
                    bands: bool, lang: str) -> Ledger:
    """The summary's ranking as a ledger: rank, total, each group's score (its column named
    by the group's number, the note names the groups and weights), total bid, band, and
    the vendor's name last (free text of any script ends a ledger line)."""
    words = labels_for(lang)
    rank_units = width_for((r.rank for r in ranking), ledger.cells(words["rank"]), gap=0)
    total_units = width_for((r.total for r in ranking), max(6, ledger.cells(words["total"])))
    group_units = [width_for((r.groups[i] for r in ranking), max(6, len(g.code)))
                   for i, g in enumerate(groups)]
    bid_label = f"{words['bid_total']} ({currency})"
    bid_units = width_for((r.bid_total for r in ranking), 12)
    band_units = width_for((r.band for r in ranking), ledger.cells(words["band"])) if bands else 0
    rows = []
    for r in ranking:
        fields = [(r.rank, rank_units), (r.total, total_units),
                  *zip(r.groups, group_units, strict=True), (r.bid_total, bid_units)]
        if bands:
            fields.append((r.band, band_units))
        rows.append(ledger.line(fields, r.vendor, align="<"))
    columns = [Column(words["rank"], rank_units, "<"), Column(words["total"], total_units),
               *(Column(g.code, units) for g, units in zip(groups, group_units, strict=True)),
               Column(bid_label, bid_units)]
    if bands:
        columns.append(Column(words["band"], band_units))
    note = " · ".join(f"{g.code} = {g.title} ({words['weight']} {g.weight})" for g in groups)
    return make_ledger(columns, words["vendor"], [Part("", ledger.blocks(rows, 25), note=note)])


def _documents(
    documents: Any, vendor_order: list[str], words: Mapping[str, str]
) -> tuple[tuple[str, tuple[tuple[str, str, str, str], ...]], ...]:
    """The bid documents by vendor (in the report's vendor order, then any other): name,
    envelope, SHA-256 and upload time, from plain items with those keys."""
    by_vendor: dict[str, list[tuple[str, str, str, str]]] = {}
    for item in documents:
        envelope = str(_attr(item, "envelope", "") or "")
        by_vendor.setdefault(str(_attr(item, "vendor", "")), []).append((
            str(_attr(item, "name", "")),
            words.get(f"envelope_{envelope}", envelope),
            str(_attr(item, "sha256", "")),
            _when(_attr(item, "uploaded_at")),
        ))
    order = [v for v in vendor_order if v in by_vendor] + [
        v for v in by_vendor if v not in vendor_order
    ]
    return tuple((vendor, tuple(by_vendor[vendor])) for vendor in order)


def _price_change_rows(changes: Sequence[Any], template: Template, codes: Mapping[str, str],
                       lang: str) -> list[tuple[str, str, str, str, str, str]]:
    """Each change of an opened bid or rate (`services.results.price_changes`, as dicts):
    when, who, what (vendor · component, or the rate's currency), before, after, reason."""
    words = labels_for(lang)
    rows = []
    for change in changes:
        kind = str(_attr(change, "kind", "bid"))
        currency = str(_attr(change, "currency", ""))
        before = _attr(change, "before")
        if kind == "rate":
            what = f"{words['rate_of']} {currency}"
            was = plain(before) if before is not None else ""
            now = plain(_attr(change, "after"))
        else:
            key = str(_attr(change, "component", ""))
            criterion = template.criterion(key)
            title = criterion.title.get(lang) if criterion else key
            what = f"{_attr(change, 'vendor', '')} · {codes.get(key, '')} {title}".replace(
                "  ", " ")
            was = (f"{money(before)} {_attr(change, 'before_currency', '')}".strip()
                   if before is not None else "")
            now = f"{money(_attr(change, 'after'))} {currency}".strip()
        rows.append((_when(_attr(change, "at")), str(_attr(change, "by", "")), what, was, now,
                     " ".join(str(_attr(change, "reason", "")).split())))
    return rows


def _consensus_rows(result: Result, codes: Mapping[str, str], lang: str
                    ) -> list[tuple[str, str, str, str]]:
    """Each consensus value the chair recorded: vendor, criterion code and title, the value
    in the criterion's words, the reason."""
    rows = []
    for agreed in result.input.consensus:
        criterion = result.template.criterion(agreed.criterion)
        title = criterion.title.get(lang) if criterion else agreed.criterion
        value = value_label(criterion, agreed.value).get(lang)
        rows.append((agreed.vendor, f"{codes.get(agreed.criterion, '')} {title}".strip(),
                     value, " ".join(agreed.reason.split())))
    return rows


def _signoffs(
    committee: tuple[Member, ...], chair: str, extras: Mapping[str, Any], lang: str
) -> tuple[tuple[Member, ...], Member | None, str]:
    """The committee with each member's sign-off, the chair's, and the page's status line,
    from `extras["signoff"]` (`services.signers.report_facts`: members in committee order).

    Without sign-off facts (a report from files) the committee stays as it is."""
    facts = extras.get("signoff")
    if not isinstance(facts, Mapping):
        return committee, None, ""
    words = labels_for(lang)
    members = list(facts.get("members") or ())

    def said(fact: Mapping[str, Any]) -> tuple[str, str]:
        state = str(fact.get("state") or "awaiting")
        reason = " ".join(str(fact.get("reason") or "").split())
        text = {
            "approve": words["signoff_approved"],
            "dissent": words["signoff_dissent"].format(reason=reason),
            "absent": words["signoff_absent"].format(reason=reason,
                                                     by=fact.get("recorded_by") or ""),
        }.get(state, words["signoff_awaiting_one"])
        at = _when(fact.get("at")) if state != "awaiting" else ""
        return text, f"{at} UTC" if at else ""

    signed = []
    for index, member in enumerate(committee):
        fact = members[index] if index < len(members) else None
        if fact is None:
            signed.append(member)
            continue
        text, at = said(fact)
        signed.append(replace(member, signoff=text, signed_at=at))
    chair_fact = facts.get("chair") or {}
    text, at = said(chair_fact)
    chair_member = Member(str(chair_fact.get("name") or chair), signoff=text, signed_at=at)
    awaiting = [str(m.get("name")) for m in members if m.get("state") == "awaiting"]
    if facts.get("complete"):
        status = words["signoff_complete"]
    elif not facts.get("open"):
        status = words["signoff_not_open"]
    else:
        names = awaiting or [chair_member.name]
        status = words["signoff_awaiting"].format(names=", ".join(names))
    return tuple(signed), chair_member, status


def _audit_head(head: Any) -> str:
    """The chain head fact (`{"seq": n, "hash": h}`) as printed on the sign-off page."""
    if not isinstance(head, Mapping) or not head.get("hash"):
        return ""
    return f"#{head.get('seq')} {head['hash']}"


def _fingerprint(result: Result) -> str:
    stored = getattr(result, "fingerprint", None)
    if stored:
        return str(stored)
    return fingerprint(result.input)


def _group_head(group: Group, index: int, lang: str) -> GroupHead:
    return GroupHead(
        id=group.id,
        code=str(index),
        title=group.title.get(lang),
        weight=plain(group.weight),
        max_points=plain(group.max_points),
        description=group.description.get(lang) if group.description else "",
    )


def _when(value: Any) -> str:
    """A datetime as the report prints it (minutes, no seconds); anything else as text."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _status(extras: Mapping[str, Any], finalised: bool, lang: str) -> str:
    """The tender's state by the name the web pages give it; "not finalised" unless it is."""
    if finalised:
        return word("tender_state", "finalised", lang)
    state = str(extras.get("state") or "draft")
    return word("tender_state", state, lang) + labels_for(lang)["not_final"]


def _submitted(member: Any, lang: str) -> str:
    """When a member's sheets went in: "Submitted 3/3 · 2026-11-30 10:00" (the sheet state's
    name, how many of the sheets expected, the latest submission), or "" when none did."""
    at = _when(_attr(member, "submitted_at"))
    done, expected = _attr(member, "sheets_submitted"), _attr(member, "sheets_expected")
    if done is None or expected is None:
        return at
    if not done:
        return ""
    counted = f"{word('sheet_state', 'submitted', lang)} {done}/{expected}"
    return f"{counted} · {at}" if at else counted


def _member(member: Any, lang: str) -> Member:
    """A committee member from the database's plain dict (or any object with the same keys).

    The conflict-of-interest text comes from `conflict` (a text), or from `conflicts` (the
    vendor names declared), `statement` and `declared_at` as `report_context_extras` gives.
    """
    words = labels_for(lang)
    conflict = _attr(member, "conflict")
    if conflict is None and (_attr(member, "declared_at") is not None
                             or _attr(member, "conflicts")):
        vendors = [str(v) for v in _attr(member, "conflicts") or ()]
        conflict = (words["conflict_with"].format(vendors=", ".join(vendors)) if vendors
                    else words["no_conflict"])
        statement = " ".join(str(_attr(member, "statement") or "").split())
        if statement:
            conflict += f" — {statement}"
        declared = _when(_attr(member, "declared_at"))
        if declared:
            conflict += f" ({declared})"
    elif conflict is False:
        conflict = words["no_conflict"]
    elif conflict is not None and not isinstance(conflict, str):
        conflict = _text(conflict, lang)
    name = str(_attr(member, "name", "") or _attr(member, "username", "") or "")
    role = _text(_attr(member, "role", ""), lang)
    return Member(
        name=name,
        role=word("role", role, lang) if role else "",
        submitted_at=_submitted(member, lang),
        conflict=str(conflict or ""),
    )


def _dq_reason(dq: Any, template: Template, lang: str) -> str:
    words = labels_for(lang)
    gate = template.criterion(dq.criterion)
    gate_title = gate.title.get(lang) if gate else dq.criterion
    if dq.by_consensus:
        return words["dq_consensus"].format(gate=gate_title, reason=dq.reason)
    return words["dq_reason"].format(gate=gate_title, fails=dq.fails, of=dq.of)


def _margin_text(result: Result, words: Mapping[str, str]) -> str:
    if not result.ranking:
        return words["no_ranking"]
    first = result.ranking[0]
    if len(result.ranking) == 1:
        return words["winner_alone"].format(winner=first.vendor)
    second = result.ranking[1]
    assert first.total is not None and second.total is not None
    margin = first.total - second.total
    if margin == 0:
        return words["tie_margin"].format(winner=first.vendor, runner_up=second.vendor)
    return words["winner_margin"].format(
        winner=first.vendor, runner_up=second.vendor, margin=points(margin)
    )


def _stability(
    result: Result,
    checks: DecisionChecks,
    lang: str,
    reviews: Mapping[str, Any],
    codes: Mapping[str, str],
    numbers: Mapping[str, int],
    names: Mapping[str, str] | None = None,
) -> Stability:
    """The stability page from the result's decision checks (sensitivity and flags).

    Every flag is listed with its sentence and review note, except divergence flags beyond
    `DIVERGENCE_LISTED`: a large tender raises thousands, each already marked `!` beside the
    evaluator's points in the inputs ledger, so the page counts them per vendor and lists
    the review notes, each once with the flags it covers.
    """
    words = labels_for(lang)
    sensitivity = checks.sensitivity
    winner = result.winner
    weights: list[BreakEven] = []
    without_evaluator: list[LeaveOneOut] = []
    without_bidder: list[LeaveOneOut] = []
    template = result.template
    value = sensitivity.margin
    margin = "" if value is None else points(value)
    for group_id, flip in sensitivity.weights.items():
        group = next((g for g in template.groups if g.id == group_id), None)
        title = group.title.get(lang) if group else str(group_id)
        if flip is None:
            weights.append(BreakEven(title, words["no_flip"], ""))
        else:
            weights.append(BreakEven(title, signed(flip.change), flip.new_winner))
    for runs, rows in ((sensitivity.without_evaluator, without_evaluator),
                       (sensitivity.without_bidder, without_bidder)):
        for left_out, new_winner in runs.items():
            shown = (names or {}).get(str(left_out), str(left_out))  # a person by name
            rows.append(LeaveOneOut(shown, str(new_winner or ""), new_winner != winner))
    rest = ""
    if len(without_bidder) > BIDDERS_LISTED:
        kept = [row for row in without_bidder if not row.changed]
        without_bidder = [row for row in without_bidder if row.changed]
        if kept:
            rest = words["without_bidder_rest"].format(count=len(kept), winner=winner)
    # Past DIVERGENCE_LISTED, divergence flags are counted, not spelled out: their sentences
    # (a large tender's thousands) are not made.
    many = sum(1 for flag in checks.flags
               if _attr(flag, "kind") == "divergence") > DIVERGENCE_LISTED
    flags = tuple(_flag_row(flag, lang, reviews, names,
                            said=not (many and _attr(flag, "kind") == "divergence"))
                  for flag in checks.flags)
    counts: dict[str, int] = {}
    for row in flags:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    divergent = [(flag, row) for flag, row in zip(checks.flags, flags, strict=True)
                 if _attr(flag, "kind") == "divergence"]
    listed = [row for flag, row in zip(checks.flags, flags, strict=True)
              if _attr(flag, "kind") != "divergence" or len(divergent) <= DIVERGENCE_LISTED]
    # One text line per flag, in blocks: a paragraph each would cost more than the tables.
    lines = [
        f"{i}. [{row.kind}] {' '.join(row.message.split())} — {words['review_note']}: "
        f"{' '.join(row.review.split())}"
        for i, row in enumerate(listed, start=1)
    ]
    if len(divergent) > DIVERGENCE_LISTED:
        lines += _divergence_summary(divergent, codes, numbers, words)
    blocks = ledger.blocks(lines)
    return Stability(
        margin=margin,
        weights=tuple(weights),
        without_evaluator=tuple(without_evaluator),
        without_bidder=tuple(without_bidder),
        flags=flags,
        flag_counts=tuple(counts.items()),
        flag_blocks=blocks,
        without_bidder_rest=rest,
    )


def _divergence_summary(
    divergent: Sequence[tuple[Any, FlagRow]],
    codes: Mapping[str, str],
    numbers: Mapping[str, int],
    words: Mapping[str, str],
) -> list[str]:
    """Many divergence flags: a count per vendor, and each review note once with its flags."""
    per_vendor: dict[str, int] = {}
    by_note: dict[str, list[str]] = {}
    for flag, row in divergent:
        vendor = str(_attr(flag, "vendor") or "")
        per_vendor[vendor] = per_vendor.get(vendor, 0) + 1
        if row.review != words["not_reviewed"]:
            criterion = str(_attr(flag, "criterion") or "")
            where = f"{vendor} {codes.get(criterion, criterion)}"
            by_note.setdefault(" ".join(row.review.split()), []).append(where)
    reviewed = sum(len(v) for v in by_note.values())
    lines = [words["divergence_many"].format(count=len(divergent),
                                             open=len(divergent) - reviewed)]
    lines.append("; ".join(f"{vendor}: {count}" for vendor, count in per_vendor.items()))
    for note, where in by_note.items():
        lines.append(f"{words['review_note']} “{note}”: " + "; ".join(where))
    return lines


def _review_text(review: Any, lang: str) -> str:
    """A review note: "note — author, time" (a plain string stays as it is)."""
    if isinstance(review, str):
        return review
    note = " ".join(_text(_attr(review, "note", ""), lang).split())
    author = str(_attr(review, "author", "") or "")
    at = _when(_attr(review, "at") or _attr(review, "created_at"))
    signed = ", ".join(p for p in (author, at) if p)
    return f"{note} — {signed}" if signed else note


def _flag_row(
    flag: Any, lang: str, reviews: Mapping[str, Any], names: Mapping[str, str] | None = None,
    said: bool = True,
) -> FlagRow:
    """A flag's kind, sentence (left empty when not `said`: not shown) and review."""
    words = labels_for(lang)
    flag_id = str(_attr(flag, "id", ""))
    kind = str(_attr(flag, "kind", ""))
    # a checks Flag says itself with the evaluators' display names; a plain one has a message
    sentence = getattr(flag, "sentence", None)
    if not said:
        message = ""
    elif callable(sentence) and names:
        message = sentence(names).get(lang)
    else:
        message = _text(_attr(flag, "message"), lang)
    if not message and said:
        parts = [_attr(flag, k) for k in ("vendor", "criterion", "evaluator")]
        message = " · ".join(str(p) for p in parts if p)
    review = reviews.get(flag_id) or _attr(flag, "review")
    if review is not None and not isinstance(review, str):
        notes = review if isinstance(review, list | tuple) else [review]
        review = "; ".join(_review_text(note, lang) for note in notes)
    return FlagRow(flag_id, word("flag_kind", kind, lang), message,
                   str(review or words["not_reviewed"]))


# --- ledgers ---------------------------------------------------------------------------------


def _matrices(
    result: Result,
    heads: Sequence[GroupHead],
    codes: Mapping[str, str],
    vendor_order: Sequence[str],
    lang: str,
) -> tuple[tuple[Ledger, ...], bool]:
    """Vendor × criterion points, one part per group, in chunks of vendors that fit a line;
    and whether the lines are set on landscape pages (when the vendors do not fit one
    portrait line).

    A cell shows the points that count (`*`: a consensus value); a gate shows how many of the
    evaluators who scored it said fail; each group ends with its weighted group score.
    """
    words = labels_for(lang)
    template = result.template
    cells = result.cells
    values: dict[tuple[str, str], str] = {}
    for vendor in vendor_order:
        standing = result.vendors[vendor]
        for group in template.groups:
            for criterion in group.criteria:
                cell = cells.get((vendor, criterion.id))
                values[(vendor, criterion.id)] = _matrix_value(cell, criterion)
            score = standing.groups.get(group.id)
            values[(vendor, group.id)] = "" if score is None else points(score) + " "
    code_units = width_for(codes.values(), gap=0)
    max_units = width_for((plain(c.max) for c in template.criteria()), 4)
    column_units = width_for(values.values(), MATRIX_MIN)
    portrait = max(1, (LINE_CELLS - code_units - max_units - TEXT_MIN) // column_units)
    wide = portrait < len(vendor_order)
    width = WIDE_CELLS if wide else LINE_CELLS
    room = width - code_units - max_units - TEXT_MIN
    per_chunk = max(1, room // column_units)
    # Narrower columns (the vendor's name over two header lines) where they save a chunk:
    # every chunk repeats all the criterion lines, WeasyPrint's cost is per line.
    narrow_units = width_for(values.values(), NARROW_MIN)
    narrow = max(1, room // narrow_units)
    if -(-len(vendor_order) // narrow) < -(-len(vendor_order) // per_chunk):
        column_units, per_chunk = narrow_units, narrow
    chunks = -(-len(vendor_order) // per_chunk)
    per_chunk = -(-len(vendor_order) // chunks)  # chunks of even size: 17, 17, 16
    out: list[Ledger] = []
    for start in range(0, len(vendor_order), per_chunk):
        chunk = vendor_order[start:start + per_chunk]
        parts: list[Part] = []
        for group, head in zip(template.groups, heads, strict=True):
            rows = [
                ledger.line([(codes[c.id], code_units), (plain(c.max), max_units)]
                            + [(values[(v, c.id)], column_units) for v in chunk],
                            c.title.get(lang), align="<", width=width)
                for c in group.criteria
            ]
            if group.weight > 0 and group.max_points > 0:
                rows.append(ledger.line(
                    [("", code_units), (head.weight, max_units)]
                    + [(values[(v, group.id)], column_units) for v in chunk],
                    f"{words['group_score']} = {words['weight']} × {words['points']} ÷ "
                    f"{words['max_points']}", width=width))
            parts.append(Part(_group_heading(head, words), ledger.blocks(rows)))
        out.append(make_ledger(
            (Column("#", code_units, "<"), Column(words["max_points"], max_units),
             *(Column(v, column_units) for v in chunk)),
            words["criterion"],
            parts,
        ))
    return tuple(out), wide


def _group_heading(head: GroupHead, words: Mapping[str, str]) -> str:
    return (f"{head.code}. {head.title} · {words['weight']} {head.weight} · "
            f"{words['max_points']} {head.max_points}")


def _matrix_value(cell: Cell | None, criterion: Criterion) -> str:
    if cell is None:
        return ""
    mark = "*" if cell.consensus is not None else " "
    if criterion.is_gate:
        if cell.consensus is not None:
            return GATE_MARK.get(str(cell.consensus.value), "") + mark
        fails = sum(1 for v in cell.inputs.values() if v >= 0.5)
        return f"{fails}/{len(cell.inputs)} "
    return _points(cell.points) + mark


def _input_row(
    cell: Cell | None,
    criterion: Criterion,
    evaluators: Sequence[str],
    lang: str,
    divergent: frozenset[str] = frozenset(),
) -> tuple[list[str], str, str]:
    """(each evaluator's points, the aggregate, the points that count) of one cell; an
    evaluator in `divergent` (the lowest or highest input of a divergent cell) gets a `!`
    after their points."""
    if cell is None:
        return [], "", ""
    mark = "*" if cell.consensus is not None else " "
    inputs = cell.inputs
    if criterion.is_gate:
        marks = [
            "" if e not in inputs else GATE_MARK["fail" if inputs[e] >= 0.5 else "pass"]
            for e in evaluators
        ]
        fails = sum(1 for v in inputs.values() if v >= 0.5)
        if cell.consensus is not None:
            outcome = str(cell.consensus.value)
        else:
            outcome = "fail" if 2 * fails > len(inputs) else "pass"
        return marks, f"{fails}/{len(inputs)}", word("choice", outcome, lang) + mark
    shown = [
        figure(inputs[e]) + ("!" if e in divergent else " ") if e in inputs else ""
        for e in evaluators
    ] if inputs else []
    return shown, _points(cell.aggregate), _points(cell.points) + mark


def _inputs(
    result: Result,
    checks: DecisionChecks,
    codes: Mapping[str, str],
    evaluators: Sequence[str],
    vendor_order: Sequence[str],
    lang: str,
) -> tuple[Ledger, bool]:
    """Per vendor, each criterion: every evaluator's points, the aggregate, what counts;
    and whether the detail section is set on landscape pages (see `_inputs_shape`).

    Evaluators are numbered (the legend names them). Two criteria share a line when a
    criterion's row fits in half of one: of a portrait page up to about 8 evaluators, of a
    landscape page up to about 17; with more evaluators than fit on one line, a criterion
    continues on further lines.
    """
    words = labels_for(lang)
    template = result.template
    criteria = tuple(template.criteria())
    flagged: dict[tuple[str, str], set[str]] = defaultdict(set)
    for flag in checks.flags:
        if _attr(flag, "kind") == "divergence":
            # a divergent cell: its lowest and highest inputs are marked
            detail = _attr(flag, "detail", {}) or {}
            given = detail.get("points", {}) or {}
            ends = {detail.get("low"), detail.get("high")}
            flagged[(str(_attr(flag, "vendor")), str(_attr(flag, "criterion")))].update(
                str(e) for e, p in given.items() if p in ends)
    rows: dict[str, list[tuple[str, list[str], str, str, str]]] = {}
    for vendor in vendor_order:
        vendor_rows = rows[vendor] = []
        for criterion in criteria:
            cell = result.cells.get((vendor, criterion.id))
            divergent = frozenset(flagged.get((vendor, criterion.id), ()))
            inputs, aggregate, shown = _input_row(cell, criterion, evaluators, lang, divergent)
            vendor_rows.append((codes[criterion.id], inputs, aggregate, shown,
                                criterion.title.get(lang)))
    every = [r for vendor_rows in rows.values() for r in vendor_rows]
    code_units = width_for(codes.values(), gap=0) + 1
    # An evaluator's points carry a trailing blank or `!`, so one more blank separates them.
    slot_units = width_for((v for r in every for v in r[1]), 3, gap=1)
    agg_units = width_for((r[2] for r in every), max(5, ledger.cells(words["aggregate"])))
    pts_units = width_for((r[3] for r in every), max(5, ledger.cells(words["points"])))
    fixed = code_units + len(evaluators) * slot_units + agg_units + pts_units
    half, wide = _inputs_shape(fixed)
    width = half or WIDE_CELLS
    room = width - code_units - agg_units - pts_units - (0 if half else TEXT_MIN)
    per_line = max(1, min(len(evaluators), room // slot_units)) if evaluators else 0
    step = per_line or 1
    numbers = {name: i for i, name in enumerate(evaluators, start=1)}
    parts: list[Part] = []
    for vendor in vendor_order:
        lines: list[str] = []
        for code, inputs, aggregate, shown, title in rows[vendor]:
            padded = inputs + [""] * (len(evaluators) - len(inputs))
            first = [(v, slot_units) for v in padded[:per_line]]
            first += [("", slot_units)] * (per_line - len(first))
            lines.append(ledger.line([(code, code_units), *first, (aggregate, agg_units),
                                      (shown, pts_units)], title, align="<", width=width))
            for start in range(per_line, len(padded), step):
                lines.append(ledger.line(
                    [("", code_units)] + [(v, slot_units) for v in padded[start:start + step]]))
        standing = result.vendors[vendor]
        status = (f"{words['rank']} {standing.rank} · {words['total']} "
                  f"{points(standing.total)}" if standing.rank is not None
                  else words["disqualified_short"])
        blocks = ledger.two_up(lines, half) if half else ledger.blocks(lines)
        parts.append(Part(f"{vendor} · {status}", blocks,
                          notes=_notes(result, vendor, codes, numbers, lang)))
    slot_rows = [
        # a trailing blank, as the points carry one for the `!` mark
        tuple(f"{n} " for n in range(start + 1, min(start + step, len(evaluators)) + 1))
        for start in range(0, len(evaluators), step)
    ]
    evaluator_columns = tuple(
        Column(words["inputs"] if i == 0 else "", slot_units,
               slots=tuple(row[i] if i < len(row) else "" for row in slot_rows))
        for i in range(per_line)
    )
    return make_ledger(
        (Column("#", code_units, "<"), *evaluator_columns,
         Column(words["aggregate"], agg_units), Column(words["points"], pts_units)),
        words["criterion"],
        parts,
        half=half,
    ), wide


def _inputs_shape(fixed: int) -> tuple[int | None, bool]:
    """How the inputs ledger is set for a criterion row of `fixed` cells before its title:
    (the width of a half line when two criteria share a line, else None; whether the
    detail section needs landscape pages). Two-up on portrait pages where it fits (a few
    evaluators), else two-up on landscape pages, else one criterion to a landscape line."""
    for cells_, wide in ((LINE_CELLS, False), (WIDE_CELLS, True)):
        half = (cells_ - PAIR_GAP) // 2
        if fixed + TWO_UP_TEXT_MIN <= half:
            return half, wide
    return None, True


def _notes(
    result: Result,
    vendor: str,
    codes: Mapping[str, str],
    numbers: Mapping[str, int],
    lang: str,
) -> tuple[str, ...]:
    """The evaluators' comments and the consensus reasons on one vendor, as one flowing
    paragraph: criterion by criterion in template order, each comment once with the numbers
    of the evaluators who wrote it, e.g. `2.1 [1, 4] Two comparable references · [5] Not
    offered`. (A line per criterion would cost a large tender a thousand line boxes.)"""
    words = labels_for(lang)
    by_criterion: dict[str, dict[str, list[int]]] = {}
    for entry in _entries_by_vendor(result).get(vendor, ()):
        comment = " ".join(str(entry.comment).split())
        if comment:
            authors = by_criterion.setdefault(entry.criterion, {}).setdefault(comment, [])
            authors.append(numbers.get(entry.evaluator, 0))
    reasons = {
        c.criterion: " ".join(str(c.reason or "").split())
        for c in result.input.consensus
        if c.vendor == vendor
    }
    lines = []
    for criterion_id, code in codes.items():
        said = by_criterion.get(criterion_id, {})
        parts = [f"[{', '.join(str(n) for n in sorted(authors))}] {comment}"
                 for comment, authors in said.items()]
        if criterion_id in reasons:
            parts.append(f"[{words['consensus']}] {reasons[criterion_id]}")
        if parts:
            lines.append(f"{code} " + " · ".join(parts))
    return ("\u3000\u3000".join(lines),) if lines else ()


_ENTRY_CACHE: dict[int, dict[str, list[Any]]] = {}


def _entries_by_vendor(result: Result) -> dict[str, list[Any]]:
    """Entries grouped by vendor, computed once per result (75,000 entries in a large tender)."""
    key = id(result.input.entries)
    cached = _ENTRY_CACHE.get(key)
    if cached is None:
        grouped: dict[str, list[Any]] = defaultdict(list)
        for entry in result.input.entries:
            if entry.comment:
                grouped[entry.vendor].append(entry)
        _ENTRY_CACHE.clear()
        _ENTRY_CACHE[key] = cached = dict(grouped)
    return cached


def _prices(
    result: Result, codes: Mapping[str, str], vendor_order: Sequence[str], lang: str
) -> Ledger | None:
    """Each cost component: every vendor's amount, the rate, the base amount and the points.

    Disqualified vendors' bids are shown but not compared (they are out of the benchmarks).
    """
    words = labels_for(lang)
    template = result.template
    components = template.price_criteria()
    if not components:
        return None
    base = result.input.base_currency
    rates = {base: Decimal(1), **result.input.rates}
    bids = {(b.vendor, b.component): b for b in result.input.bids}
    table: list[tuple[Criterion, list[tuple[str, str, str, str, str, str]]]] = []
    for criterion in components:
        rows = []
        for vendor in vendor_order:
            bid = bids.get((vendor, criterion.id))
            cell = result.cells.get((vendor, criterion.id))
            base_amount = result.base_amounts.get((vendor, criterion.id))
            in_race = result.vendors[vendor].rank is not None
            rows.append((
                points(cell.points) if cell is not None and in_race else "-",
                money(base_amount) if base_amount is not None else "",
                money(bid.amount) if bid else "",
                bid.currency if bid else "",
                plain(rates.get(bid.currency, Decimal(0))) if bid else "",
                vendor if in_race else f"{vendor} ({words['excluded']})",
            ))
        table.append((criterion, rows))
    every = [r for _, rows in table for r in rows]
    code_units = width_for((codes[c.id] for c in components), gap=0)
    labels = (words["points"], words["base_amount"].format(base=base), words["amount"],
              words["currency"], words["rate"])
    widths = [width_for((r[i] for r in every), max(m, ledger.cells(label)))
              for i, (m, label) in enumerate(zip((6, 8, 8, 3, 3), labels, strict=True))]
    # One part: each component is a title line over its vendors' lines, and each distinct
    # rule is said once (the eight components of the CRM sheet share one).
    groups: list[list[str]] = []
    for criterion, rows in table:
        group = [ledger.line([(codes[criterion.id], code_units)], criterion.title.get(lang),
                             align="<")]
        group += [ledger.line([("", code_units), *zip(r[:5], widths, strict=True)], r[5])
                  for r in rows]
        groups.append(group)
    rules: dict[str, list[str]] = {}
    for criterion in components:
        rules.setdefault(rule_words(criterion, lang), []).append(codes[criterion.id])
    note = " ".join(f"{', '.join(applies)}: {text}" for text, applies in rules.items())
    return make_ledger(
        (Column("#", code_units, "<"),
         Column(words["points"], widths[0]),
         Column(words["base_amount"].format(base=base), widths[1]),
         Column(words["amount"], widths[2]),
         Column(words["currency"], widths[3]),
         Column(words["rate"], widths[4])),
        f"{words['component']} / {words['vendor']}",
        [Part("", ledger.grouped_blocks(groups), note=note)],
    )


def _rates(result: Result) -> tuple[tuple[str, str], ...]:
    used = {b.currency for b in result.input.bids} - {result.input.base_currency}
    return tuple((c, plain(r)) for c, r in sorted(result.input.rates.items()) if c in used)


def rule_words(criterion: Criterion, lang: str) -> str:
    """The criterion's rule in words, with its own figures."""
    words = labels_for(lang)
    kind = criterion.kind
    if kind == "tiered":
        partial = criterion.partial if criterion.partial is not None else Decimal(3)
        return words["rule_tiered"].format(max=plain(criterion.max), partial=plain(partial))
    if kind == "binary":
        return words["rule_binary"].format(max=plain(criterion.max))
    if kind == "scale":
        step = criterion.step if criterion.step is not None else Decimal("0.5")
        return words["rule_scale"].format(max=plain(criterion.max), step=plain(step))
    if kind == "grade":
        levels = "; ".join(f"{lv.label.get(lang)} {plain(lv.points)}"
                           for lv in criterion.levels or ())
        return words["rule_grade"].format(levels=levels)
    if kind == "price_rank":
        tiers = list(criterion.tiers or (criterion.max,))
        middle = "/".join(plain(t) for t in tiers[1:-1]) or plain(tiers[0])
        return words["rule_price_rank"].format(first=plain(tiers[0]), last=plain(tiers[-1]),
                                               middle=middle)
    if kind == "price_ratio":
        return words["rule_price_ratio"].format(max=plain(criterion.max))
    return words["rule_gate"]


def _rules(template: Template, codes: Mapping[str, str], lang: str) -> tuple[RuleText, ...]:
    """Each distinct rule of the template in words, with the criteria it applies to."""
    by_words: dict[str, list[Criterion]] = {}
    for criterion in template.criteria():
        by_words.setdefault(rule_words(criterion, lang), []).append(criterion)
    return tuple(
        RuleText(f"R{i}", word("rule_kind", crits[0].kind, lang), text,
                 ", ".join(codes[c.id] for c in crits))
        for i, (text, crits) in enumerate(by_words.items(), start=1)
    )


def _worked_figures(result: Result, vendor: str) -> list[tuple[Group, str, str]]:
    """(group, points earned, group score), 4 decimals, of each weighted group of a vendor."""
    standing = result.vendors[vendor]
    out = []
    for group in result.template.groups:
        if group.weight == 0 or group.max_points == 0:
            continue
        earned = 0.0
        for criterion in group.criteria:
            cell = result.cells.get((vendor, criterion.id))
            if cell is not None and cell.points is not None:
                earned += cell.points
        out.append((group, points(earned, 4), points(standing.groups.get(group.id, 0.0), 4)))
    return out


def _worked_ledger(result: Result, vendor_order: Sequence[str],
                   heads: Mapping[str, GroupHead], lang: str) -> Ledger:
    """The worked lines of many vendors as a ledger, a line each: per group the points
    earned and the group score, then the exact sum and the total as shown, the vendor last.
    The formula of each group (weight × points ÷ max) is said once, in the note."""
    words = labels_for(lang)
    figures = {vendor: _worked_figures(result, vendor) for vendor in vendor_order}
    groups = [group for group, _e, _s in next(iter(figures.values()), [])]
    earned_units = [width_for((f[i][1] for f in figures.values()), 6) for i in range(len(groups))]
    score_units = [width_for((f[i][2] for f in figures.values()), 6) for i in range(len(groups))]
    totals = {}
    for vendor in vendor_order:
        standing = result.vendors[vendor]
        shown = (words["disqualified_short"] if standing.rank is None
                 else "→ " + points(standing.total))
        totals[vendor] = (points(standing.total_exact, 4), shown)
    sum_units = width_for((t[0] for t in totals.values()), 7)
    shown_units = width_for((t[1] for t in totals.values()), 8)
    rows = []
    for vendor in vendor_order:
        fields = []
        for (_group, earned, score), e_units, s_units in zip(figures[vendor], earned_units,
                                                             score_units, strict=True):
            fields += [(earned, e_units), (score, s_units)]
        fields += [(totals[vendor][0], sum_units), (totals[vendor][1], shown_units)]
        rows.append(ledger.line(fields, vendor))
    columns = []
    for group, e_units, s_units in zip(groups, earned_units, score_units, strict=True):
        columns += [Column(heads[group.id].code, e_units), Column("", s_units)]
    columns += [Column(words["total"], sum_units), Column("", shown_units)]
    formulas = " · ".join(
        f"{heads[g.id].code} = {g.title.get(lang)}: {plain(g.weight)} × {words['points']} ÷ "
        f"{plain(g.max_points)}" for g in groups)
    return make_ledger(columns, words["vendor"], [
        Part("", ledger.blocks(rows, 25), note=words["worked_columns"].format(groups=formulas))])


def _worked_line(result: Result, vendor: str, lang: str) -> tuple[str, str]:
    """How a vendor's total comes about, group by group, for a reader to check by hand."""
    words = labels_for(lang)
    standing = result.vendors[vendor]
    figures = _worked_figures(result, vendor)
    parts = [f"{group.title.get(lang)}: {plain(group.weight)} × {earned} ÷ "
             f"{plain(group.max_points)} = {score}" for group, earned, score in figures]
    scores = [score for _group, _earned, score in figures]
    total = points(standing.total_exact, 4)
    if standing.rank is None:
        tail = f"{total} ({words['disqualified_short']})"
    else:
        tail = f"{total} → {points(standing.total)}"
    return vendor, "; ".join(parts) + f"; {words['total']} = " + " + ".join(scores) + " = " + tail
