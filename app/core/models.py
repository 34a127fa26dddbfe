"""The declarative base, naming convention and column types every model shares."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

# Every constraint and index gets a predictable name, so migrations can drop and
# alter them on both SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    marked as UTC on the way out; PostgreSQL uses ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        return dt.datetime  # a TypeDecorator says ``object`` unless told

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enum_column(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, storing the values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


intpk = Annotated[int, mapped_column(primary_key=True)]
str_name = Annotated[str, mapped_column(sa.String(300))]
created_at = Annotated[
    dt.datetime, mapped_column(UTCDateTime(), default=utcnow, server_default=sa.func.now())
]
updated_at = Annotated[
    dt.datetime,
    mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=sa.func.now()),
]


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def regexp_check(column: str, pattern: str, name: str) -> sa.CheckConstraint:
    """A CHECK that a column matches a regular expression, portable across dialects.

    SQLAlchemy renders ``regexp_match`` as ``REGEXP`` on SQLite (registering a
    Python function on each connection) and ``~`` on PostgreSQL.
    """
    col = sa.column(column, sa.String)
    return sa.CheckConstraint(sa.or_(col.is_(None), col.regexp_match(pattern)), name=name)
