"""Centres: whose acronym it is (own, the report's, or coined here), so that a coined one
is marked as such and lists show the full name instead.

Revision ID: a1f3c8e5d724
Revises: 9d2e7b4c1f58
Create Date: 2026-12-05 02:06:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a1f3c8e5d724"
down_revision = "9d2e7b4c1f58"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("centres") as batch_op:
        batch_op.add_column(
            sa.Column(
                "acronym_source",
                sa.Enum(
                    "own",
                    "report",
                    "coined",
                    name="acronym_source",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="own",
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("centres") as batch_op:
        batch_op.drop_constraint("acronym_source", type_="check")
        batch_op.drop_column("acronym_source")
