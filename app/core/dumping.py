"""Schema dumps compiled once from a marshmallow schema's fields.

marshmallow's ``Schema.dump`` dispatches every field of every object through four calls
(``serialize``, ``get_value``, ``get_attribute``, ``utils.get_value``) before the field's
own ``_serialize``: a page of 20 experts with their affiliations took ~0.55 ms, most of a
logged-in list's CPU after its SQL. :class:`CompiledDump` reads each field's value with
one ``getattr`` and converts strings, integers, lists and nested schemas inline; any
other field is still converted by its own ``_serialize``, and anything marshmallow could
do differently (a field or schema that overrides how values are read, dump hooks, an
object read by key) is left to marshmallow. tests/core/test_dumping.py checks the output
against marshmallow's own for every schema that uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import fields, utils
from marshmallow.decorators import POST_DUMP, PRE_DUMP

Convert = Callable[[Any, str, Any], Any]  # (value, attr, obj), as Field._serialize


class CompiledDump:
    """A schema mixin whose ``dump`` runs through :func:`compile_dump` (same output)."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        many = self.many if many is None else bool(many)
        # Compiled for these fields: a copy (marshmallow's Nested copies a schema given as
        # an instance, then sets only/exclude) builds fields of its own, so compiles anew.
        fields_, one = self.__dict__.get("_dump_compiled", (None, None))
        if fields_ is not self.dump_fields:
            one = compile_dump(self)
            self._dump_compiled = (self.dump_fields, one)
        if one is None or obj is None:
            return super().dump(obj, many=many)
        return [one(item) for item in obj] if many else one(obj)


_OWN_DUMPS = {ma.Schema.dump, CompiledDump.dump}


def compile_dump(schema: ma.Schema) -> Callable[[Any], dict] | None:
    """A function dumping one object as ``schema.dump`` does, or ``None`` where marshmallow
    must: dump hooks to run, or a schema that dumps its own way."""
    if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
        return None
    if type(schema).dump not in _OWN_DUMPS or type(schema)._serialize is not ma.Schema._serialize:
        return None
    own_reader = type(schema).get_attribute is ma.Schema.get_attribute
    steps = [_step(schema, attr, field, own_reader) for attr, field in schema.dump_fields.items()]
    marshmallow_one = schema._serialize
    dict_class = schema.dict_class

    def dump_one(obj: Any) -> dict:
        if hasattr(obj, "__getitem__"):  # read by key first: marshmallow's rules
            return marshmallow_one(obj)
        out = dict_class()
        for key, read, convert, attr in steps:
            value = read(obj)
            if value is not utils.missing:
                out[key] = convert(value, attr, obj)
        return out

    return dump_one


def _step(schema: ma.Schema, attr: str, field: fields.Field, own_reader: bool) -> tuple:
    """(output key, read the value or ``missing``, convert it, the attribute's name)."""
    key = field.data_key if field.data_key is not None else attr
    if type(field).serialize is not fields.Field.serialize:
        whole = field.serialize

        def read_whole(obj: Any) -> Any:
            return whole(attr, obj, accessor=schema.get_attribute)

        return key, read_whole, _as_is, attr
    return key, _reader(schema, attr, field, own_reader), _converter(field), attr


def _reader(
    schema: ma.Schema, attr: str, field: fields.Field, own_reader: bool
) -> Callable[[Any], Any]:
    """Field.serialize's reading part: the value, its dump default, or ``missing``."""
    if not field._CHECK_ATTRIBUTE:
        return lambda _obj: None
    source = attr if field.attribute is None else field.attribute
    if type(field).get_value is not fields.Field.get_value or not own_reader:

        def read(obj: Any) -> Any:
            return field.get_value(obj, attr, accessor=schema.get_attribute)

    elif "." in source:

        def read(obj: Any) -> Any:
            return utils.get_value(obj, source, utils.missing)

    else:

        def read(obj: Any) -> Any:
            return getattr(obj, source, utils.missing)

    if field.dump_default is utils.missing:
        return read
    default = field.dump_default

    def read_or_default(obj: Any) -> Any:
        value = read(obj)
        if value is utils.missing:
            return default() if callable(default) else default
        return value

    return read_or_default


def _converter(field: fields.Field) -> Convert:
    """Field._serialize, inline for the stock fields that are most of a list."""
    serialize = type(field)._serialize
    if serialize is fields.String._serialize:
        return _string
    if serialize is fields.Number._serialize and _plain_integer(field):
        return _integer
    if serialize is fields.List._serialize:
        return _list_of(_converter(field.inner))
    if serialize is fields.Nested._serialize:
        return _nested(field)
    return field._serialize


def _plain_integer(field: fields.Field) -> bool:
    return (
        isinstance(field, fields.Integer)
        and field.num_type is int
        and not field.as_string
        and type(field)._format_num is fields.Number._format_num
    )


def _as_is(value: Any, _attr: str, _obj: Any) -> Any:
    return value


def _string(value: Any, _attr: str, _obj: Any) -> str | None:
    if value.__class__ is str or value is None:
        return value
    return utils.ensure_text_type(value)


def _integer(value: Any, _attr: str, _obj: Any) -> int | None:
    if value.__class__ is int or value is None:
        return value
    return int(value)


def _list_of(inner: Convert) -> Convert:
    def convert(value: Any, attr: str, obj: Any) -> list | None:
        if value is None:
            return None
        return [inner(each, attr, obj) for each in value]

    return convert


def _nested(field: fields.Nested) -> Convert:
    schema = field.schema
    many = schema.many or field.many
    one = compile_dump(schema)
    if one is None:
        return field._serialize

    def convert(value: Any, _attr: str, _obj: Any) -> Any:
        if value is None:
            return None
        return [one(each) for each in value] if many else one(value)

    return convert
