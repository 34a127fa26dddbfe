"""Search keys: folded name keys for cross-script search.

The table starts empty; `flask seed` indexes records that have no keys yet, and
`flask search reindex` rebuilds every key.

Revision ID: aa0d00b3afa5
Revises: 591356743c2c
Create Date: 2026-11-25 07:25:36.121665

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aa0d00b3afa5'
down_revision = '591356743c2c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('whole', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_keys'))
    )
    with op.batch_alter_table('search_keys', schema=None) as batch_op:
        batch_op.create_index('ix_search_keys_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index('ix_search_keys_lookup', ['entity_type', 'key'], unique=False)



def downgrade():
    with op.batch_alter_table('search_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_search_keys_lookup')
        batch_op.drop_index('ix_search_keys_entity')

    op.drop_table('search_keys')
