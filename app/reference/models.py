"""Reference data: countries, their regions, and the controlled vocabulary of topics."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.derived import DirectoryRecord
from app.core.models import Base, intpk, str_name
from app.core.provenance import Sourced


class Country(DirectoryRecord, Base):
    """A country by its ISO 3166-1 alpha-2 code, named in three languages."""

    __tablename__ = "countries"
    __table_args__ = (
        sa.CheckConstraint("length(code) = 2 AND upper(code) = code", name="code_alpha2"),
    )

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    name_en: Mapped[str_name]
    name_ru: Mapped[str_name]
    name_kk: Mapped[str_name]

    regions: Mapped[list[Region]] = relationship(back_populates="country", order_by="Region.id")

    def __repr__(self) -> str:
        return f"<Country {self.code}>"


class Region(DirectoryRecord, Base):
    """A first-level region of a country; ``is_border`` marks the Russia–Kazakhstan border."""

    __tablename__ = "regions"
    __table_args__ = (sa.UniqueConstraint("country_code", "name_en"),)

    id: Mapped[intpk]
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("countries.code"), index=True)
    code: Mapped[str | None] = mapped_column(sa.String(10), unique=True)  # ISO 3166-2
    name_en: Mapped[str_name]
    name_ru: Mapped[str_name]
    name_kk: Mapped[str | None] = mapped_column(sa.String(300))
    is_border: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    country: Mapped[Country] = relationship(back_populates="regions")

    def __repr__(self) -> str:
        return f"<Region {self.code or self.name_en}>"


class Topic(Sourced, DirectoryRecord, Base):
    """A field of the roadmap; topics nest one level or more through ``parent_id``."""

    __tablename__ = "topics"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_en: Mapped[str_name]
    name_ru: Mapped[str_name]
    name_kk: Mapped[str | None] = mapped_column(sa.String(300))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="SET NULL"), index=True
    )

    parent: Mapped[Topic | None] = relationship(remote_side="Topic.id", back_populates="children")
    children: Mapped[list[Topic]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


def topic_link_table(name: str, owner_table: str, owner_column: str) -> sa.Table:
    """An association table linking rows of ``owner_table`` to topics."""
    return sa.Table(
        name,
        Base.metadata,
        sa.Column(
            owner_column,
            sa.ForeignKey(f"{owner_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "topic_id",
            sa.ForeignKey("topics.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
    )
