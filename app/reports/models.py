"""The collaboration ledger: every Russia–Kazakhstan tie, with its evidence.

A row is one tie between a Russian and a Kazakh centre (or expert), from one source: a
joint publication, a shared published session, or a joint project. ``kind`` and
``source_id`` name the record it was derived from, so every figure traces back to records.
``provenance`` is the weakest provenance of the facts the tie rests on (the best-supported
reading where several give it), so a report keeps only what a source supports with a WHERE.
The ledger is derived data: ``app.reports.ledger`` keeps it in step with every write and
can rebuild it from scratch.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.derived import ReportSource
from app.core.models import Base, enum_column, intpk
from app.core.provenance import Provenance


class TieKind(enum.StrEnum):
    PUBLICATION = "publication"
    SESSION = "session"
    PROJECT = "project"


class CentreTie(Base):
    __tablename__ = "centre_ties"
    __table_args__ = (
        sa.UniqueConstraint("kind", "source_id", "ru_centre_id", "kz_centre_id"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.Index("ix_centre_ties_pair", "ru_centre_id", "kz_centre_id"),
        sa.Index("ix_centre_ties_kz_centre", "kz_centre_id"),
        sa.Index("ix_centre_ties_source", "kind", "source_id"),
    )

    id: Mapped[intpk]
    kind: Mapped[TieKind] = mapped_column(enum_column(TieKind, "tie_kind"))
    source_id: Mapped[int]
    ru_centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id", ondelete="CASCADE"))
    kz_centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id", ondelete="CASCADE"))
    starts_on: Mapped[dt.date]
    # A project runs to its end date (open while null); a publication or session is one day.
    ends_on: Mapped[dt.date | None]
    provenance: Mapped[Provenance] = mapped_column(enum_column(Provenance, "tie_provenance"))


class ExpertTie(Base):
    __tablename__ = "expert_ties"
    __table_args__ = (
        sa.UniqueConstraint("kind", "source_id", "ru_expert_id", "kz_expert_id"),
        sa.Index("ix_expert_ties_pair", "ru_expert_id", "kz_expert_id"),
        sa.Index("ix_expert_ties_kz_expert", "kz_expert_id"),
        sa.Index("ix_expert_ties_source", "kind", "source_id"),
    )

    id: Mapped[intpk]
    kind: Mapped[TieKind] = mapped_column(enum_column(TieKind, "expert_tie_kind"))
    source_id: Mapped[int]
    ru_expert_id: Mapped[int] = mapped_column(sa.ForeignKey("experts.id", ondelete="CASCADE"))
    kz_expert_id: Mapped[int] = mapped_column(sa.ForeignKey("experts.id", ondelete="CASCADE"))
    starts_on: Mapped[dt.date]
    provenance: Mapped[Provenance] = mapped_column(enum_column(Provenance, "expert_tie_provenance"))


class FindingKind(enum.StrEnum):
    """What sort of claim a finding is, and so what the data could show of it."""

    COUNT = "count"  # a number of things: centres, regions, people
    SHARE = "share"  # a percentage or proportion
    TREND = "trend"  # a change over time
    AGE = "age"  # an average age
    EVENT = "event"  # a dated event
    ASSESSMENT = "assessment"  # a judgement in words


class Finding(ReportSource, Base):
    """One claim of the roadmap report: its Italian words as printed, an English rendering,
    and the measure (``app.reports.findings``) that shows what the records say of it."""

    __tablename__ = "findings"
    __table_args__ = (sa.CheckConstraint("position >= 1", name="position_positive"),)

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    position: Mapped[int]
    kind: Mapped[FindingKind] = mapped_column(enum_column(FindingKind, "finding_kind"))
    section: Mapped[str] = mapped_column(sa.String(120))
    quote_it: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str] = mapped_column(sa.Text)
    # None when the records cannot show the claim (officials, trade, population).
    measure: Mapped[str | None] = mapped_column(sa.String(80))
