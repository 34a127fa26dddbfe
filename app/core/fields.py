"""Fields and URL converters shared by every feature's schemas and routes."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate
from werkzeug.routing import IntegerConverter

# A person's or a centre's name, in any script: the same bound wherever one is written.
NAME = validate.Length(min=1, max=300)

# Ids are PostgreSQL ``integer``s; anything larger could only ever be a 404.
MAX_ID = 2**31 - 1


class Id(ma.fields.Integer):
    """A row id: a positive 32-bit integer."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        super().__init__(**kwargs)


class IdConverter(IntegerConverter):
    """``<int:…>`` in URLs, bounded like :class:`Id` so an oversized id is a plain 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def id_converter_schema(_converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class EnumField(ma.fields.Enum):
    """An enum by value, that also dumps a plain string of a member's value (a row
    assigned a string and not yet reloaded from the database)."""

    def __init__(self, enum, **kwargs):
        super().__init__(enum, by_value=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str) and not isinstance(value, self.enum):
            value = self.enum(value)
        return super()._serialize(value, attr, obj, **kwargs)


class Trimmed(ma.fields.String):
    """Text stored without its surrounding whitespace: stripped before its length is checked,
    so a value of only spaces is refused rather than stored empty. A ``Length(min=1)`` beside
    it still tells the OpenAPI document."""

    default_error_messages = {"blank": "Must not be blank."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise self.make_error("blank")
        return text


# What a list refuses a range of years that ends before it starts with (on year_to).
YEARS_REVERSED = "Must not come before year_from."


class YearsInOrder:
    """A query schema's mixin: ``year_to`` before ``year_from`` is refused (422 on the
    API, the field's message on a page), not answered with an empty list that looks like
    nothing was found."""

    @ma.validates_schema
    def _years_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        first, last = data.get("year_from"), data.get("year_to")
        if first is not None and last is not None and last < first:
            raise ma.ValidationError(YEARS_REVERSED, "year_to")
