"""Authorships: whether a raw name is an organisation rather than a person.

Names stored before this revision count as people, as they were exported; an organisation
among them is marked by editing its publication (or re-importing it).

Revision ID: 5b9e2d7c4a13
Revises: 1e84f163b30f
Create Date: 2026-12-04 23:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "5b9e2d7c4a13"
down_revision = "1e84f163b30f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("authorships") as batch_op:
        batch_op.add_column(
            sa.Column("organisation", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_check_constraint(
            "organisation_not_expert", sa.text("NOT organisation OR expert_id IS NULL")
        )


def downgrade():
    with op.batch_alter_table("authorships") as batch_op:
        batch_op.drop_constraint("organisation_not_expert", type_="check")
        batch_op.drop_column("organisation")
