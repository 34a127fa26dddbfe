"""Centres: their city in Russian and Kazakh too, as forums have (4b2c8d1e7f90); the
English one stays the fallback.

Revision ID: 6d1a9c3e5b27
Revises: 4b2c8d1e7f90
Create Date: 2026-12-05 13:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "6d1a9c3e5b27"
down_revision = "4b2c8d1e7f90"
branch_labels = None
depends_on = None

COLUMNS = ("city_ru", "city_kk")


def upgrade():
    with op.batch_alter_table("centres") as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("centres") as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
