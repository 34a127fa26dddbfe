"""Scheduling inputs and the published programme's changelog.

Rooms get opening windows, experts their availability per forum, and changes to a
published programme are kept for the public changelog.

Revision ID: 9874c02f8bd0
Revises: e94888ac58e9
Create Date: 2026-11-25 10:36:46.506953

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9874c02f8bd0'
down_revision = 'e94888ac58e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('availabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_availabilities_ends_after_start')),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_availabilities_expert_id_experts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_availabilities_forum_id_forums'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availabilities'))
    )
    with op.batch_alter_table('availabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availabilities_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index('ix_availabilities_forum_expert', ['forum_id', 'expert_id'], unique=False)

    op.create_table('room_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_room_windows_ends_after_start')),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_windows_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_windows'))
    )
    with op.batch_alter_table('room_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_windows_room_id'), ['room_id'], unique=False)

    op.create_table('programme_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('added', 'moved', 'renamed', 'cancelled', 'speaker_joined', 'speaker_left', name='change_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('summary', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_programme_changes_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_programme_changes_session_id_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_changes'))
    )
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_changes_forum_id'), ['forum_id'], unique=False)



def downgrade():
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_changes_forum_id'))

    op.drop_table('programme_changes')
    with op.batch_alter_table('room_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_windows_room_id'))

    op.drop_table('room_windows')
    with op.batch_alter_table('availabilities', schema=None) as batch_op:
        batch_op.drop_index('ix_availabilities_forum_expert')
        batch_op.drop_index(batch_op.f('ix_availabilities_expert_id'))

    op.drop_table('availabilities')
