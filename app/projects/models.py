"""Joint projects and agreements between centres."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.derived import Audited, DirectoryRecord, LedgerSource, Searchable
from app.core.models import Base, created_at, enum_column, intpk, updated_at
from app.core.provenance import Sourced, TopicsSourced
from app.core.versioning import Versioned
from app.reference.models import Topic, topic_link_table

if TYPE_CHECKING:
    from app.centres.models import Centre


class ProjectKind(enum.StrEnum):
    MEMORANDUM = "memorandum"
    JOINT_RESEARCH = "joint_research"
    EXCHANGE = "exchange"
    ROUNDTABLE = "roundtable"


project_topics = topic_link_table("project_topics", "projects", "project_id")


class Project(
    Versioned, Audited, Searchable, LedgerSource, Sourced, TopicsSourced, DirectoryRecord, Base
):
    """A joint project or agreement; it runs from ``start_date`` to ``end_date`` (open if null)."""

    __audit__ = "project"
    __ledger__ = ("project", "id")
    __search_type__ = "project"
    __search_fields__ = ("title",)
    __tablename__ = "projects"
    __version_with__ = ("topics", "participants")
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(sa.String(500))
    kind: Mapped[ProjectKind] = mapped_column(enum_column(ProjectKind, "project_kind"))
    description: Mapped[str | None] = mapped_column(sa.Text)
    start_date: Mapped[dt.date] = mapped_column(index=True)
    end_date: Mapped[dt.date | None]
    url: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    topics: Mapped[list[Topic]] = relationship(secondary=project_topics, order_by=Topic.id)
    participants: Mapped[list[ProjectCentre]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )

    def search_texts(self) -> list[str]:
        return [self.title]


class ProjectCentre(Audited, LedgerSource, DirectoryRecord, Base):
    """A centre taking part in a project."""

    __audit__ = "project_centre"
    __ledger__ = ("project", "project_id")
    __tablename__ = "project_centres"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    centre_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str | None] = mapped_column(sa.String(100))

    project: Mapped[Project] = relationship(back_populates="participants")
    centre: Mapped[Centre] = relationship()
