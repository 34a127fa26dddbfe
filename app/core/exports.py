"""``?format=csv`` on every list: the same filters, streamed row by row."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import limits
import marshmallow as ma
import sqlalchemy as sa
from flask import Response, current_app, stream_with_context
from flask_limiter.util import get_remote_address
from marshmallow import validate

from app.core.csvcells import SafeWriter
from app.core.errors import ServiceUnavailable
from app.core.export_slots import Release, hold, slots
from app.core.permissions import user
from app.core.ratelimits import TooMany, seconds_until
from app.extensions import db, limiter

log = logging.getLogger(__name__)


def csv_doc(item_schema: str) -> dict[str, Any]:
    """OpenAPI for a list that answers JSON (a page of ``item_schema``) or CSV."""
    page = {"type": "array", "items": {"$ref": f"#/components/schemas/{item_schema}"}}
    return {
        "responses": {
            "200": {
                # OpenAPI 3.0 requires a description of every response.
                "description": "A page of the matching rows as JSON, or every matching row "
                "as a file in the format asked for.",
                "content": {
                    "application/json": {"schema": page},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    }


def format_field(*extra: str) -> ma.fields.String:
    choices = ["json", "csv", *extra]
    return ma.fields.String(
        load_default="json",
        validate=validate.OneOf(choices),
        metadata={
            "description": "json (paginated), or an export of every matching row: "
            + ", ".join(choices[1:])
        },
    )


def _cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value  # a number, "-2" included, is not a formula: no quote
    if isinstance(value, list | tuple):
        return "; ".join(str(_cell(v)) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return str(value)


def csv_rows(stmt: sa.Select, schema: ma.Schema) -> Iterator[str]:
    """The header, then one line per row; rows are read from the database in batches.
    Text that a spreadsheet would run as a formula is quoted (``app.core.csvcells``)."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    columns = [name for name, field in schema.fields.items() if not field.load_only]

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield "\ufeff" + flush()  # a BOM, so spreadsheet programs read Cyrillic as UTF-8
    for partition in db.session.scalars(stmt.execution_options(yield_per=500)).partitions():
        for row in schema.dump(partition, many=True):
            writer.writerow([_cell(row.get(c)) for c in columns])
        yield flush()


def streamed(body: Iterator[str], mimetype: str, filename: str) -> Response:
    """An export, streamed; an anonymous one only in a free slot (``app.core.export_slots``),
    which it gives back when the server closes the response. Anonymous callers are
    rate limited first (:func:`limit_anonymous_exports`)."""
    limit_anonymous_exports()
    release = _take_export_slot()
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if release is not None:
        hold(response, release)
    return response


def _take_export_slot() -> Release | None:
    if user() is not None:
        return None
    release = slots().take()
    if release is None:
        wait = current_app.config["EXPORT_BUSY_RETRY_SECONDS"]
        raise ServiceUnavailable(
            f"Too many exports are running right now. Try again in {wait} seconds, or log "
            "in: exports by logged-in users do not wait for a slot.",
            {"format": ["Every export slot is taken."]},
            headers={"Retry-After": str(wait)},
        )
    return release


def limit_anonymous_exports() -> None:
    """An anonymous caller may start ``RATE_LIMIT_EXPORTS`` exports per address (every
    list and format counts alike); logged-in callers are not counted. Past it, 429 with
    ``Retry-After`` and the wait in words. While the limiter's storage fails the export goes
    ahead: the slots (``streamed``) still bound how many run at once."""
    if user() is not None or not limiter.enabled:
        return
    address = get_remote_address()
    for item in limits.parse_many(current_app.config["RATE_LIMIT_EXPORTS"]):
        try:
            allowed = limiter.limiter.hit(item, "exports", address)
            reset_at, _ = limiter.limiter.get_window_stats(item, "exports", address)
        except Exception as exc:  # any storage failure: refused connection, timeout, read-only
            log.warning("Export limit: rate-limit storage failed (%s); not counted.", exc)
            return
        if not allowed:
            raise TooMany(
                f"Too many exports from your address (at most {item})",
                seconds_until(reset_at),
                ", or log in: exports by logged-in users are not limited",
            )
