"""Version columns for optimistic locking on every editable resource.

Every UPDATE and DELETE of these rows names the version it read (app.core.versioning),
and their ETags derive from it. Sessions had one already. Existing rows start at 1.

Revision ID: d11648f90667
Revises: 0b076600d6ad
Create Date: 2026-12-04 14:26:28.521431
"""

import sqlalchemy as sa
from alembic import op

revision = "d11648f90667"
down_revision = "0b076600d6ad"
branch_labels = None
depends_on = None

TABLES = (
    "centres",
    "experts",
    "forum_series",
    "forums",
    "participations",
    "profile_claims",
    "projects",
    "publications",
    "rooms",
    "users",
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("version")
