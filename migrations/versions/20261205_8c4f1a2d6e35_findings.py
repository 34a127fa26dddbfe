"""Findings: the roadmap report's claims, each with its Italian quote, an English rendering
and the measure that shows what the records say of it (app.reports.findings).

Revision ID: 8c4f1a2d6e35
Revises: 5b7d2c9e4f13
Create Date: 2026-12-05 01:54:30.225160
"""

import sqlalchemy as sa
from alembic import op

revision = "8c4f1a2d6e35"
down_revision = "5b7d2c9e4f13"
branch_labels = None
depends_on = None

KINDS = ("count", "share", "trend", "age", "event", "assessment")


def upgrade():
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="finding_kind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("section", sa.String(length=120), nullable=False),
        sa.Column("quote_it", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("measure", sa.String(length=80), nullable=True),
        sa.CheckConstraint("position >= 1", name=op.f("ck_findings_position_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("key", name=op.f("uq_findings_key")),
    )


def downgrade():
    op.drop_table("findings")
