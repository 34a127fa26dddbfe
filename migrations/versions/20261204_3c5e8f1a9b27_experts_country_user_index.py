"""An index for counting a country's experts that a viewer may see.

A list's COUNT by country filters on who may see each expert (``user_id``, see
``app.experts.services.visible_to``); with both columns in one index PostgreSQL counts
from the index alone.

Revision ID: 3c5e8f1a9b27
Revises: 7a1c2e9b4d10
Create Date: 2026-12-04 21:20:00
"""

from alembic import op

revision = "3c5e8f1a9b27"
down_revision = "7a1c2e9b4d10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("experts") as batch_op:
        batch_op.create_index("ix_experts_country_user", ["country_code", "user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("experts") as batch_op:
        batch_op.drop_index("ix_experts_country_user")
