"""bid documents: the vendors' files, their links to criteria, evaluators' references

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:00:00

Adds `bid_document` (a vendor's file: envelope, name, type, size, SHA-256, who uploaded it
and when; the bytes live outside the database), `document_link` (a document as the evidence
for a criterion, at a page) and, on `entry`, the reference an evaluator's comment makes to
a document and page.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bid_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("envelope", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "envelope IN ('technical', 'price')", name=op.f("ck_bid_document_envelope")
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_bid_document_size_positive")),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tender.id"],
            name=op.f("fk_bid_document_tender_id_tender"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_bid_document_vendor_id_vendor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user.id"],
            name=op.f("fk_bid_document_uploaded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid_document")),
    )
    with op.batch_alter_table("bid_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bid_document_sha256"), ["sha256"], unique=False)
    op.create_table(
        "document_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["bid_document.id"],
            name=op.f("fk_document_link_document_id_bid_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["tender_criterion.id"],
            name=op.f("fk_document_link_criterion_id_tender_criterion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_link")),
        sa.UniqueConstraint(
            "document_id", "criterion_id", name=op.f("uq_document_link_document_id_criterion_id")
        ),
    )
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("document_page", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_entry_document_id_bid_document"),
            "bid_document",
            ["document_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_entry_document_id_bid_document"), type_="foreignkey"
        )
        batch_op.drop_column("document_page")
        batch_op.drop_column("document_id")
    op.drop_table("document_link")
    with op.batch_alter_table("bid_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bid_document_sha256"))
    op.drop_table("bid_document")
