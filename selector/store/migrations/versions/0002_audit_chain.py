"""audit chain: hash-linked, append-only audit events

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 23:00:00

Adds `seq`, `remote_addr`, `prev_hash` and `hash` to `audit_event`, links the events already
recorded into the chain (in the order they were written), adds the one-row
`audit_chain_head`, drops the foreign key from `audit_event.tender_id` (a deleted draft's
record stays as written) and makes the database refuse UPDATE and DELETE on `audit_event`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from selector.store.audit import append, link_hash, tender_values
from selector.store.models import AUDIT_DROP_TRIGGERS, AUDIT_TRIGGERS, AuditEvent, Tender

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_event_tender_id_tender", type_="foreignkey")
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("remote_addr", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), nullable=False, server_default="")
        )
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    seq, prev = _link_existing_events()
    op.execute(
        sa.text("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, :seq, :hash)").bindparams(
            seq=seq, hash=prev
        )
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", server_default=None)
        batch_op.alter_column("hash", server_default=None)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_seq"), ["seq"])
    dialect = op.get_bind().dialect.name
    for name, statement in AUDIT_TRIGGERS:
        if name == dialect:
            op.execute(statement)
    _baselines()


def _baselines() -> None:
    """One event per existing tender vouching for its stored values as they are now, so
    that `selector audit verify` replays tenders begun before the chain."""
    session = Session(bind=op.get_bind())
    for tender_id in session.scalars(sa.select(Tender.id).order_by(Tender.id)):
        values = tender_values(session, tender_id)
        changes = {key: [None, value] for key, value in values.items()}
        append(
            session,
            "audit.baseline",
            actor_id=None,
            tender_id=tender_id,
            detail={"changes": changes},
        )
    session.flush()


def _link_existing_events() -> tuple[int, str]:
    """Number and hash the events recorded so far, oldest first; the chain's (seq, head)."""
    events = sa.table(
        "audit_event",
        sa.column("id", sa.Integer()),
        sa.column("seq", sa.Integer()),
        sa.column("tender_id", sa.Integer()),
        sa.column("actor_id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("detail", sa.JSON()),
        sa.column("remote_addr", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(events).order_by(events.c.created_at, events.c.id)).all()
    prev = ""
    for seq, row in enumerate(rows, start=1):
        link = AuditEvent(
            seq=seq,
            tender_id=row.tender_id,
            actor_id=row.actor_id,
            action=row.action,
            detail=row.detail or {},
            remote_addr=None,
            created_at=row.created_at,
        )
        digest = link_hash(link, prev)
        bind.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(seq=seq, prev_hash=prev, hash=digest)
        )
        prev = digest
    return len(rows), prev


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, statement in AUDIT_DROP_TRIGGERS:
        if name == dialect:
            op.execute(statement)
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("remote_addr")
        batch_op.drop_column("seq")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_event_tender_id_tender"),
            "tender",
            ["tender_id"],
            ["id"],
            ondelete="SET NULL",
        )
