"""The flask-smorest ``Api`` with the project's one error shape."""

from __future__ import annotations

from typing import Any

import flask_smorest
from werkzeug.exceptions import HTTPException

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
        return payload, code, headers


def schema_name(schema: Any) -> str:
    """OpenAPI component names: ``CentreWriteSchema(partial=True)`` becomes ``CentreWritePatch``."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        name += "Patch"
    return name
