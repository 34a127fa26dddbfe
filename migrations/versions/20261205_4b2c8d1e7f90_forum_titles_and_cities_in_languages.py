"""Forums: their title and city in Russian and Kazakh too, shown on pages, in mail and
in calendar feeds in the reader's language (the English ones stay required and the
fallback).

Revision ID: 4b2c8d1e7f90
Revises: 8e3f1a6c2d57
Create Date: 2026-12-05 13:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "4b2c8d1e7f90"
down_revision = "8e3f1a6c2d57"
branch_labels = None
depends_on = None

COLUMNS = (("title_ru", 300), ("title_kk", 300), ("city_ru", 120), ("city_kk", 120))


def upgrade():
    with op.batch_alter_table("forums") as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade():
    with op.batch_alter_table("forums") as batch_op:
        for name, _length in reversed(COLUMNS):
            batch_op.drop_column(name)
