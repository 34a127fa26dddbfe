"""Experts and their affiliations with centres over time."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.derived import Audited, DirectoryRecord, Searchable
from app.core.models import Base, created_at, intpk, regexp_check, str_name, updated_at
from app.core.provenance import Sourced, TopicsSourced
from app.core.versioning import Versioned
from app.reference.models import Country, Topic, topic_link_table

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.centres.models import Centre

ORCID_PATTERN = r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$"

expert_topics = topic_link_table("expert_topics", "experts", "expert_id")


class Expert(Versioned, Audited, Searchable, Sourced, TopicsSourced, DirectoryRecord, Base):
    """A person who analyses the neighbour country; ``other_names`` holds every other spelling."""

    __audit__ = "expert"
    __search_type__ = "expert"
    __search_fields__ = ("full_name", "other_names")
    __tablename__ = "experts"
    __version_with__ = ("topics", "affiliations")
    __table_args__ = (
        sa.CheckConstraint(
            "birth_year IS NULL OR (birth_year BETWEEN 1900 AND 2015)",
            name="birth_year_plausible",
        ),
        regexp_check("orcid", ORCID_PATTERN, "orcid_format"),
        # Lists filter by country and sort by name.
        sa.Index("ix_experts_country_name", "country_code", "full_name"),
        # A list's COUNT by country reads who may see each expert (visible_to: user_id) from
        # this index alone, not from the table: ?country=KZ (5,030 experts) on PostgreSQL,
        # 2.1-8.6 ms -> 0.63-0.79 ms (EXPLAIN ANALYZE, vacuumed, on 2 busy cores).
        sa.Index("ix_experts_country_user", "country_code", "user_id"),
    )

    id: Mapped[intpk]
    full_name: Mapped[str_name]
    other_names: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("countries.code"), index=True)
    biography: Mapped[str | None] = mapped_column(sa.Text)
    birth_year: Mapped[int | None]
    orcid: Mapped[str | None] = mapped_column(sa.String(19), unique=True)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    country: Mapped[Country] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=expert_topics, order_by=Topic.id)
    affiliations: Mapped[list[Affiliation]] = relationship(
        back_populates="expert",
        cascade="all, delete-orphan",
        order_by="Affiliation.start_date",
    )
    user: Mapped[User | None] = relationship(back_populates="expert")

    def __repr__(self) -> str:
        return f"<Expert {self.id} {self.full_name}>"

    def search_texts(self) -> list[str]:
        return [self.full_name, *(self.other_names or [])]


class Affiliation(Audited, Sourced, DirectoryRecord, Base):
    """An expert's position at a centre from ``start_date`` to ``end_date`` (open if null).

    An affiliation with neither date is *undated*: a source names the tie but not when it held.
    It places the expert at the centre on a given day only if ``assumed`` (the editors, or the
    user who entered it, take it to hold throughout); the seeds assume nothing.
    """

    __audit__ = "affiliation"
    __tablename__ = "affiliations"
    __table_args__ = (
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name="ends_after_start",
        ),
    )

    id: Mapped[intpk]
    expert_id: Mapped[int] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    centre_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centres.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[str | None] = mapped_column(sa.String(200))
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    # Entered affiliations were always read as holding throughout: true by default.
    assumed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    expert: Mapped[Expert] = relationship(back_populates="affiliations")
    centre: Mapped[Centre] = relationship(back_populates="affiliations")

    @property
    def undated(self) -> bool:
        return self.start_date is None and self.end_date is None

    @property
    def current(self) -> bool:
        """Whether the directory lists the position as current (:meth:`current_on` today)."""
        return self.current_on(dt.date.today())

    def current_on(self, day: dt.date) -> bool:
        """Held on ``day``, or undated: a source names the tie and nothing says it ended.
        (The directory's reading; the reports' is :meth:`held_on`.)"""
        undated = self.start_date is None and self.end_date is None
        return undated or Affiliation.held_on(self, day)

    def held_on(self, day: dt.date) -> bool:
        """Whether the position was held on ``day``: open ends count as held, an undated
        position only if assumed. Plain attribute reads: rows read as namespaces use it."""
        if self.start_date is None and self.end_date is None:
            return self.assumed
        started = self.start_date is None or self.start_date <= day
        return started and (self.end_date is None or day <= self.end_date)

    @classmethod
    def current_on_sql(cls, day: Any) -> sa.ColumnElement[bool]:
        """:meth:`current_on` in SQL: open ends count as held, so an undated position too."""
        return sa.and_(
            sa.or_(cls.start_date.is_(None), cls.start_date <= day),
            sa.or_(cls.end_date.is_(None), cls.end_date >= day),
        )

    @classmethod
    def held_on_sql(cls, day: Any) -> sa.ColumnElement[bool]:
        """:meth:`held_on` in SQL."""
        return sa.and_(
            sa.or_(cls.start_date.is_not(None), cls.end_date.is_not(None), cls.assumed),
            cls.current_on_sql(day),
        )
