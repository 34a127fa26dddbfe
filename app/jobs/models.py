"""A job: what runs, for whom, how far it got, and how it ended."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, UTCDateTime, created_at, enum_column


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(Base):
    """One run of a registered kind. The id is a random UUID: it says nothing of how many
    jobs there are, any host makes one without asking the database, and it doubles as
    the RQ job's id."""

    __tablename__ = "jobs"
    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The sweeper looks for running jobs whose heartbeat lapsed.
        sa.Index("ix_jobs_status_heartbeat_at", "status", "heartbeat_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(64))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus, "job_status"), default=JobStatus.QUEUED
    )
    progress: Mapped[float] = mapped_column(default=0.0, server_default=sa.text("0"))
    message: Mapped[str | None] = mapped_column(sa.String(300))
    # What the handler needs, read in the request (JSON, so a retry or another host has it).
    # Deferred: it may be large (an import's upload), and reading a job's state needs none.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)
    result: Mapped[Any | None] = mapped_column(sa.JSON)
    # The answer the endpoint would have given: {"code", "status", "message", "errors"}.
    error: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    attempts: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    cancel_requested: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[created_at]
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class JobFile(Base):
    """The file a job made (an export), kept in the database so every host serves it,
    until ``expires_at``; ``flask jobs sweep`` and each new file delete expired ones."""

    __tablename__ = "job_files"
    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_not_negative"),)

    job_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(200))
    size: Mapped[int]
    # Deferred: reading the row for its headers loads no body; downloads read it in parts.
    body: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
