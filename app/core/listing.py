"""Sorting, searching and common filters for list endpoints."""

from __future__ import annotations

import functools
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from marshmallow import validate

from app.extensions import db
from app.search.services import search


def sort_field(*names: str, default: str) -> ma.fields.String:
    """A ``sort`` query parameter: one of ``names``, ``-name`` for descending."""
    choices = [*names, *(f"-{n}" for n in names)]
    return ma.fields.String(
        load_default=None,
        validate=validate.OneOf(choices),
        metadata={
            "description": f"Sort by one of {', '.join(names)}; prefix - to reverse. "
            f"Default: relevance when q is given, else {default}."
        },
    )


def q_field() -> ma.fields.String:
    return ma.fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "Search names, acronyms and titles in any script "
            "(Cyrillic, Kazakh or Latin), ranked exact, prefix, fuzzy."
        },
    )


def apply_sort(
    stmt: sa.Select, sort: str | None, columns: dict[str, Any], default: str
) -> sa.Select:
    key = sort or default
    column = columns[key.lstrip("-")]
    order = column.desc() if key.startswith("-") else column.asc()
    return stmt.order_by(order, columns.get("id", sa.literal_column("1")))


def apply_search(
    stmt: sa.Select, model: type, q: str | None, sort: str | None, limit: int = 1_000
) -> sa.Select:
    """Keep only rows matching ``q``; without an explicit sort, best matches first."""
    if not q:
        return stmt
    ranked, found = bound_search(model, q, sort, limit)
    stmt = stmt.where(model.id.in_(found["search_ids"]))
    if ranked:
        rank = _rank_position(model.id, db.engine.dialect.name)
        stmt = stmt.order_by(rank.params(rank_ids=found["rank_ids"]))
    return stmt


def _ranking(ids: list[int]) -> str:
    return "," + ",".join(map(str, ids)) + ","


def bound_search(model: type, q: str, sort: str | None, limit: int = 1_000) -> tuple[bool, dict]:
    """:func:`apply_search` for a select built once per shape (``pagination.Bound``): the
    parameters of :func:`search_clauses` for ``q``, and whether to rank by them."""
    ids = [h.entity_id for h in search(db.session, model.__search_type__, q, limit=limit)]
    ranked = sort is None and bool(ids)
    return ranked, {"search_ids": ids, "rank_ids": _ranking(ids)} if ranked else {"search_ids": ids}


def search_clauses(column: Any, ranked: bool) -> tuple[sa.ColumnElement, sa.ColumnElement | None]:
    """Rows whose ``column`` is among the bound ``search_ids``, and, when ``ranked``, their
    order as the search ranked them (:func:`bound_search` gives the values)."""
    found = column.in_(sa.bindparam("search_ids", expanding=True))
    return found, _rank_position(column, db.engine.dialect.name) if ranked else None


@functools.cache
def _rank_position(column: Any, dialect: str) -> sa.ColumnElement:
    """Where ",<column>," stands in the bound string ``rank_ids`` (:func:`_ranking`): the
    search's order with one bound string instead of a CASE of hundreds of branches (which
    would be compiled anew for every search). Built once per column."""
    token = sa.literal(",") + sa.cast(column, sa.String) + sa.literal(",")
    find = sa.func.strpos if dialect == "postgresql" else sa.func.instr
    return find(sa.bindparam("rank_ids", type_=sa.String), token)


def year_range(
    stmt: sa.Select, column: Any, year_from: int | None, year_to: int | None
) -> sa.Select:
    if year_from is not None:
        stmt = stmt.where(column >= year_from)
    if year_to is not None:
        stmt = stmt.where(column <= year_to)
    return stmt
