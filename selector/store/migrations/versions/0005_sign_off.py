"""sign-off: each committee member's approval or dissent of a finalised result, the chair's last

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:00:00

Adds `sign_off` (one row per member and tender: approve, dissent with reasons, or absent as
recorded by the chair; the result's fingerprint at signing).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approve', 'dissent', 'absent')", name=op.f("ck_sign_off_decision")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tender.id"], name=op.f("fk_sign_off_tender_id_tender"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_sign_off_user_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_sign_off_recorded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off")),
        sa.UniqueConstraint("tender_id", "user_id", name=op.f("uq_sign_off_tender_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("sign_off")
