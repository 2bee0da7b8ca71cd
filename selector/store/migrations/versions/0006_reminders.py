"""deadlines and reminders: a tender's due date, users' e-mail and language, the mail outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:20:00

Adds `tender.due_on`, `user.email` and `user.language` (existing users: no address, Chinese),
and `mail_message` (every reminder, sent or kept in the outbox; `dedup_key` unique so an
automatic reminder goes out once).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tender") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("email", sa.String(length=254), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("language", sa.String(length=8), server_default="zh", nullable=False)
        )
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('outbox', 'sent', 'failed')", name=op.f("ck_mail_message_status")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tender.id"],
            name=op.f("fk_mail_message_tender_id_tender"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user.id"],
            name=op.f("fk_mail_message_recipient_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_mail_message_dedup_key")),
    )
    op.create_index(
        op.f("ix_mail_message_tender_id"), "mail_message", ["tender_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_message_tender_id"), table_name="mail_message")
    op.drop_table("mail_message")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("language")
        batch.drop_column("email")
    with op.batch_alter_table("tender") as batch:
        batch.drop_column("due_on")
