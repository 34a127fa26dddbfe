"""Publications: the finer type an import read, in CSL's vocabulary ("chapter", "thesis").

Publications stored before this revision have none: they are exported by their kind.

Revision ID: b7d41c9e2f60
Revises: 5b9e2d7c4a13
Create Date: 2026-12-04 23:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d41c9e2f60"
down_revision = "5b9e2d7c4a13"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("publications") as batch_op:
        batch_op.add_column(sa.Column("csl_type", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("publications") as batch_op:
        batch_op.drop_column("csl_type")
