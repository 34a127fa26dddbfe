"""Full exports as jobs. A logged-in user's export of more than ``JOBS_EXPORT_INLINE_ROWS``
rows is written by a worker into a file (``app.jobs.files``) that any host serves, and the
request answers 202 (or, with ``Prefer: wait``, the file); smaller exports, and anonymous
ones (which own no job; their rate limit and slots bound them), stream in the request.

Lists register a ``ListExport`` (the factory calls ``register``), so the worker builds the
very select the request would have from the query it stored."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, Response, current_app

from app.accounts.models import User
from app.core.db import reading
from app.core.exports import csv_rows, streamed
from app.core.pagination import Query, count_rows
from app.core.permissions import user
from app.extensions import db
from app.jobs import files
from app.jobs import http as jobs_http
from app.jobs.registry import Kind
from app.jobs.registry import register as register_kind

if TYPE_CHECKING:
    from app.jobs.runner import JobContext

NAME = "exports.list"
EXTENSION = "list_exports"
# A full export of 100,000 publications takes about 50 s to write.
TIME_LIMIT_SECONDS = 600
# How often a running export reports how far it got (and sees a cancel).
PROGRESS_SECONDS = 2.0


@dataclass(frozen=True)
class Format:
    """How one format writes a select's rows, and what the file is."""

    write: Callable[[sa.Select], Iterator[str]]
    content_type: str
    extension: str


def csv_format(schema_cls: type[ma.Schema]) -> Format:
    return Format(lambda stmt: csv_rows(stmt, schema_cls()), "text/csv", "csv")


@dataclass(frozen=True)
class ListExport:
    """A list's exports: its query's schema, the select it filters (for a viewer), and
    its formats by the query's ``format``; ``page``, where given, the select a page of JSON
    reads instead (a ``pagination.Bound``, built once per shape of the filters)."""

    name: str
    query_schema: type[ma.Schema]
    select: Callable[[dict[str, Any], User | None], sa.Select]
    formats: Mapping[str, Format]
    page: Callable[[dict[str, Any], User | None], Query] | None = None


def same_for_everyone(
    list_query: Callable[[dict[str, Any]], sa.Select],
) -> Callable[[dict[str, Any], User | None], sa.Select]:
    """A :class:`ListExport` select for a list that every viewer sees alike."""
    return lambda filters, _viewer: list_query(filters)


def list_or_export(spec: ListExport, filters: dict[str, Any]) -> Query | Response:
    """A list endpoint's answer: its select, for a page of JSON; else the export."""
    if filters["format"] != "json":
        return export(spec, filters)
    return (spec.page or spec.select)(filters, user())


def export(spec: ListExport, filters: dict[str, Any]) -> Response:
    """The list's export in ``filters["format"]``: streamed, or past the inline size (for a
    logged-in user) a job. Either answer carries the select and its row count for the
    page's ``X-Pagination``."""
    viewer = user()
    stmt = spec.select(filters, viewer)
    rows = count_rows(stmt) if viewer is not None else None
    if rows is not None and rows > current_app.config["JOBS_EXPORT_INLINE_ROWS"]:
        params = {"list": spec.name, "query": spec.query_schema().dump(filters), "rows": rows}
        db.session.rollback()  # end the read before the job's row is written (SQLite)
        response = jobs_http.start(KIND, viewer, params, reuse=True)
    else:
        fmt = spec.formats[filters["format"]]
        response = streamed(fmt.write(stmt), fmt.content_type, f"{spec.name}.{fmt.extension}")
    response.export_stmt, response.export_rows = stmt, rows
    return response


def run(job: JobContext) -> dict[str, Any]:
    """Write the whole list into the job's file."""
    spec: ListExport = current_app.extensions[EXTENSION][job.params["list"]]
    filters = spec.query_schema().load(job.params["query"])
    fmt = spec.formats[filters["format"]]
    rows = job.params["rows"]
    job.progress(0.0, f"Writing {rows} rows.")
    with reading():
        viewer = db.session.get(User, job.owner_id)
        body = write(job, fmt.write(spec.select(filters, viewer)))
    job.progress(0.95, "Storing the file.")
    return files.store(job, body, fmt.content_type, f"{spec.name}.{fmt.extension}")


def write(job: JobContext, parts: Iterator[str]) -> bytes:
    """The parts, encoded as one file; every ``PROGRESS_SECONDS`` the job reports how
    much it has written (and stops, if cancelled)."""
    out, size, reported = [], 0, time.monotonic()
    for part in parts:
        data = part.encode()
        out.append(data)
        size += len(data)
        if time.monotonic() - reported >= PROGRESS_SECONDS:
            job.progress(0.05, f"Written {size / 1e6:.1f} MB.")
            reported = time.monotonic()
    return b"".join(out)


KIND = Kind(NAME, run, time_limit=TIME_LIMIT_SECONDS, makes_file=True)


def register(app: Flask, *lists: ListExport) -> None:
    """The list-export kind, and the lists it can export."""
    register_kind(app, KIND)
    for spec in lists:
        app.extensions.setdefault(EXTENSION, {})[spec.name] = spec
