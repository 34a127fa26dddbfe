"""Indexes for the directory lists: filter by country, sort by name.

Revision ID: e94888ac58e9
Revises: aa0d00b3afa5
Create Date: 2026-11-25 07:55:58.023191

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e94888ac58e9'
down_revision = 'aa0d00b3afa5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.create_index('ix_centres_country_name', ['country_code', 'name_en'], unique=False)

    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.create_index('ix_experts_country_name', ['country_code', 'full_name'], unique=False)



def downgrade():
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_index('ix_experts_country_name')

    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.drop_index('ix_centres_country_name')

