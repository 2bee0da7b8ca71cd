"""A tender's audit trail as sentences a committee member reads, in both languages.

Every service records what it did as an `AuditEvent`: an action code (`consensus.set`) and
the details as JSON (`{"vendor": "华云软件", "criterion": "i18n", "value": "partial",
"before": "full"}`). The History page shows neither: each event becomes one sentence from
`words.AUDIT_SENTENCES` — "张三 set the consensus of 华云软件 · 多语言 to 部分满足 (was 满足)"
— with every code in it replaced by its words (a criterion's title, a value in the
criterion's own words, a state's, role's or method's name), and the details the sentence
does not say listed under it, each named by `words.DETAIL_NAMES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from selector.scoring import values, words
from selector.scoring.model import Template, Text
from selector.scoring.numbers import plain
from selector.scoring.words import (
    ALL_GROUPS,
    AUDIT_SENTENCES,
    BOOLEANS,
    DETAIL_NAMES,
    NO_CONFLICT,
    NOBODY,
    NONE,
    PRICES_HIDDEN,
    PRICES_SHOWN,
    SEALED,
    UNKNOWN_LOGIN,
    WAS,
)
from selector.services.templates import template_of
from selector.store.models import AuditEvent, Tender, User


@dataclass(frozen=True)
class HistoryLine:
    """One event of the audit trail: when, the sentence, and the details it does not say."""

    at: datetime
    sentence: Text
    details: tuple[Text, ...]


#: The events whose amounts, rates and "before" values are prices, sealed until opening.
PRICE_ACTIONS = frozenset(
    {"bid.set", "bid.change", "bid.remove", "rate.set", "rate.change", "rate.remove"}
)
PRICE_DETAILS = frozenset({"amount", "rate", "before"})
_SEALED_VALUE = object()  # stands for a sealed amount in an event's detail


def tender_history(
    session: Session, tender_id: int, *, prices: bool = False
) -> list[HistoryLine]:
    """The tender's audit events as sentences, newest first (an unknown id: no events).

    Bid amounts and rates are shown only where `prices` (the reader's
    `access.may_see_prices`); otherwise they read "(sealed)".
    """
    tender = session.get(Tender, tender_id)
    template = template_of(tender) if tender is not None else None
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.tender_id == tender_id)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    lines = []
    for event in events:
        actor = event.actor.display_name if event.actor is not None else None
        sentence, details = describe(
            event.action, event.detail or {}, actor, template, prices=prices
        )
        lines.append(HistoryLine(event.created_at, sentence, details))
    return lines


def describe(
    action: str,
    detail: Mapping[str, Any],
    actor: str | None,
    template: Template | None,
    names: Mapping[str, str] | None = None,
    *,
    prices: bool = False,
) -> tuple[Text, tuple[Text, ...]]:
    """The sentence of one audit event, and the details the sentence leaves out.

    `template` (the tender's) turns criterion and group keys into their titles and values
    into the criterion's words; without it the keys stand for themselves. `names` (login
    -> display name) names the people an event mentions (`user`, `evaluator`, `member`).
    Unless `prices` (the reader's `access.may_see_prices`), a bid's amount and a rate read
    "(sealed)".
    """
    if action in PRICE_ACTIONS and not prices:
        detail = {
            key: (_SEALED_VALUE if key in PRICE_DETAILS and value is not None else value)
            for key, value in detail.items()
        }
    shown = _Shown(detail, template, names)
    pattern = AUDIT_SENTENCES.get(action) or Text(action, action)
    if action == "conflict.declare" and not detail.get("conflicts"):
        pattern = NO_CONFLICT
    if action == "login.failed" and not detail.get("username"):
        pattern = UNKNOWN_LOGIN
    said = {"actor": who(actor, detail)}
    for key in detail:
        if "{" + key + "}" in pattern.zh:
            said[key] = shown(key)
    sentence = Text(*(_fill(pattern.get(lang), said, lang) for lang in ("zh", "en")))
    if detail.get("before") is not None and not isinstance(detail["before"], Mapping):
        was = shown("before")  # the value this event replaced
        sentence = Text(sentence.zh + WAS.zh.format(before=was.zh),
                        sentence.en + WAS.en.format(before=was.en))
    details = [
        _named(key, shown(key))
        for key, value in detail.items()
        # "changes" (every stored value's before and after) is for `selector audit verify`
        if key not in said and key not in ("before", "after", "changes", "os_user")
        and value not in (None, "", [])
    ]
    return sentence, (*details, *_changes(detail, shown))


def who(actor: str | None, detail: Mapping[str, Any]) -> Text:
    """Who did an event: the actor's display name; for an event of the command line (no
    actor, the `os_user` who ran it in its detail) that user on the command line; else
    `NOBODY` (a deleted user, the system)."""
    if actor:
        return _same(actor)
    if "os_user" in detail:
        return _format(words.COMMAND_LINE, os_user=_same(str(detail["os_user"]) or "?"))
    return NOBODY


#: At most this many changed values are listed under one event (a baseline holds them all).
MAX_CHANGE_LINES = 30


def change_lines(
    action: str,
    changes: Mapping[str, Any],
    template: Template | None,
    names: Mapping[str, str],
    vendors: Mapping[int, str],
    *,
    reveal_entries: bool,
    reveal_prices: bool = False,
) -> tuple[Text, ...]:
    """An event's changed stored values (``detail["changes"]``) as `what: before → after`
    lines: entries (value and comment, in the criterion's words), bids, rates, consensus
    values, sign-offs; people by display name, vendors by name, criteria by title.

    Entries are summed up in one line without values unless `reveal_entries` (the reader
    may see the results: scoring stays blind); bid amounts and rates read "(sealed)" unless
    `reveal_prices` (the reader's `access.may_see_prices`). The tender's state is left out of the
    transitions, whose sentence says it; a baseline lists nothing (it holds every value);
    keys of an unknown kind are left to `selector audit verify`; at most
    `MAX_CHANGE_LINES` lines, then how many more.
    """
    if action == "audit.baseline" or not isinstance(changes, Mapping):
        return ()
    shown = _Shown({}, template, names)
    lines: list[Text] = []
    hidden = 0
    for key, pair in changes.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        kind, *parts = str(key).split(":")
        if kind == "entry" and not reveal_entries:
            hidden += 1
            continue
        if kind in ("bid", "rate") and not reveal_prices:
            line = _sealed_change(kind, parts, pair, shown, vendors)
            if line is not None:
                lines.append(line)
            continue
        line = _change_line(kind, parts, pair, shown, vendors, action)
        if line is not None:
            lines.append(line)
    if hidden:
        lines.insert(0, _format(words.HIDDEN_ENTRIES, n=_same(str(hidden))))
    if len(lines) > MAX_CHANGE_LINES:
        more = len(lines) - MAX_CHANGE_LINES
        lines = [*lines[:MAX_CHANGE_LINES], _format(words.MORE_CHANGES, n=_same(str(more)))]
    return tuple(lines)


def people_named(keys: Iterable[str]) -> set[str]:
    """The logins that keys of changed values name (`entry:<login>:…`, `signoff:<login>`)."""
    logins = set()
    for key in keys:
        kind, _sep, rest = str(key).partition(":")
        if kind in ("entry", "signoff"):
            logins.add(rest.split(":", 1)[0])
    return logins


def display_names(session: Session, logins: Iterable[str]) -> dict[str, str]:
    """login -> display name of each of `logins` that has an account (one query, none for
    no logins)."""
    wanted = set(logins)
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(wanted)))
    return {username: display for username, display in rows}


def _sealed_change(
    kind: str, parts: list[str], pair: Any, shown: _Shown, vendors: Mapping[int, str]
) -> Text | None:
    """A bid's or rate's change with its values sealed: what changed, never the amount."""
    before, after = pair
    sealed = [None if value is None else [SEALED.en] for value in (before, after)]
    line = _change_line(kind, parts, sealed, shown, vendors, "")
    if line is None:
        return None
    # the marker stands for the sealed value in each language
    return Text(line.zh.replace(SEALED.en, SEALED.zh), line.en)


def _change_line(
    kind: str, parts: list[str], pair: Any, shown: _Shown, vendors: Mapping[int, str],
    action: str,
) -> Text | None:
    before, after = pair

    def vendor(text: str) -> Text:
        name = vendors.get(int(text)) if text.isdigit() else None
        return _same(name) if name else words.REMOVED_VENDOR

    if kind == "entry" and len(parts) == 3:
        who, vid, criterion_key = parts
        criterion = shown.template.criterion(criterion_key) if shown.template else None
        what = _format(words.ENTRY_OF, who=shown.person(who), vendor=vendor(vid),
                       criterion=shown.criterion_title(criterion_key))

        def entry(value: Any) -> Text:
            if not isinstance(value, list | tuple) or not value:
                return NONE
            said = values.label(criterion, value[0]) if value[0] else NONE
            comment = str(value[1]) if len(value) > 1 and value[1] else ""
            return Text(f"{said.zh}「{comment}」", f"{said.en} “{comment}”") if comment else said

        return _format(words.CHANGED, what=what, before=entry(before), after=entry(after))
    if kind == "bid" and len(parts) == 2:
        what = _format(words.BID_OF, vendor=vendor(parts[0]),
                       component=shown.criterion_title(parts[1]))

        def amount(value: Any) -> Text:
            if not isinstance(value, list | tuple) or not value:
                return NONE
            return _same(" ".join(str(v) for v in value if v))

        return _format(words.CHANGED, what=what, before=amount(before), after=amount(after))
    if kind == "rate" and parts:
        what = _format(words.RATE_OF, currency=_same(parts[0]))
        return _format(words.CHANGED, what=what, before=_plain_value(before),
                       after=_plain_value(after))
    if kind == "consensus" and len(parts) == 2:
        criterion = shown.template.criterion(parts[1]) if shown.template else None
        what = _format(words.CONSENSUS_OF, vendor=vendor(parts[0]),
                       criterion=shown.criterion_title(parts[1]))

        def agreed(value: Any) -> Text:
            return NONE if value is None else values.label(criterion, value)

        return _format(words.CHANGED, what=what, before=agreed(before), after=agreed(after))
    if kind == "signoff" and parts:
        what = _format(words.SIGNOFF_OF, who=shown.person(parts[0]))

        def signed(value: Any) -> Text:
            if not isinstance(value, list | tuple) or not value:
                return NONE
            said = words.name("signoff", str(value[0]))
            reason = str(value[1]) if len(value) > 1 and value[1] else ""
            return Text(f"{said.zh}:{reason}", f"{said.en}: {reason}") if reason else said

        return _format(words.CHANGED, what=what, before=signed(before), after=signed(after))
    if kind == "state" and action == "tender.change":
        return _format(words.CHANGED, what=DETAIL_NAMES["to"], before=_word("tender_state")(
            shown, before), after=_word("tender_state")(shown, after))
    return None


def _format(pattern: Text, **said: Text) -> Text:
    return Text(*(_fill(pattern.get(lang), said, lang) for lang in ("zh", "en")))


def _fill(pattern: str, said: Mapping[str, Text], lang: str) -> str:
    return pattern.format_map({key: text.get(lang) for key, text in said.items()})


def _named(key: str, value: Text) -> Text:
    name = DETAIL_NAMES.get(key) or Text(key, key)
    return Text(f"{name.zh}:{value.zh}", f"{name.en}: {value.en}")


def _changes(detail: Mapping[str, Any], shown: _Shown) -> list[Text]:
    """`name: before → after` for each setting that a settings event changed."""
    before, after = detail.get("before"), detail.get("after")
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    lines = []
    for key, new in after.items():
        old = before.get(key)
        if old == new:
            continue
        was, now = shown.value(key, old), shown.value(key, new)
        lines.append(_named(key, Text(f"{was.zh} → {now.zh}", f"{was.en} → {now.en}")))
    return lines


class _Shown:
    """The display of an event's detail values: codes in words, keys as titles."""

    def __init__(
        self,
        detail: Mapping[str, Any],
        template: Template | None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.detail = detail
        self.template = template
        self.names = names or {}
        criterion_key = detail.get("criterion")
        self.criterion = (
            template.criterion(str(criterion_key)) if template and criterion_key else None
        )

    def __call__(self, key: str) -> Text:
        return self.value(key, self.detail.get(key))

    def value(self, key: str, value: Any) -> Text:
        if value is _SEALED_VALUE:
            return SEALED
        show = _SHOW.get(key)
        if show is not None and value is not None:
            return show(self, value)
        return _plain_value(value)

    def criterion_title(self, key: Any) -> Text:
        criterion = self.template.criterion(str(key)) if self.template else None
        return criterion.title if criterion is not None else _same(str(key))

    def person(self, value: Any) -> Text:
        """A login as the person's display name (the login itself when unknown)."""
        return _same(self.names.get(str(value)) or str(value))

    def choice(self, value: Any) -> Text:
        return values.label(self.criterion, value)

    def groups(self, value: Any) -> Text:
        if value == "all" or not value:
            return ALL_GROUPS
        titles = {g.id: g.title for g in self.template.groups} if self.template else {}
        names = [titles.get(str(key)) or _same(str(key)) for key in _as_list(value)]
        return _joined(names)

    def flag(self, value: Any) -> Text:
        """A flag's id (`kind:vendor:criterion:evaluator`) as its kind's name and whom it
        concerns."""
        kind, *rest = [part.replace("%3A", ":").replace("%25", "%")
                       for part in str(value).split(":")]
        parts = [words.name("flag_kind", kind)]
        for index, part in enumerate(rest):
            if part:
                parts.append(self.criterion_title(part) if index == 1 else _same(part))
        return Text(" · ".join(p.zh for p in parts), " · ".join(p.en for p in parts))


def _same(text: str) -> Text:
    return Text(text, text)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _joined(texts: list[Text]) -> Text:
    if not texts:
        return NONE
    return Text("、".join(t.zh for t in texts), ", ".join(t.en for t in texts))


def _plain_value(value: Any) -> Text:
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return BOOLEANS[value]
    if isinstance(value, list | tuple):
        return _joined([_plain_value(v) for v in value])
    return _same(str(value))


def _share(value: Any) -> Text:
    """A threshold kept as a fraction ("0.4") as the settings form shows it: 40%."""
    try:
        number = Decimal(str(value)) * 100
    except InvalidOperation:
        return _same(str(value))
    return _same(f"{plain(number)}%")


def _word(table: str) -> Callable[[_Shown, Any], Text]:
    return lambda shown, value: words.name(table, str(value))


_SHOW: Mapping[str, Callable[[_Shown, Any], Text]] = {
    "from": _word("tender_state"),
    "to": _word("tender_state"),
    "role": _word("role"),
    "method": _word("method"),
    "criterion": lambda shown, value: shown.criterion_title(value),
    "component": lambda shown, value: shown.criterion_title(value),
    "value": lambda shown, value: shown.choice(value),
    "before": lambda shown, value: shown.choice(value),
    "groups": lambda shown, value: shown.groups(value),
    "flag": lambda shown, value: shown.flag(value),
    "user": lambda shown, value: shown.person(value),
    "username": lambda shown, value: shown.person(value),
    "evaluator": lambda shown, value: shown.person(value),
    "member": lambda shown, value: shown.person(value),
    "document": _word("document"),
    "status": _word("denial"),
    "lang": _word("language"),
    "can_see_prices": lambda shown, value: PRICES_SHOWN if value else PRICES_HIDDEN,
    "envelope": _word("envelope"),
    "divergence": lambda shown, value: _share(value),
    "low_bid": lambda shown, value: _share(value),
}
