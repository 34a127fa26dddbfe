"""Forum series, their editions, rooms, sessions and participations."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.derived import Audited, LedgerSource, ReportSource
from app.core.i18n import name_in
from app.core.models import Base, UTCDateTime, created_at, enum_column, intpk, updated_at
from app.core.provenance import Sourced
from app.core.versioning import Versioned
from app.reference.models import Country, Region, Topic, topic_link_table

if TYPE_CHECKING:
    from app.experts.models import Expert


class HostRule(enum.StrEnum):
    ALTERNATE = "alternate"
    FREE = "free"


class PublicationStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ForumState(enum.StrEnum):
    """Whether an edition keeps its dates: a postponed one did not take place then (its
    number may be held again later, as the XVII Interregional Forum was in 2021)."""

    ON_SCHEDULE = "on_schedule"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class SessionFormat(enum.StrEnum):
    PLENARY = "plenary"
    PANEL = "panel"
    ROUNDTABLE = "roundtable"
    WORKSHOP = "workshop"


class ParticipationRole(enum.StrEnum):
    SPEAKER = "speaker"
    MODERATOR = "moderator"
    DISCUSSANT = "discussant"


class ParticipationStatus(enum.StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    MOVED = "moved"
    RENAMED = "renamed"
    CANCELLED = "cancelled"
    SPEAKER_JOINED = "speaker_joined"
    SPEAKER_LEFT = "speaker_left"


class ForumSeries(Versioned, Audited, Sourced, ReportSource, Base):
    """A recurring forum; with ``host_rule`` alternate, editions swap between two countries."""

    __audit__ = "forum_series"
    __tablename__ = "forum_series"
    __table_args__ = (
        sa.CheckConstraint(
            "host_rule <> 'alternate' OR (country_a IS NOT NULL AND country_b IS NOT NULL "
            "AND country_a <> country_b)",
            name="alternation_has_two_countries",
        ),
    )

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(300))
    name_ru: Mapped[str | None] = mapped_column(sa.String(300))
    name_kk: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    host_rule: Mapped[HostRule] = mapped_column(enum_column(HostRule, "host_rule"))
    country_a: Mapped[str | None] = mapped_column(sa.ForeignKey("countries.code"))
    country_b: Mapped[str | None] = mapped_column(sa.ForeignKey("countries.code"))
    created_at: Mapped[created_at]

    forums: Mapped[list[Forum]] = relationship(back_populates="series", order_by="Forum.edition")


class Forum(Versioned, Audited, Sourced, ReportSource, Base):
    """One edition of a forum, held in ``host_country`` between two dates, in a time zone."""

    __audit__ = "forum"
    __tablename__ = "forums"
    __table_args__ = (
        # One edition of each number takes place; postponed attempts may share it.
        sa.Index(
            "uq_forums_series_id_edition",
            "series_id",
            "edition",
            unique=True,
            sqlite_where=sa.text("state <> 'postponed'"),
            postgresql_where=sa.text("state <> 'postponed'"),
        ),
        sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="year_plausible"),
        sa.CheckConstraint("edition IS NULL OR edition >= 1", name="edition_positive"),
    )

    id: Mapped[intpk]
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forum_series.id", ondelete="SET NULL"), index=True
    )
    # The title and city in English (required; the fallback), Russian and Kazakh:
    # app.core.i18n.name_in picks the reader's.
    title: Mapped[str] = mapped_column(sa.String(300))
    title_ru: Mapped[str | None] = mapped_column(sa.String(300))
    title_kk: Mapped[str | None] = mapped_column(sa.String(300))
    edition: Mapped[int | None]
    year: Mapped[int]
    host_country: Mapped[str] = mapped_column(sa.ForeignKey("countries.code"))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    city_ru: Mapped[str | None] = mapped_column(sa.String(120))
    city_kk: Mapped[str | None] = mapped_column(sa.String(120))
    region_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("regions.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[PublicationStatus] = mapped_column(
        enum_column(PublicationStatus, "forum_status"), default=PublicationStatus.DRAFT
    )
    state: Mapped[ForumState] = mapped_column(
        enum_column(ForumState, "forum_state"),
        default=ForumState.ON_SCHEDULE,
        server_default=ForumState.ON_SCHEDULE.value,
    )
    state_reason: Mapped[str | None] = mapped_column(sa.String(300))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    series: Mapped[ForumSeries | None] = relationship(back_populates="forums")
    country: Mapped[Country] = relationship()
    region: Mapped[Region | None] = relationship()
    rooms: Mapped[list[Room]] = relationship(
        back_populates="forum", cascade="all, delete-orphan", order_by="Room.id"
    )
    sessions: Mapped[list[ForumSession]] = relationship(
        back_populates="forum", cascade="all, delete-orphan", order_by="ForumSession.id"
    )

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` where the forum has one (:func:`name_in`'s fallbacks)."""
        return name_in(lang, en=self.title, ru=self.title_ru, kk=self.title_kk)

    def city_in(self, lang: str) -> str | None:
        """The city in ``lang`` where the forum has one; None with no city at all."""
        if self.city is None:
            return None
        return name_in(lang, en=self.city, ru=self.city_ru, kk=self.city_kk)


class Room(Versioned, Audited, Base):
    __audit__ = "room"
    __tablename__ = "rooms"
    __version_with__ = ("windows",)
    __table_args__ = (
        sa.UniqueConstraint("forum_id", "name"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[intpk]
    forum_id: Mapped[int] = mapped_column(sa.ForeignKey("forums.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    capacity: Mapped[int]

    forum: Mapped[Forum] = relationship(back_populates="rooms")
    windows: Mapped[list[RoomWindow]] = relationship(
        back_populates="room", cascade="all, delete-orphan", order_by="RoomWindow.starts_at"
    )


class RoomWindow(Base):
    """A stretch of time a room can be used; a room without windows is open all forum long."""

    __tablename__ = "room_windows"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[intpk]
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    room: Mapped[Room] = relationship(back_populates="windows")

    @property
    def timezone(self) -> str:
        return self.room.forum.timezone


class Availability(Base):
    """When an expert can take part in a forum; an expert who gave none is taken as free."""

    __tablename__ = "availabilities"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_availabilities_forum_expert", "forum_id", "expert_id"),
    )

    id: Mapped[intpk]
    forum_id: Mapped[int] = mapped_column(sa.ForeignKey("forums.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    forum: Mapped[Forum] = relationship()
    expert: Mapped[Expert] = relationship()

    @property
    def timezone(self) -> str:
        return self.forum.timezone


class ProgrammeChange(Base):
    """A change to a published programme, shown to the public as its changelog."""

    __tablename__ = "programme_changes"

    id: Mapped[intpk]
    forum_id: Mapped[int] = mapped_column(
        sa.ForeignKey("forums.id", ondelete="CASCADE"), index=True
    )
    # The entry outlives a cancelled session, so no cascade; the title is kept in the summary.
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="SET NULL")
    )
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind, "change_kind"))
    summary: Mapped[str] = mapped_column(sa.String(1000))
    created_at: Mapped[created_at]


session_topics = topic_link_table("session_topics", "sessions", "session_id")


class ForumSession(Versioned, Audited, LedgerSource, ReportSource, Base):
    """A session of a forum; without ``starts_at`` it is not yet scheduled."""

    __audit__ = "session"
    __ledger__ = ("session", "id")
    __tablename__ = "sessions"
    __version_with__ = ("topics",)
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint(
            "(starts_at IS NULL) = (ends_at IS NULL)", name="start_and_end_together"
        ),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint(
            "expected_audience IS NULL OR expected_audience >= 0", name="audience_not_negative"
        ),
    )

    id: Mapped[intpk]
    forum_id: Mapped[int] = mapped_column(
        sa.ForeignKey("forums.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    format: Mapped[SessionFormat] = mapped_column(enum_column(SessionFormat, "session_format"))
    description: Mapped[str | None] = mapped_column(sa.Text)
    expected_audience: Mapped[int | None]
    duration_minutes: Mapped[int] = mapped_column(default=90)
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    room_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("rooms.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[PublicationStatus] = mapped_column(
        enum_column(PublicationStatus, "session_status"), default=PublicationStatus.DRAFT
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    forum: Mapped[Forum] = relationship(back_populates="sessions")
    room: Mapped[Room | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=session_topics, order_by=Topic.id)
    participations: Mapped[list[Participation]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Participation.id"
    )

    @property
    def room_name(self) -> str | None:
        return self.room.name if self.room is not None else None


class Participation(Versioned, Audited, LedgerSource, ReportSource, Base):
    """An expert's part in a session; created as an invitation, answered by the expert."""

    __audit__ = "participation"
    __ledger__ = ("session", "session_id")
    __tablename__ = "participations"
    __table_args__ = (sa.UniqueConstraint("session_id", "expert_id"),)

    id: Mapped[intpk]
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ParticipationRole] = mapped_column(
        enum_column(ParticipationRole, "participation_role")
    )
    status: Mapped[ParticipationStatus] = mapped_column(
        enum_column(ParticipationStatus, "participation_status"),
        default=ParticipationStatus.INVITED,
    )
    invited_at: Mapped[created_at]
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[ForumSession] = relationship(back_populates="participations")
    expert: Mapped[Expert] = relationship()
