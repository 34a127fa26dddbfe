"""Job files: what an export job made, kept in the database until it expires (app.jobs).

Revision ID: 5b7d2c9e4f13
Revises: b7d41c9e2f60
Create Date: 2026-12-04 23:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "5b7d2c9e4f13"
down_revision = "b7d41c9e2f60"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_files",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_job_files_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_files_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_files")),
    )
    with op.batch_alter_table("job_files") as batch_op:
        batch_op.create_index(batch_op.f("ix_job_files_expires_at"), ["expires_at"], unique=False)


def downgrade():
    op.drop_table("job_files")  # its index goes with it
