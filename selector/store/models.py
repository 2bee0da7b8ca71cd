"""The stored state of Selector: people, tenders and what the committee entered.

Rows hold what people typed (values as the normalised keys of `selector.scoring.rules`,
money as Decimal); every number shown is computed from them by the scoring core. A tender
keeps the YAML of its template (`template_yaml`), so editing a file in `criteria/` never
changes a tender in progress; its groups and criteria are also stored as rows so that
assignments, entries and bids can refer to them with foreign keys.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Role(StrEnum):
    ADMIN = "admin"
    CHAIR = "chair"
    EVALUATOR = "evaluator"
    OBSERVER = "observer"


class TenderState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    FINALISED = "finalised"


#: The states in which a tender's data (bids, rates, documents) may still change: every one
#: but finalised, which is reopened (with a reason) first.
UNFINALISED = (TenderState.DRAFT, TenderState.OPEN, TenderState.CLOSED)


class Envelope(StrEnum):
    """Which envelope of a bid a document belongs to (price documents are sealed)."""

    TECHNICAL = "technical"
    PRICE = "price"


class SheetState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(str(m)) for m in enum)})"


class User(Base):
    """A person who logs in. `session_token` is part of the login cookie; rotating it
    (logout, disable, new password) ends every session of the user on the server side."""

    __tablename__ = "user"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Where reminders go, and in which language ("zh" or "en") they are written.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    language: Mapped[str] = mapped_column(String(8), default="zh", server_default="zh")

    # Flask-Login protocol -------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class Tender(Base):
    """One procurement: a template snapshot, vendors and bids, a committee, a state."""

    __tablename__ = "tender"
    __table_args__ = (
        CheckConstraint(_in("state", TenderState), name="state"),
        CheckConstraint("method IN ('mean', 'trimmed', 'median')", name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    template_key: Mapped[str] = mapped_column(String(100))
    template_source: Mapped[str] = mapped_column(String(255))
    template_yaml: Mapped[str] = mapped_column(Text)
    template_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default=TenderState.DRAFT)
    base_currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(16), default="mean")
    divergence_threshold: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("0.4"))
    low_bid_threshold: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("0.6"))
    chair_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The price envelope: bids are sealed (shown to no one, used by no score) until the chair
    # opens it after technical scoring has closed (selector.services.access.may_see_prices).
    prices_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The day scoring is due (the chair's, in the app's TIMEZONE); reminders go out the day
    # before and on the day (selector.services.reminders).
    due_on: Mapped[date | None] = mapped_column(Date)

    chair: Mapped[User] = relationship()
    groups: Mapped[list[TenderGroup]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="TenderGroup.position"
    )
    criteria: Mapped[list[TenderCriterion]] = relationship(
        back_populates="tender",
        cascade="all, delete-orphan",
        order_by="TenderCriterion.position",
        overlaps="group,criteria",
    )
    vendors: Mapped[list[Vendor]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Vendor.position"
    )
    rates: Mapped[list[ExchangeRate]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="ExchangeRate.currency"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Assignment.id"
    )
    declarations: Mapped[list[ConflictDeclaration]] = relationship(
        back_populates="tender", cascade="all, delete-orphan"
    )
    sheets: Mapped[list[ScoreSheet]] = relationship(
        back_populates="tender", cascade="all, delete-orphan"
    )
    consensus: Mapped[list[Consensus]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Consensus.id"
    )
    flag_reviews: Mapped[list[FlagReview]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="FlagReview.id"
    )
    documents: Mapped[list[BidDocument]] = relationship(
        cascade="all, delete-orphan", order_by="BidDocument.id"
    )


class TenderGroup(Base):
    """A group of the tender's template snapshot (weights are the effective percents)."""

    __tablename__ = "tender_group"
    __table_args__ = (UniqueConstraint("tender_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    weight: Mapped[Decimal] = mapped_column(Numeric(9, 4))
    title_zh: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str] = mapped_column(String(500))
    scored_by_evaluators: Mapped[bool] = mapped_column(Boolean)

    tender: Mapped[Tender] = relationship(back_populates="groups")
    criteria: Mapped[list[TenderCriterion]] = relationship(
        back_populates="group", order_by="TenderCriterion.position", overlaps="criteria,tender"
    )


class TenderCriterion(Base):
    """A criterion of the tender's template snapshot."""

    __tablename__ = "tender_criterion"
    __table_args__ = (UniqueConstraint("tender_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("tender_group.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    max_points: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    position: Mapped[int] = mapped_column(Integer)

    tender: Mapped[Tender] = relationship(back_populates="criteria", overlaps="criteria,group")
    group: Mapped[TenderGroup] = relationship(back_populates="criteria", overlaps="criteria,tender")

    @property
    def is_price(self) -> bool:
        return self.kind in ("price_rank", "price_ratio")


class Vendor(Base):
    """A bidder in a tender."""

    __tablename__ = "vendor"
    __table_args__ = (UniqueConstraint("tender_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    tender: Mapped[Tender] = relationship(back_populates="vendors")
    bids: Mapped[list[Bid]] = relationship(back_populates="vendor", cascade="all, delete-orphan")


class Bid(Base):
    """A vendor's amount for one price criterion (cost component), in its own currency."""

    __tablename__ = "bid"
    __table_args__ = (
        UniqueConstraint("vendor_id", "criterion_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("tender_criterion.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    currency: Mapped[str] = mapped_column(String(3))

    vendor: Mapped[Vendor] = relationship(back_populates="bids")
    criterion: Mapped[TenderCriterion] = relationship()


class ExchangeRate(Base):
    """1 unit of `currency` is `rate` units of the tender's base currency."""

    __tablename__ = "exchange_rate"
    __table_args__ = (
        UniqueConstraint("tender_id", "currency"),
        CheckConstraint("rate > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(24, 10))

    tender: Mapped[Tender] = relationship(back_populates="rates")


assignment_group = Table(
    "assignment_group",
    Base.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("tender_group.id", ondelete="CASCADE"), primary_key=True),
)


class Assignment(Base):
    """An evaluator on a tender's committee: which groups they score, whether they see prices.

    An empty `groups` list means every group scored by evaluators.
    """

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("tender_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    can_see_prices: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tender: Mapped[Tender] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship()
    groups: Mapped[list[TenderGroup]] = relationship(
        secondary=assignment_group, order_by="TenderGroup.position"
    )


conflict_vendor = Table(
    "conflict_vendor",
    Base.metadata,
    Column(
        "declaration_id",
        ForeignKey("conflict_declaration.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("vendor_id", ForeignKey("vendor.id", ondelete="CASCADE"), primary_key=True),
)


class ConflictDeclaration(Base):
    """An evaluator's declaration of interests for a tender, made before seeing any bid.

    A vendor listed in `vendors` is removed from the evaluator's sheets."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (UniqueConstraint("tender_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    statement: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tender: Mapped[Tender] = relationship(back_populates="declarations")
    user: Mapped[User] = relationship()
    vendors: Mapped[list[Vendor]] = relationship(
        secondary=conflict_vendor, order_by="Vendor.position"
    )


class ScoreSheet(Base):
    """One evaluator's sheet for one vendor. `version` is the optimistic lock."""

    __tablename__ = "score_sheet"
    __table_args__ = (
        UniqueConstraint("evaluator_id", "vendor_id"),
        CheckConstraint(_in("state", SheetState), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=SheetState.DRAFT)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    tender: Mapped[Tender] = relationship(back_populates="sheets")
    evaluator: Mapped[User] = relationship()
    vendor: Mapped[Vendor] = relationship()
    entries: Mapped[list[Entry]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Entry(Base):
    """One evaluator input on one criterion of a sheet: a normalised value and a comment."""

    __tablename__ = "entry"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("tender_criterion.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    # The evidence the comment points to: one of the vendor's documents and a page or
    # section in it ("" for none). A cited document cannot be deleted.
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("bid_document.id", ondelete="SET NULL")
    )
    document_page: Mapped[str] = mapped_column(String(40), default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="entries")
    criterion: Mapped[TenderCriterion] = relationship()
    document: Mapped[BidDocument | None] = relationship()


class BidDocument(Base):
    """A file a vendor submitted, uploaded by the chair: its bytes are kept outside the
    database under their SHA-256 (`selector.store.blobs`); the row says whose it is, which
    envelope, its type as read from its content, and when it came."""

    __tablename__ = "bid_document"
    __table_args__ = (
        CheckConstraint(_in("envelope", Envelope), name="envelope"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"))
    envelope: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    vendor: Mapped[Vendor] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    links: Mapped[list[DocumentLink]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentLink.id"
    )


class DocumentLink(Base):
    """A document named as the evidence for a criterion, at a page or section."""

    __tablename__ = "document_link"
    __table_args__ = (UniqueConstraint("document_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("bid_document.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("tender_criterion.id", ondelete="CASCADE"))
    page: Mapped[str] = mapped_column(String(40), default="")

    document: Mapped[BidDocument] = relationship(back_populates="links")
    criterion: Mapped[TenderCriterion] = relationship()


class Consensus(Base):
    """A value the chair recorded for a cell after discussion; it overrides the aggregate."""

    __tablename__ = "consensus"
    __table_args__ = (UniqueConstraint("vendor_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("tender_criterion.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tender: Mapped[Tender] = relationship(back_populates="consensus")
    vendor: Mapped[Vendor] = relationship()
    criterion: Mapped[TenderCriterion] = relationship()
    author: Mapped[User | None] = relationship()


class FlagReview(Base):
    """The chair's note on a decision-check flag (identified by the flag's stable id)."""

    __tablename__ = "flag_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    flag_id: Mapped[str] = mapped_column(String(255), index=True)
    note: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tender: Mapped[Tender] = relationship(back_populates="flag_reviews")
    author: Mapped[User | None] = relationship()


class SignOffDecision(StrEnum):
    APPROVE = "approve"
    DISSENT = "dissent"
    ABSENT = "absent"  # did not sign; the chair recorded it (deemed to agree: art. 61)


class SignOff(Base):
    """A committee member's sign-off of a finalised tender's result, or the chair's.

    `fingerprint` is the scoring input's at signing; `reason` is a dissent's reasons (or, for
    ABSENT, the chair's note of why the member did not sign); `recorded_by` is who recorded
    it (the member, or the chair for ABSENT). Reopening the tender removes its sign-offs:
    they were given to a result that no longer stands (the record keeps them).
    """

    __tablename__ = "sign_off"
    __table_args__ = (
        UniqueConstraint("tender_id", "user_id"),
        CheckConstraint(_in("decision", SignOffDecision), name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class AuditEvent(Base):
    """Who did what, when, from where: one link of the tamper-evident audit chain.

    Written by every service function in the transaction of its change, never updated or
    deleted (the database refuses both: `selector.store.audit`). `seq` orders the chain;
    `hash` is SHA-256 (HMAC when SELECTOR_AUDIT_KEY is set) of the event's canonical content
    and `prev_hash`. `detail["changes"]` holds each stored value the change touched as
    ``key: [before, after]``, so `selector audit verify` can replay them.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    # No foreign key: the record of a deleted draft tender outlives it, unchanged.
    tender_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    actor: Mapped[User | None] = relationship()


class MailMessage(Base):
    """A message to a person: sent through SMTP, or kept in the outbox when no mail server is
    configured (or the server refused it). `dedup_key` makes an automatic reminder go out
    once: `<tender>:<user>:<kind>:<due date>` (None for a reminder the chair sends)."""

    __tablename__ = "mail_message"
    __table_args__ = (
        CheckConstraint("status IN ('outbox', 'sent', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="outbox")
    error: Mapped[str] = mapped_column(Text, default="")
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    recipient: Mapped[User | None] = relationship()


class AuditChainHead(Base):
    """The one row holding the chain's last `seq` and `hash`; appends lock it (PostgreSQL)."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default="")


# The database refuses UPDATE and DELETE on the record (see selector.store.audit); created
# with the table by create_all, and by migration 0002 on existing databases.
AUDIT_REFUSAL = "audit_event is append-only"

#: (dialect, statement) pairs that make the database refuse UPDATE and DELETE on the record.
AUDIT_TRIGGERS: tuple[tuple[str, str], ...] = (
    (
        "sqlite",
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSAL}'); END",
    ),
    (
        "sqlite",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSAL}'); END",
    ),
    (
        "postgresql",
        "CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{AUDIT_REFUSAL}'; END $$",
    ),
    (
        "postgresql",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()",
    ),
    (
        "postgresql",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()",
    ),
)

AUDIT_DROP_TRIGGERS: tuple[tuple[str, str], ...] = (
    ("sqlite", "DROP TRIGGER IF EXISTS audit_event_no_update"),
    ("sqlite", "DROP TRIGGER IF EXISTS audit_event_no_delete"),
    ("postgresql", "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"),
    ("postgresql", "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event"),
    ("postgresql", "DROP FUNCTION IF EXISTS audit_event_refuse_change()"),
)

for _dialect, _statement in AUDIT_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
event.listen(
    AuditChainHead.__table__,
    "after_create",
    DDL("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '')"),
)
