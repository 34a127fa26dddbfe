"""Users: when their email was verified, and the language their mail is written in.

Accounts that exist already were made by an admin or by the seeds, never by someone
typing an address: they count as verified from their creation, so no profile that is
public today turns private.

Revision ID: 6d6232bfa920
Revises: d11648f90667
Create Date: 2026-12-04 17:06:06.672410
"""

import sqlalchemy as sa
from alembic import op

revision = "6d6232bfa920"
down_revision = "d11648f90667"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("language", sa.String(length=2)))
        batch_op.create_check_constraint(
            "language_known", sa.text("language IN ('en', 'ru', 'kk')")
        )
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("language_known", type_="check")
        batch_op.drop_column("language")
        batch_op.drop_column("email_verified_at")
