"""Column values to JSON and back, chosen by the column's type, the same on every database.

Datetimes keep their offset (the app's are UTC), dates and times are ISO strings, enums
their stored value, decimals strings (no float rounding), binary base64; JSON, booleans,
integers, floats and strings are themselves. A type with no codec is refused at export,
never written in some guessed form.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class Codec:
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _iso(value: Any) -> str:
    return value.isoformat()


PLAIN = Codec(_same, _same)
BY_PYTHON_TYPE = {
    bool: PLAIN,
    int: PLAIN,
    float: PLAIN,
    str: PLAIN,
    dt.datetime: Codec(_iso, dt.datetime.fromisoformat),
    dt.date: Codec(_iso, dt.date.fromisoformat),
    dt.time: Codec(_iso, dt.time.fromisoformat),
    decimal.Decimal: Codec(str, decimal.Decimal),
    bytes: Codec(lambda b: base64.b64encode(b).decode("ascii"), base64.b64decode),
}


class UnknownType(TypeError):
    """A column whose type no codec handles: add one before archiving it."""


def codec_for(column: sa.Column) -> Codec:
    """The codec for a column; raises :class:`UnknownType` for a type it cannot carry."""
    type_ = column.type
    if isinstance(type_, sa.JSON):
        return PLAIN
    if isinstance(type_, sa.Enum):
        return Codec(_enum_value, _same)  # the stored value; the type checks it on insert
    try:
        python_type = type_.python_type
    except NotImplementedError:
        python_type = None
    if python_type not in BY_PYTHON_TYPE:
        raise UnknownType(f"{column.table.name}.{column.name}: no codec for {column.type!r}")
    return BY_PYTHON_TYPE[python_type]


def row_codec(table: sa.Table) -> tuple[Callable[[Any], list], Callable[[list], dict]]:
    """(encode a result row to a list, decode such a list to insert parameters) for a table."""
    names = [c.name for c in table.columns]
    codecs = [codec_for(c) for c in table.columns]

    def encode(row: Any) -> list:
        return [None if v is None else c.encode(v) for c, v in zip(codecs, row, strict=True)]

    def decode(values: list) -> dict:
        return {
            n: None if v is None else c.decode(v)
            for n, c, v in zip(names, codecs, values, strict=True)
        }

    return encode, decode
