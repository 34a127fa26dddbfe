"""Where a fact comes from: the report, a public source, the editors' judgement, a placeholder,
or a user of the platform.

Seeded records say it in ``seeds/data`` (``provenance`` and ``source``); a record written
through the API or the pages is ``entered``, never one of the seeded kinds, so a report
asked for ``provenance=report`` or ``public`` leaves it out. The kinds are ordered from the
strongest to the weakest: a fact that rests on several carries the weakest (``weakest``), and
a report's filter keeps the kinds up to the one it names (``up_to``).
"""

from __future__ import annotations

import enum
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column

from app.core.fields import EnumField
from app.core.models import enum_column


class Provenance(enum.StrEnum):
    REPORT = "report"  # the report says it (source: its note or section)
    PUBLIC = "public"  # a public source says it (source: the reference)
    EDITORIAL = "editorial"  # the editors' judgement, said as such
    PLACEHOLDER = "placeholder"  # a planning placeholder, not a fact
    ENTERED = "entered"  # written by a user of the platform, not seeded


# Strongest first. ``entered`` sits after ``editorial``: no editor vouched for it.
ORDER: tuple[Provenance, ...] = (
    Provenance.REPORT,
    Provenance.PUBLIC,
    Provenance.EDITORIAL,
    Provenance.ENTERED,
    Provenance.PLACEHOLDER,
)
RANK = {kind: i for i, kind in enumerate(ORDER)}
# What a report's ``provenance`` parameter admits; ``all`` admits everything.
FILTERS = {"report": Provenance.REPORT, "public": Provenance.PUBLIC, "all": None}
SOURCE_LENGTH = 500


def up_to(name: str | None) -> list[Provenance] | None:
    """The kinds a filter admits (``None``: every kind)."""
    limit = FILTERS.get(name or "all")
    return None if limit is None else list(ORDER[: RANK[limit] + 1])


def column(name: str) -> Any:
    """A provenance column: ``entered`` unless the seeds say otherwise."""
    return mapped_column(
        enum_column(Provenance, name),
        default=Provenance.ENTERED,
        server_default=Provenance.ENTERED.value,
    )


class Sourced:
    """Mixin: where a record comes from, and the note, section or reference that says so."""

    provenance: Mapped[Provenance] = column("provenance")
    source: Mapped[str | None] = mapped_column(sa.String(SOURCE_LENGTH))


class TopicsSourced:
    """Mixin: where a record's topic list comes from. One provenance per list, not per
    assignment: every list was chosen in one act (the report's passage, or the editors'
    reading of a remit), and a per-row column would turn four link tables into models."""

    topics_provenance: Mapped[Provenance] = column("topics_provenance")
    topics_source: Mapped[str | None] = mapped_column(sa.String(SOURCE_LENGTH))


# -- in SQL ---------------------------------------------------------------------------------


def rank(value: Any) -> sa.ColumnElement[int]:
    """A provenance column (or literal) as its rank, 0 the strongest."""
    return sa.case({kind.value: i for kind, i in RANK.items()}, value=value, else_=len(ORDER))


def kind_of(rank_: Any) -> sa.ColumnElement[Provenance]:
    """A rank back as the provenance it stands for (read as the enum, as columns are)."""
    case = sa.case({i: kind.value for kind, i in RANK.items()}, value=rank_)
    return sa.type_coerce(case, enum_column(Provenance, "provenance"))


def literal(kind: Provenance) -> sa.ColumnElement[Provenance]:
    return kind_of(literal_rank(kind))


def literal_rank(kind: Provenance) -> sa.ColumnElement[int]:
    return sa.literal(RANK[kind], sa.Integer)


class weakest(sa.sql.functions.GenericFunction):
    """The greatest of several ranks: ``GREATEST`` on PostgreSQL, scalar ``max`` on SQLite."""

    type = sa.Integer()
    inherit_cache = True


@compiles(weakest, "postgresql")
def _weakest_pg(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(weakest, "sqlite")
def _weakest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


# -- in the API -----------------------------------------------------------------------------
# Read-only fields, declared last in each schema so that CSV exports keep their columns first.


def kind_field() -> EnumField:
    return EnumField(Provenance, dump_only=True)


def source_field() -> ma.fields.String:
    return ma.fields.String(dump_only=True, allow_none=True)
