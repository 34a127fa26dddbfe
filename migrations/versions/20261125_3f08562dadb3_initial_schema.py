"""Initial schema: the whole domain model.

Countries, regions and topics; centres, experts and their affiliations;
publications with ordered authorships; joint projects; forum series, forums,
rooms, sessions and participations; users.

Revision ID: 3f08562dadb3
Revises: 
Create Date: 2026-11-25 06:38:12.361994

"""
from alembic import op
import sqlalchemy as sa


# Portable regular-expression checks: REGEXP on SQLite (SQLAlchemy registers the
# function per connection), ~ on PostgreSQL. Copied here, not imported, so the
# revision never changes with application code.
ORCID_PATTERN = r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$"
DOI_PATTERN = r"^10\.[0-9]{4,9}/\S+$"


def _matches(column, pattern):
    col = sa.column(column, sa.String)
    return sa.or_(col.is_(None), col.regexp_match(pattern))


# revision identifiers, used by Alembic.
revision = '3f08562dadb3'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('countries',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_kk', sa.String(length=300), nullable=False),
    sa.CheckConstraint('length(code) = 2 AND upper(code) = code', name=op.f('ck_countries_code_alpha2')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_countries'))
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.Enum('memorandum', 'joint_research', 'exchange', 'roundtable', name='project_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_projects_ends_after_start')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_start_date'), ['start_date'], unique=False)

    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('kind', sa.Enum('report', 'article', 'analysis', 'interview', 'monograph', 'news', name='publication_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('venue', sa.String(length=300), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('doi', sa.String(length=255), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('visibility', sa.Enum('public', 'departmental', 'closed', name='publication_visibility', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint(_matches('doi', DOI_PATTERN), name=op.f('ck_publications_doi_format')),
    sa.CheckConstraint('length(title) > 0', name=op.f('ck_publications_title_not_empty')),
    sa.CheckConstraint('year BETWEEN 1900 AND 2100', name=op.f('ck_publications_year_plausible')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('doi', name=op.f('uq_publications_doi'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_url'), ['url'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_year'), ['year'], unique=False)

    op.create_table('topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_kk', sa.String(length=300), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['topics.id'], name=op.f('fk_topics_parent_id_topics'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topics')),
    sa.UniqueConstraint('slug', name=op.f('uq_topics_slug'))
    )
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topics_parent_id'), ['parent_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('expert', 'organiser', 'admin', name='user_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lowercase')),
    sa.CheckConstraint('length(email) >= 3', name=op.f('ck_users_email_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token'))
    )
    op.create_table('experts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('other_names', sa.JSON(), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('biography', sa.Text(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('orcid', sa.String(length=19), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint(_matches('orcid', ORCID_PATTERN), name=op.f('ck_experts_orcid_format')),
    sa.CheckConstraint('birth_year IS NULL OR (birth_year BETWEEN 1900 AND 2015)', name=op.f('ck_experts_birth_year_plausible')),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_experts_country_code_countries')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_experts_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experts')),
    sa.UniqueConstraint('orcid', name=op.f('uq_experts_orcid')),
    sa.UniqueConstraint('user_id', name=op.f('uq_experts_user_id'))
    )
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experts_country_code'), ['country_code'], unique=False)

    op.create_table('forum_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=True),
    sa.Column('name_kk', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('host_rule', sa.Enum('alternate', 'free', name='host_rule', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('country_a', sa.String(length=2), nullable=True),
    sa.Column('country_b', sa.String(length=2), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("host_rule <> 'alternate' OR (country_a IS NOT NULL AND country_b IS NOT NULL AND country_a <> country_b)", name=op.f('ck_forum_series_alternation_has_two_countries')),
    sa.ForeignKeyConstraint(['country_a'], ['countries.code'], name=op.f('fk_forum_series_country_a_countries')),
    sa.ForeignKeyConstraint(['country_b'], ['countries.code'], name=op.f('fk_forum_series_country_b_countries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_series')),
    sa.UniqueConstraint('slug', name=op.f('uq_forum_series_slug'))
    )
    op.create_table('project_topics',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_topics_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_project_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'topic_id', name=op.f('pk_project_topics'))
    )
    with op.batch_alter_table('project_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_topics_topic_id'), ['topic_id'], unique=False)

    op.create_table('publication_topics',
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_publication_topics_publication_id_publications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_publication_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('publication_id', 'topic_id', name=op.f('pk_publication_topics'))
    )
    with op.batch_alter_table('publication_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_topics_topic_id'), ['topic_id'], unique=False)

    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=True),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_kk', sa.String(length=300), nullable=True),
    sa.Column('is_border', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_regions_country_code_countries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('code', name=op.f('uq_regions_code')),
    sa.UniqueConstraint('country_code', 'name_en', name=op.f('uq_regions_country_code_name_en'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_country_code'), ['country_code'], unique=False)

    op.create_table('centres',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=True),
    sa.Column('name_kk', sa.String(length=300), nullable=True),
    sa.Column('acronym', sa.String(length=40), nullable=True),
    sa.Column('alt_names', sa.JSON(), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('state', 'academic', 'university', 'sectoral', 'independent', 'international', 'media', 'ngo', name='centre_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'departmental', 'closed', name='centre_visibility', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('studies_neighbour', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('founded_year IS NULL OR (founded_year BETWEEN 1700 AND 2100)', name=op.f('ck_centres_founded_year_plausible')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_centres_not_own_parent')),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_centres_country_code_countries')),
    sa.ForeignKeyConstraint(['parent_id'], ['centres.id'], name=op.f('fk_centres_parent_id_centres'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_centres_region_id_regions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centres'))
    )
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_centres_country_code'), ['country_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_centres_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_centres_region_id'), ['region_id'], unique=False)

    op.create_table('expert_topics',
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_topics_expert_id_experts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_expert_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('expert_id', 'topic_id', name=op.f('pk_expert_topics'))
    )
    with op.batch_alter_table('expert_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_topics_topic_id'), ['topic_id'], unique=False)

    op.create_table('forums',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('edition', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('host_country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='forum_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('edition IS NULL OR edition >= 1', name=op.f('ck_forums_edition_positive')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_forums_ends_after_start')),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name=op.f('ck_forums_year_plausible')),
    sa.ForeignKeyConstraint(['host_country'], ['countries.code'], name=op.f('fk_forums_host_country_countries')),
    sa.ForeignKeyConstraint(['series_id'], ['forum_series.id'], name=op.f('fk_forums_series_id_forum_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forums')),
    sa.UniqueConstraint('series_id', 'edition', name=op.f('uq_forums_series_id_edition'))
    )
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forums_series_id'), ['series_id'], unique=False)

    op.create_table('affiliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_affiliations_ends_after_start')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_affiliations_centre_id_centres'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_affiliations_expert_id_experts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_affiliations'))
    )
    with op.batch_alter_table('affiliations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_affiliations_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_affiliations_expert_id'), ['expert_id'], unique=False)

    op.create_table('authorships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=True),
    sa.Column('raw_name', sa.String(length=300), nullable=True),
    sa.Column('centre_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expert_id IS NOT NULL OR raw_name IS NOT NULL', name=op.f('ck_authorships_expert_or_raw_name')),
    sa.CheckConstraint('position >= 1', name=op.f('ck_authorships_position_positive')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_authorships_centre_id_centres'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_authorships_expert_id_experts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_authorships_publication_id_publications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorships')),
    sa.UniqueConstraint('publication_id', 'position', name=op.f('uq_authorships_publication_id_position'))
    )
    with op.batch_alter_table('authorships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorships_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorships_expert_id'), ['expert_id'], unique=False)

    op.create_table('centre_topics',
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_centre_topics_centre_id_centres'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_centre_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('centre_id', 'topic_id', name=op.f('pk_centre_topics'))
    )
    with op.batch_alter_table('centre_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_centre_topics_topic_id'), ['topic_id'], unique=False)

    op.create_table('project_centres',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_project_centres_centre_id_centres'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_centres_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'centre_id', name=op.f('pk_project_centres'))
    )
    with op.batch_alter_table('project_centres', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_centres_centre_id'), ['centre_id'], unique=False)

    op.create_table('rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_rooms_capacity_positive')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_rooms_forum_id_forums'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms')),
    sa.UniqueConstraint('forum_id', 'name', name=op.f('uq_rooms_forum_id_name'))
    )
    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('format', sa.Enum('plenary', 'panel', 'roundtable', 'workshop', name='session_format', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('expected_audience', sa.Integer(), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', name='session_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('(starts_at IS NULL) = (ends_at IS NULL)', name=op.f('ck_sessions_start_and_end_together')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_sessions_duration_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_sessions_ends_after_start')),
    sa.CheckConstraint('expected_audience IS NULL OR expected_audience >= 0', name=op.f('ck_sessions_audience_not_negative')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_sessions_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_sessions_room_id_rooms'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions'))
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_starts_at'), ['starts_at'], unique=False)

    op.create_table('participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('speaker', 'moderator', 'discussant', name='participation_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('invited', 'accepted', 'declined', name='participation_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_participations_expert_id_experts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_participations_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participations')),
    sa.UniqueConstraint('session_id', 'expert_id', name=op.f('uq_participations_session_id_expert_id'))
    )
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participations_expert_id'), ['expert_id'], unique=False)

    op.create_table('session_topics',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_session_topics_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_session_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'topic_id', name=op.f('pk_session_topics'))
    )
    with op.batch_alter_table('session_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_topics_topic_id'), ['topic_id'], unique=False)



def downgrade():
    with op.batch_alter_table('session_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_topics_topic_id'))

    op.drop_table('session_topics')
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participations_expert_id'))

    op.drop_table('participations')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_starts_at'))
        batch_op.drop_index(batch_op.f('ix_sessions_room_id'))
        batch_op.drop_index(batch_op.f('ix_sessions_forum_id'))

    op.drop_table('sessions')
    op.drop_table('rooms')
    with op.batch_alter_table('project_centres', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_centres_centre_id'))

    op.drop_table('project_centres')
    with op.batch_alter_table('centre_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_centre_topics_topic_id'))

    op.drop_table('centre_topics')
    with op.batch_alter_table('authorships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorships_expert_id'))
        batch_op.drop_index(batch_op.f('ix_authorships_centre_id'))

    op.drop_table('authorships')
    with op.batch_alter_table('affiliations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_affiliations_expert_id'))
        batch_op.drop_index(batch_op.f('ix_affiliations_centre_id'))

    op.drop_table('affiliations')
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forums_series_id'))

    op.drop_table('forums')
    with op.batch_alter_table('expert_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_topics_topic_id'))

    op.drop_table('expert_topics')
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_centres_region_id'))
        batch_op.drop_index(batch_op.f('ix_centres_parent_id'))
        batch_op.drop_index(batch_op.f('ix_centres_country_code'))

    op.drop_table('centres')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regions_country_code'))

    op.drop_table('regions')
    with op.batch_alter_table('publication_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_topics_topic_id'))

    op.drop_table('publication_topics')
    with op.batch_alter_table('project_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_topics_topic_id'))

    op.drop_table('project_topics')
    op.drop_table('forum_series')
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experts_country_code'))

    op.drop_table('experts')
    op.drop_table('users')
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topics_parent_id'))

    op.drop_table('topics')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_year'))
        batch_op.drop_index(batch_op.f('ix_publications_url'))

    op.drop_table('publications')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_start_date'))

    op.drop_table('projects')
    op.drop_table('countries')
