"""Pagination of SQLAlchemy selects for flask-smorest's ``@blp.paginate()``."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Response
from flask_smorest import Page

from app.core import cache
from app.core.requests import reading_request
from app.extensions import db

MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True)
class Bound:
    """A select built once per shape of a list's arguments (which filters, which viewer,
    whether a search), and this request's values for its parameters. SQLAlchemy keys and
    compiles such a select once; one built on every request, and its page window and
    count with it, cost the experts page ~0.3 ms to build and key."""

    stmt: sa.Select
    params: dict[str, Any]


Query = sa.Select | Bound


def _parts(query: Query) -> tuple[sa.Select, dict[str, Any] | None]:
    return (query.stmt, query.params) if isinstance(query, Bound) else (query, None)


def _whole_rows(stmt: sa.Select) -> bool:
    """Whether ``stmt`` selects whole mapped rows with nothing that merges or cuts them
    (DISTINCT, GROUP BY, HAVING, LIMIT, OFFSET): then counting its FROM and WHERE counts
    its rows."""
    columns = stmt.column_descriptions
    return (
        not stmt._distinct
        and not stmt._group_by_clauses
        and not stmt._having_criteria
        and stmt._limit_clause is None
        and stmt._offset_clause is None
        and all(d["entity"] is not None and d["expr"] is d["entity"] for d in columns)
    )


def count_rows(query: Query) -> int:
    """How many rows ``query`` returns (:func:`_counting`); for a :class:`Bound` select
    marked ``SHARED_COUNT``, read while nothing is written, as counted before until the
    directory changes (:func:`_shared_count`)."""
    stmt, params = _parts(query)
    if params is None:
        return db.session.scalar(_counting(stmt))
    # A write's own rows, flushed but not committed, must not be shared (and a count read
    # outside a request, in a job, is read once anyway).
    if stmt.get_execution_options().get(SHARED_COUNT) and reading_request():
        return _shared_count(stmt, params)
    return db.session.scalar(_bound_counting(stmt), params)


def _counting(stmt: sa.Select) -> sa.Select:
    """``SELECT count(*)`` over ``stmt``'s FROM and WHERE when it selects whole rows, else
    over it as a subquery. (The subquery carried every column of the row, which PostgreSQL
    planned afresh each time: ~0.3 ms.)"""
    stmt = stmt.order_by(None)
    if isinstance(stmt, sa.Select) and _whole_rows(stmt):
        return stmt.with_only_columns(sa.func.count(), maintain_column_froms=True)
    return sa.select(sa.func.count()).select_from(stmt.subquery())


# A bound select is built once per shape, so what is derived from it is too: kept by the
# select itself, as many as the shapes are kept (each key holds its select alive).
BOUND_SHAPES = 512
_bound_counting = functools.lru_cache(maxsize=BOUND_SHAPES)(_counting)


@functools.lru_cache(maxsize=BOUND_SHAPES)
def _bound_window(stmt: sa.Select) -> sa.Select:
    return stmt.limit(sa.bindparam("page_limit", type_=sa.Integer)).offset(
        sa.bindparam("page_offset", type_=sa.Integer)
    )


# The execution option marking a select of directory records whose counts may be shared.
SHARED_COUNT = "shared_count"


def _shared_count(stmt: sa.Select, params: dict[str, Any]) -> int:
    """The count of ``stmt`` for ``params``, kept beside the response cache's answers and
    retired with them by any write to the directory (``cache.directory_shared``). A page
    of the experts' list counted ~5,000 rows a request (0.5 ms on SQLite, more on
    PostgreSQL) to tell the same total again; a cached count costs one Redis round trip."""
    shape = _count_key(_bound_counting(stmt))
    values = json.dumps(params, sort_keys=True, default=str).encode()
    key = f"count:{shape}:{hashlib.sha256(values).hexdigest()}"
    counted = cache.directory_shared(
        key, lambda: str(db.session.scalar(_bound_counting(stmt), params)).encode()
    )
    return int(counted)


@functools.lru_cache(maxsize=BOUND_SHAPES)
def _count_key(counting: sa.Select) -> str:
    """The same for the same count in every process: a digest of its SQL."""
    sql = str(counting.compile(dialect=db.engine.dialect))
    return hashlib.sha256(sql.encode()).hexdigest()[:32]


def read_page(query: Query, first: int, size: int) -> list[Any]:
    """The ``size`` rows of ``query`` from ``first``, read by the ``page_rows`` reader its
    select names (given the windowed select and, for a :class:`Bound` one, the
    parameters), else as ORM objects. Past what an SQL OFFSET can hold: no rows."""
    stmt, params = _parts(query)
    if first > MAX_OFFSET:
        return []
    read = stmt.get_execution_options().get("page_rows", read_objects)
    if params is None:
        return read(stmt.limit(size).offset(first))
    return read(_bound_window(stmt), {**params, "page_limit": size, "page_offset": first})


def page_total(first: int, size: int, rows: int, query: Query) -> int:
    """The number of rows ``query`` matches, knowing that its page from ``first`` (of
    ``size``) held ``rows``: a page that is neither empty nor full ends the list, so only
    a full page, or an empty one past the start, needs a count."""
    if 0 < rows < size or (rows == 0 and first == 0):
        return first + rows
    return count_rows(query)


def read_objects(window: sa.Select, params: dict[str, Any] | None = None) -> list[Any]:
    """A page as ORM objects: the reader of a select that names no ``page_rows``."""
    return list(db.session.scalars(window, params))


class SelectPage(Page):
    """A page over a ``select()``: one windowed SELECT, and a COUNT when the page does
    not tell the total (:func:`page_total`). A select whose ``page_rows`` execution option
    names a function is read by it (given the windowed select) instead of as ORM objects.

    A view that exports instead (CSV) returns a streamed ``Response`` (or a job's 202)
    carrying its select and perhaps its row count; the page passes it through, with the
    total row count.
    """

    def __init__(self, collection: Any, page_params: Any) -> None:
        self._rows: list[Any] | None = None
        super().__init__(collection, page_params)  # asks item_count, which reads the page

    def _page(self) -> list[Any]:
        if self._rows is None:
            params = self.page_params
            self._rows = read_page(self.collection, params.first_item, params.page_size)
        return self._rows

    @property
    def items(self) -> Any:
        if isinstance(self.collection, Response):
            return self.collection
        return self._page()

    @property
    def item_count(self) -> int:
        if isinstance(self.collection, Response):
            rows = getattr(self.collection, "export_rows", None)  # counted already
            return rows if rows is not None else count_rows(self.collection.export_stmt)
        # Past MAX_OFFSET the page is empty (read_page), which page_total counts.
        first = self.page_params.first_item
        return page_total(first, self.page_params.page_size, len(self._page()), self.collection)
