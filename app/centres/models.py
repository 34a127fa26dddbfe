"""Think tanks and analytical centres."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.derived import Audited, DirectoryRecord, Searchable
from app.core.models import Base, created_at, enum_column, intpk, str_name, updated_at
from app.core.provenance import Sourced, TopicsSourced
from app.core.versioning import Versioned
from app.reference.models import Country, Region, Topic, topic_link_table

if TYPE_CHECKING:
    from app.experts.models import Affiliation


class CentreKind(enum.StrEnum):
    STATE = "state"
    ACADEMIC = "academic"
    UNIVERSITY = "university"
    SECTORAL = "sectoral"
    INDEPENDENT = "independent"
    INTERNATIONAL = "international"
    MEDIA = "media"
    NGO = "ngo"


class Visibility(enum.StrEnum):
    """How openly a centre's (or a publication's) output reaches the public."""

    PUBLIC = "public"
    DEPARTMENTAL = "departmental"
    CLOSED = "closed"


class AcronymSource(enum.StrEnum):
    """Whose acronym it is: the centre's own, the report's rendering, or one coined here
    for want of any (then names show in full, not the acronym)."""

    OWN = "own"
    REPORT = "report"
    COINED = "coined"


centre_topics = topic_link_table("centre_topics", "centres", "centre_id")


def short_name(acronym: str | None, source: str | None, full_name: str) -> str:
    """A coined acronym is no name anyone uses: fall back on the full name."""
    return acronym if acronym and source != AcronymSource.COINED else full_name


class Centre(Versioned, Audited, Searchable, Sourced, TopicsSourced, DirectoryRecord, Base):
    """An analytical centre; departments hang under their parent through ``parent_id``."""

    __audit__ = "centre"
    __search_type__ = "centre"
    __search_fields__ = ("name_en", "name_ru", "name_kk", "acronym", "alt_names")
    __tablename__ = "centres"
    __version_with__ = ("topics",)
    __table_args__ = (
        sa.CheckConstraint(
            "founded_year IS NULL OR (founded_year BETWEEN 1700 AND 2100)",
            name="founded_year_plausible",
        ),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        # Lists filter by country and sort by name.
        sa.Index("ix_centres_country_name", "country_code", "name_en"),
    )

    id: Mapped[intpk]
    name_en: Mapped[str_name]
    name_ru: Mapped[str | None] = mapped_column(sa.String(300))
    name_kk: Mapped[str | None] = mapped_column(sa.String(300))
    acronym: Mapped[str | None] = mapped_column(sa.String(40))
    acronym_source: Mapped[AcronymSource] = mapped_column(
        enum_column(AcronymSource, "acronym_source"),
        default=AcronymSource.OWN,
        server_default=AcronymSource.OWN.value,
    )
    alt_names: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("countries.code"), index=True)
    # In English (the fallback), Russian and Kazakh: app.core.i18n.name_in picks one.
    city: Mapped[str | None] = mapped_column(sa.String(120))
    city_ru: Mapped[str | None] = mapped_column(sa.String(120))
    city_kk: Mapped[str | None] = mapped_column(sa.String(120))
    region_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("regions.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[CentreKind] = mapped_column(enum_column(CentreKind, "centre_kind"))
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility, "centre_visibility"), default=Visibility.PUBLIC
    )
    studies_neighbour: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    website: Mapped[str | None] = mapped_column(sa.String(500))
    founded_year: Mapped[int | None]
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("centres.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    country: Mapped[Country] = relationship()
    region: Mapped[Region | None] = relationship()
    parent: Mapped[Centre | None] = relationship(remote_side="Centre.id", back_populates="units")
    units: Mapped[list[Centre]] = relationship(back_populates="parent")
    topics: Mapped[list[Topic]] = relationship(secondary=centre_topics, order_by=Topic.id)
    affiliations: Mapped[list[Affiliation]] = relationship(back_populates="centre")

    def __repr__(self) -> str:
        return f"<Centre {self.id} {self.acronym or self.name_en}>"

    @property
    def label(self) -> str:
        """How lists name the centre: an acronym it or the report uses, else its full name."""
        return short_name(self.acronym, self.acronym_source, self.name_en)

    def search_texts(self) -> list[str | None]:
        return [self.name_en, self.name_ru, self.name_kk, self.acronym, *(self.alt_names or [])]
