"""Provenance on seeded facts: where each record, topic list, affiliation, authorship (and its
centre) comes from; whether an undated affiliation is assumed to hold; each tie's weakest.

Rows that exist are ``entered`` (re-seed to mark the report's), their affiliations
``assumed`` (as they were read until now), and their ties ``entered``; ``flask seed`` then
``flask reports rebuild`` set the seeded kinds.

Revision ID: 8e3f1a6c2d57
Revises: a1f3c8e5d724
Create Date: 2026-12-05 01:53:41.939440
"""

import sqlalchemy as sa
from alembic import op

revision = "8e3f1a6c2d57"
down_revision = "a1f3c8e5d724"
branch_labels = None
depends_on = None

KINDS = ("report", "public", "editorial", "placeholder", "entered")
# table: its (provenance column, source column) pairs
SOURCED = {
    "affiliations": [("provenance", "source")],
    "authorships": [("provenance", "source"), ("centre_provenance", "centre_source")],
    "centres": [("provenance", "source"), ("topics_provenance", "topics_source")],
    "experts": [("provenance", "source"), ("topics_provenance", "topics_source")],
    "forum_series": [("provenance", "source")],
    "forums": [("provenance", "source")],
    "projects": [("provenance", "source"), ("topics_provenance", "topics_source")],
    "publications": [("provenance", "source"), ("topics_provenance", "topics_source")],
    "topics": [("provenance", "source")],
}
TIES = {"centre_ties": "tie_provenance", "expert_ties": "expert_tie_provenance"}


def _kind(name: str) -> sa.Enum:
    return sa.Enum(*KINDS, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    for table, columns in SOURCED.items():
        with op.batch_alter_table(table) as batch_op:
            if table == "affiliations":
                batch_op.add_column(
                    sa.Column("assumed", sa.Boolean(), server_default=sa.true(), nullable=False)
                )
            for kind, source in columns:
                batch_op.add_column(
                    sa.Column(kind, _kind(kind), server_default="entered", nullable=False)
                )
                batch_op.add_column(sa.Column(source, sa.String(length=500), nullable=True))
    for table, name in TIES.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("provenance", _kind(name), server_default="entered", nullable=False)
            )
        with op.batch_alter_table(table) as batch_op:  # derived: the ledger always says
            batch_op.alter_column("provenance", server_default=None)


def downgrade():
    for table, name in TIES.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.drop_column("provenance")
    for table, columns in SOURCED.items():
        with op.batch_alter_table(table) as batch_op:
            for kind, source in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{kind}"), type_="check")
                batch_op.drop_column(source)
                batch_op.drop_column(kind)
            if table == "affiliations":
                batch_op.drop_column("assumed")
