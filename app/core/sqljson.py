"""JSON built in SQL, spelt for each database: many rows' values read as one value.

A list page that read each item's topics and affiliations as rows paid a statement and
a result row apiece; aggregated, they come back as one JSON value per item, read as a
Python list. JSON keeps strings, numbers and nulls; the caller turns dates (ISO strings)
and SQLite's booleans (0 and 1) back with :func:`from_json`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class JsonText(sa.types.TypeDecorator):
    """JSON that the database sends as text, parsed by orjson: a page's aggregates took
    a tenth of its time in the standard library's parser (psycopg's and SQLAlchemy's).

    Only for JSON built here from columns: orjson reads an integer beyond 64 bits as a
    float, where ``json`` keeps it, and no such column is aggregated."""

    impl = sa.Text
    cache_ok = True

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        return None if value is None else orjson.loads(value)


class json_array(GenericFunction):
    """A JSON array of the arguments: ``json_build_array`` on PostgreSQL, ``json_array``
    on SQLite."""

    type = sa.JSON()
    inherit_cache = True


class json_array_agg(GenericFunction):
    """An aggregate: the JSON array of its argument over the group's rows, in no set order;
    ``json_agg`` on PostgreSQL (null over no rows), ``json_group_array`` on SQLite (``[]``).
    Read as :class:`JsonText`: PostgreSQL's is sent as text, not as ``json``."""

    type = JsonText()
    inherit_cache = True


@compiles(json_array, "postgresql")
def _json_array_pg(element, compiler, **kw) -> str:
    return f"json_build_array({compiler.process(element.clauses, **kw)})"


@compiles(json_array_agg, "postgresql")
def _json_array_agg_pg(element, compiler, **kw) -> str:
    return f"CAST(json_agg({compiler.process(element.clauses, **kw)}) AS TEXT)"


@compiles(json_array_agg, "sqlite")
def _json_array_agg_sqlite(element, compiler, **kw) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


def from_json(column: sa.ColumnElement) -> Callable[[Any], Any]:
    """What turns ``column``'s value, read back from JSON, into what reading the column
    gives: a date from its ISO text, a boolean, an enum member; else the value itself."""
    kind = column.type
    if isinstance(kind, sa.Date) and not isinstance(kind, sa.DateTime):
        return lambda value: None if value is None else dt.date.fromisoformat(value)
    if isinstance(kind, sa.Boolean):
        return lambda value: None if value is None else bool(value)
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return _enum_reader(kind)
    if isinstance(kind, (sa.Integer, sa.String)):
        return lambda value: value
    raise TypeError(f"{column} ({kind}) is not read back from JSON here")


def _enum_reader(kind: sa.Enum) -> Callable[[Any], Any]:
    # The stored string (a member's value or name, as the column stores it) to the member.
    members = dict(zip(kind.enums, kind.enum_class, strict=True))
    return lambda value: None if value is None else members[value]
