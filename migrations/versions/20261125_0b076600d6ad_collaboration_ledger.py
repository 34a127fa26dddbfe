"""The collaboration ledger: Russia–Kazakhstan ties between centres and between experts.

Derived data, one row per tie and source; after upgrading a database that already holds
records, fill it with `flask reports rebuild`.

Revision ID: 0b076600d6ad
Revises: 9874c02f8bd0
Create Date: 2026-11-25 11:02:59.060579

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0b076600d6ad'
down_revision = '9874c02f8bd0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('expert_ties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('publication', 'session', 'project', name='expert_tie_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('ru_expert_id', sa.Integer(), nullable=False),
    sa.Column('kz_expert_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['kz_expert_id'], ['experts.id'], name=op.f('fk_expert_ties_kz_expert_id_experts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ru_expert_id'], ['experts.id'], name=op.f('fk_expert_ties_ru_expert_id_experts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_ties')),
    sa.UniqueConstraint('kind', 'source_id', 'ru_expert_id', 'kz_expert_id', name=op.f('uq_expert_ties_kind_source_id_ru_expert_id_kz_expert_id'))
    )
    with op.batch_alter_table('expert_ties', schema=None) as batch_op:
        batch_op.create_index('ix_expert_ties_kz_expert', ['kz_expert_id'], unique=False)
        batch_op.create_index('ix_expert_ties_pair', ['ru_expert_id', 'kz_expert_id'], unique=False)
        batch_op.create_index('ix_expert_ties_source', ['kind', 'source_id'], unique=False)

    op.create_table('centre_ties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('publication', 'session', 'project', name='tie_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('ru_centre_id', sa.Integer(), nullable=False),
    sa.Column('kz_centre_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_centre_ties_ends_after_start')),
    sa.ForeignKeyConstraint(['kz_centre_id'], ['centres.id'], name=op.f('fk_centre_ties_kz_centre_id_centres'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ru_centre_id'], ['centres.id'], name=op.f('fk_centre_ties_ru_centre_id_centres'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_ties')),
    sa.UniqueConstraint('kind', 'source_id', 'ru_centre_id', 'kz_centre_id', name=op.f('uq_centre_ties_kind_source_id_ru_centre_id_kz_centre_id'))
    )
    with op.batch_alter_table('centre_ties', schema=None) as batch_op:
        batch_op.create_index('ix_centre_ties_kz_centre', ['kz_centre_id'], unique=False)
        batch_op.create_index('ix_centre_ties_pair', ['ru_centre_id', 'kz_centre_id'], unique=False)
        batch_op.create_index('ix_centre_ties_source', ['kind', 'source_id'], unique=False)



def downgrade():
    with op.batch_alter_table('centre_ties', schema=None) as batch_op:
        batch_op.drop_index('ix_centre_ties_source')
        batch_op.drop_index('ix_centre_ties_pair')
        batch_op.drop_index('ix_centre_ties_kz_centre')

    op.drop_table('centre_ties')
    with op.batch_alter_table('expert_ties', schema=None) as batch_op:
        batch_op.drop_index('ix_expert_ties_source')
        batch_op.drop_index('ix_expert_ties_pair')
        batch_op.drop_index('ix_expert_ties_kz_expert')

    op.drop_table('expert_ties')
