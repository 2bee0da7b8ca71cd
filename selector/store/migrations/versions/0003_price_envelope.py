"""price envelope: when the chair opened a tender's sealed bids

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:50:00

Adds `tender.prices_opened_at`. Tenders already closed or finalised before this revision had
their bids in the open, so their envelope counts as opened when scoring closed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prices_opened_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE tender SET prices_opened_at = COALESCE(closed_at, finalised_at, updated_at) "
        "WHERE state IN ('closed', 'finalised')"
    )


def downgrade() -> None:
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.drop_column("prices_opened_at")
