"""Publications and their ordered authorships."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.centres.models import Visibility
from app.core.derived import Audited, DirectoryRecord, LedgerSource, Searchable
from app.core.models import Base, created_at, enum_column, intpk, regexp_check, updated_at
from app.core.provenance import SOURCE_LENGTH, Provenance, Sourced, TopicsSourced, column
from app.core.versioning import Versioned
from app.reference.models import Topic, topic_link_table

if TYPE_CHECKING:
    from app.centres.models import Centre
    from app.experts.models import Expert

DOI_PATTERN = r"^10\.[0-9]{4,9}/\S+$"
DOI_LENGTH = 255


# CSL 1.0.2's item types: the vocabulary reference managers share, finer than our kinds.
CSL_TYPES = (
    *("article", "article-journal", "article-magazine", "article-newspaper", "bill", "book"),
    *("broadcast", "chapter", "classic", "collection", "dataset", "document", "entry"),
    *("entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing"),
    *("interview", "legal_case", "legislation", "manuscript", "map", "motion_picture"),
    *("musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical"),
    *("personal_communication", "post", "post-weblog", "regulation", "report", "review"),
    *("review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage"),
)


class PublicationKind(enum.StrEnum):
    REPORT = "report"
    ARTICLE = "article"
    ANALYSIS = "analysis"
    INTERVIEW = "interview"
    MONOGRAPH = "monograph"
    NEWS = "news"


publication_topics = topic_link_table("publication_topics", "publications", "publication_id")


class Publication(
    Versioned, Audited, Searchable, LedgerSource, Sourced, TopicsSourced, DirectoryRecord, Base
):
    """A published work; ``year`` is always known, ``published_on`` only when the day is."""

    __audit__ = "publication"
    __ledger__ = ("publication", "id")
    __search_type__ = "publication"
    __search_fields__ = ("title",)
    __tablename__ = "publications"
    __version_with__ = ("topics", "authorships")
    __table_args__ = (
        sa.CheckConstraint("year BETWEEN 1900 AND 2100", name="year_plausible"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        regexp_check("doi", DOI_PATTERN, "doi_format"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(sa.String(1000))
    kind: Mapped[PublicationKind] = mapped_column(enum_column(PublicationKind, "publication_kind"))
    year: Mapped[int] = mapped_column(index=True)
    published_on: Mapped[dt.date | None]
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    url: Mapped[str | None] = mapped_column(sa.String(1000), index=True)
    doi: Mapped[str | None] = mapped_column(sa.String(DOI_LENGTH), unique=True)
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # The type an import read, in CSL's words ("chapter", "thesis"): exported in place of
    # the kind's own type for as long as it still reads back as the kind.
    csl_type: Mapped[str | None] = mapped_column(sa.String(32))
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility, "publication_visibility"), default=Visibility.PUBLIC
    )
    abstract: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    topics: Mapped[list[Topic]] = relationship(secondary=publication_topics, order_by=Topic.id)
    authorships: Mapped[list[Authorship]] = relationship(
        back_populates="publication",
        cascade="all, delete-orphan",
        order_by="Authorship.position",
    )

    def __repr__(self) -> str:
        return f"<Publication {self.id} {self.title[:40]!r}>"

    def search_texts(self) -> list[str]:
        return [self.title]


class Authorship(Audited, LedgerSource, Sourced, DirectoryRecord, Base):
    """The author at ``position`` of a publication: a known expert, or only a raw name.

    ``centre_id`` is the centre the author spoke for in this work. ``organisation`` marks a
    raw name that is a body ("Africa News"), not a person: it is exported whole, never
    split into given and family names. An expert is always a person. ``provenance`` is
    the authorship's (this person wrote this); ``centre_provenance`` the centre's, which a
    source may leave to inference.
    """

    __audit__ = "authorship"
    __ledger__ = ("publication", "publication_id")
    __tablename__ = "authorships"
    __table_args__ = (
        sa.UniqueConstraint("publication_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
        sa.CheckConstraint(
            "expert_id IS NOT NULL OR raw_name IS NOT NULL", name="expert_or_raw_name"
        ),
        sa.CheckConstraint("NOT organisation OR expert_id IS NULL", name="organisation_not_expert"),
    )

    id: Mapped[intpk]
    publication_id: Mapped[int] = mapped_column(
        sa.ForeignKey("publications.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    expert_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="SET NULL"), index=True
    )
    raw_name: Mapped[str | None] = mapped_column(sa.String(300))
    organisation: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    centre_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("centres.id", ondelete="SET NULL"), index=True
    )
    centre_provenance: Mapped[Provenance] = column("centre_provenance")
    centre_source: Mapped[str | None] = mapped_column(sa.String(SOURCE_LENGTH))

    publication: Mapped[Publication] = relationship(back_populates="authorships")
    expert: Mapped[Expert | None] = relationship()
    centre: Mapped[Centre | None] = relationship()
