"""What the pages show, as plain frozen dataclasses: names, numbers, states and `Text`s.

Templates get these, never ORM rows, so that no relationship is walked and nothing is
counted in Jinja: every "which bid is missing", "who scores which group" or "whose note
is this" is answered here, once, where it can be tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from selector.scoring import values
from selector.scoring.model import Template, Text
from selector.services.templates import template_of
from selector.store.models import Tender, User


@dataclass(frozen=True)
class TenderHeading:
    """A tender's own facts, as every page about it names them."""

    id: int
    name: str
    state: str
    organisation: str
    base_currency: str
    method: str
    template_id: str
    template_source: str
    title: Text  # the template's title
    chair: str  # display name
    chair_username: str
    created_at: datetime | None


def tender_heading(tender: Tender) -> TenderHeading:
    """The heading facts of `tender`."""
    title = tender.template_json.get("title") or {}
    return TenderHeading(
        id=tender.id,
        name=tender.name,
        state=tender.state,
        organisation=tender.organisation or "",
        base_currency=tender.base_currency,
        method=tender.method,
        template_id=tender.template_key,
        template_source=tender.template_source,
        title=Text(zh=str(title.get("zh", "")), en=str(title.get("en", ""))),
        chair=tender.chair.display_name if tender.chair else "",
        chair_username=tender.chair.username if tender.chair else "",
        created_at=tender.created_at,
    )


@dataclass(frozen=True)
class BidCell:
    """One vendor's amount for one price criterion (None and "" while it is sealed: the
    page says that a bid was entered, never what it is)."""

    bid_id: int
    amount: Decimal | None
    currency: str


@dataclass(frozen=True)
class VendorRow:
    """A vendor and its bids, one per price criterion in the template's order (None: missing)."""

    id: int
    name: str
    bids: tuple[BidCell | None, ...]


@dataclass(frozen=True)
class RateRow:
    currency: str
    rate: Decimal | None  # None while sealed


@dataclass(frozen=True)
class CommitteeRow:
    """An evaluator on the committee: the groups they score (empty: every scored group)."""

    assignment_id: int
    name: str
    username: str
    groups: tuple[Text, ...]
    can_see_prices: bool


@dataclass(frozen=True)
class TenderSetup:
    """The chair's tender page: vendors with their bids, rates and the committee."""

    tender: TenderHeading
    template: Template
    vendors: tuple[VendorRow, ...]
    rates: tuple[RateRow, ...]
    committee: tuple[CommitteeRow, ...]
    prices_shown: bool = False  # False: the envelope is sealed, amounts and rates hidden
    prices_opened_at: datetime | None = None


def tender_setup(tender: Tender, *, prices_shown: bool) -> TenderSetup:
    """What the chair's page lists about `tender`; amounts and rates only when
    `prices_shown` (`access.may_see_prices`)."""
    template = template_of(tender)
    price = [c.id for c in template.price_criteria()]
    vendors = []
    for vendor in tender.vendors:
        bids = {b.criterion.key: b for b in vendor.bids}
        vendors.append(
            VendorRow(
                vendor.id,
                vendor.name,
                tuple(
                    BidCell(bids[key].id, Decimal(bids[key].amount), bids[key].currency)
                    if key in bids and prices_shown
                    else BidCell(bids[key].id, None, "")
                    if key in bids
                    else None
                    for key in price
                ),
            )
        )
    committee = tuple(
        CommitteeRow(
            assignment_id=a.id,
            name=a.user.display_name,
            username=a.user.username,
            groups=tuple(Text(zh=g.title_zh, en=g.title_en) for g in a.groups),
            can_see_prices=a.can_see_prices,
        )
        for a in tender.assignments
    )
    return TenderSetup(
        tender=tender_heading(tender),
        template=template,
        vendors=tuple(vendors),
        rates=tuple(
            RateRow(r.currency, Decimal(r.rate) if prices_shown else None) for r in tender.rates
        ),
        committee=committee,
        prices_shown=prices_shown,
        prices_opened_at=tender.prices_opened_at,
    )


@dataclass(frozen=True)
class ConsensusLine:
    """A consensus value the committee agreed for one cell, with the chair's reason."""

    id: int
    vendor: str
    criterion: Text  # the criterion's title
    value: Text  # in the criterion's words
    reason: str


def consensus_lines(tender: Tender) -> tuple[ConsensusLine, ...]:
    """The tender's consensus values, in the order they were recorded."""
    template = template_of(tender)
    lines = []
    for row in tender.consensus:
        criterion = template.criterion(row.criterion.key)
        title = criterion.title if criterion else Text(zh=row.criterion.key, en=row.criterion.key)
        lines.append(
            ConsensusLine(
                row.id, row.vendor.name, title, values.label(criterion, row.value), row.reason
            )
        )
    return tuple(lines)


@dataclass(frozen=True)
class UserLine:
    """A user account as the administrator's list shows it."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    last_login_at: datetime | None
    email: str = ""
    language: str = "zh"


def user_lines(users: list[User]) -> tuple[UserLine, ...]:
    """The accounts, for the administrator's list."""
    return tuple(
        UserLine(
            u.id, u.username, u.display_name, u.role, u.active, u.last_login_at, u.email,
            u.language,
        )
        for u in users
    )
