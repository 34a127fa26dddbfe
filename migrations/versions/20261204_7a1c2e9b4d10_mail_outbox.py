"""The mail outbox: messages as they would have been sent, where no mail server is set.

Development keeps them here (app.core.mail) so that every process of the app writes to,
and ``flask mail outbox`` reads, one list.

Revision ID: 7a1c2e9b4d10
Revises: 6d6232bfa920
Create Date: 2026-12-04 17:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "7a1c2e9b4d10"
down_revision = "6d6232bfa920"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )


def downgrade():
    op.drop_table("outbox")
