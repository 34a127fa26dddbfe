"""Forums: a state (on schedule, postponed, cancelled, with its reason) and the host region.
A postponed edition may share its number with the edition held later, so the unique key on
(series, edition) becomes a partial unique index over the editions not postponed.

Revision ID: 9d2e7b4c1f58
Revises: 8c4f1a2d6e35
Create Date: 2026-12-05 02:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "9d2e7b4c1f58"
down_revision = "8c4f1a2d6e35"
branch_labels = None
depends_on = None

NOT_POSTPONED = sa.text("state <> 'postponed'")
STATES = ("on_schedule", "postponed", "cancelled")


def upgrade():
    with op.batch_alter_table("forums") as batch_op:
        batch_op.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "state",
                sa.Enum(
                    *STATES, name="forum_state", native_enum=False, create_constraint=True, length=32
                ),
                server_default="on_schedule",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("state_reason", sa.String(length=300), nullable=True))
        batch_op.drop_constraint("uq_forums_series_id_edition", type_="unique")
        batch_op.create_index(
            "uq_forums_series_id_edition",
            ["series_id", "edition"],
            unique=True,
            sqlite_where=NOT_POSTPONED,
            postgresql_where=NOT_POSTPONED,
        )
        batch_op.create_index("ix_forums_region_id", ["region_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_forums_region_id_regions", "regions", ["region_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    # The old key allows one row per number: postponed attempts of an edition held later go.
    op.execute(
        "DELETE FROM forums WHERE state = 'postponed' AND edition IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM forums AS f WHERE f.series_id = forums.series_id "
        "AND f.edition = forums.edition AND f.id <> forums.id)"
    )
    with op.batch_alter_table("forums") as batch_op:
        batch_op.drop_constraint("fk_forums_region_id_regions", type_="foreignkey")
        batch_op.drop_index("ix_forums_region_id")
        batch_op.drop_index("uq_forums_series_id_edition")
        batch_op.create_unique_constraint("uq_forums_series_id_edition", ["series_id", "edition"])
        batch_op.drop_column("state_reason")
        batch_op.drop_constraint("forum_state", type_="check")
        batch_op.drop_column("state")
        batch_op.drop_column("region_id")
