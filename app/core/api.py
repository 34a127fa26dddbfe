"""The flask-smorest ``Api`` with the project's one error shape."""

from __future__ import annotations

import functools
from typing import Any

import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from app.core.error_pages import error_page
from app.core.errors import wants_page

PAGINATION_METADATA = {
    "type": "object",
    "properties": {
        name: {"type": "integer"}
        for name in (
            "total",
            "total_pages",
            "first_page",
            "last_page",
            "page",
            "previous_page",
            "next_page",
        )
    },
}


class Api(flask_smorest.Api):
    """Every error answers ``{"code", "status", "message", "errors"}``, all four always present."""

    def _register_pagination_header(self):
        # X-Pagination carries JSON, which OpenAPI states with ``content``, not ``schema``
        # (a ``schema`` header object means comma-separated "simple" style).
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata, as JSON.",
                "content": {"application/json": {"schema": PAGINATION_METADATA}},
            },
        )

    def handle_http_exception(self, error: HTTPException) -> tuple[dict[str, Any], int, dict]:
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description or error.name)
        payload.setdefault("errors", {})
        # An exception may carry its own headers (Retry-After, Allow, WWW-Authenticate).
        if not headers:
            headers = {
                key: value
                for key, value in error.get_headers()
                if key.lower() not in {"content-type", "content-length"}
            }
        if wants_page():
            return error_page(code, headers)
        return payload, code, headers


class SchemaOnceParser(FlaskParser):
    """A schema given as a class is made once, not on every request as webargs makes it:
    marshmallow copies every declared field to make one (``ExpertQuerySchema()`` took 42 µs
    of CPU), and a list request made two, its filters' and its page's."""

    def _get_schema(self, argmap: Any, req: Any) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            return _schema_instance(argmap)
        return super()._get_schema(argmap, req)


@functools.cache
def _schema_instance(schema: type[ma.Schema]) -> ma.Schema:
    return schema()


class BodyParser(SchemaOnceParser):
    """Query strings carry text, so their fields convert it; a JSON body carries JSON's own
    types, so its integers must be integers and its booleans booleans: ``"yes"`` is not
    true and ``8.5`` is not expert 8."""

    def use_args(self, argmap: Any, *args: Any, location: str | None = None, **kwargs: Any):
        if (location or self.location) == "json":
            if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
                argmap = argmap()
            if isinstance(argmap, ma.Schema):
                _strict_schema(argmap)
        return super().use_args(argmap, *args, location=location, **kwargs)


def _strict_schema(schema: ma.Schema) -> None:
    for field in schema.fields.values():
        _strict_field(field)


def _strict_field(field: ma.fields.Field) -> None:
    if isinstance(field, ma.fields.Integer):
        field.strict = True
    elif isinstance(field, ma.fields.Boolean):
        field.truthy, field.falsy = {True}, {False}
    elif isinstance(field, ma.fields.List):
        _strict_field(field.inner)
    elif isinstance(field, ma.fields.Tuple):
        for inner in field.tuple_fields:
            _strict_field(inner)
    elif isinstance(field, ma.fields.Dict) and field.value_field is not None:
        _strict_field(field.value_field)
    elif isinstance(field, ma.fields.Nested) and isinstance(field.schema, ma.Schema):
        _strict_schema(field.schema)


class Blueprint(flask_smorest.Blueprint):
    """Every API blueprint: bodies parsed strictly (:class:`BodyParser`)."""

    ARGUMENTS_PARSER = BodyParser()
    PAGINATION_ARGUMENTS_PARSER = SchemaOnceParser()


def schema_name(schema: Any) -> str:
    """OpenAPI component names: ``CentreWriteSchema(partial=True)`` becomes ``CentreWritePatch``."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        name += "Patch"
    return name
