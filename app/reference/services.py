"""Reference data as the pages' filter forms offer it."""

from __future__ import annotations

import functools

import sqlalchemy as sa

from app.extensions import db
from app.reference.models import Country, Region, Topic


def form_options(*kinds: str) -> dict[str, list[sa.Row]]:
    """The options a filter form offers, one list per kind (``countries``, ``topics``,
    ``regions``), each row's ``key`` (as text) and names, in one statement: a statement
    cost a page ~0.25 M instructions. Plain rows, not objects, since they are part of the
    key under which ``per_language()`` keeps the form drawn."""
    found: dict[str, list[sa.Row]] = {kind: [] for kind in kinds}
    for row in db.session.connection().execute(_options(kinds)):
        found[kinds[row.kind]].append(row)
    return found


def _option_rows(table: sa.Table, key: str, text_order: str | None, int_order: str | None):
    """A kind's key (as text) and names, and what it is ordered by: a text column then an
    integer one, either a constant where the kind has none (the union's columns must agree
    in type on PostgreSQL)."""
    c = table.c
    by_text = c[text_order] if text_order else sa.literal("", sa.String)
    by_int = c[int_order] if int_order else sa.literal(0, sa.Integer)
    return (
        sa.cast(c[key], sa.String).label("key"),
        c.name_en,
        c.name_ru,
        c.name_kk,
        by_text.label("order_text"),
        by_int.label("order_int"),
    )


_OPTIONS = {
    "countries": lambda: _option_rows(Country.__table__, "code", "code", None),
    "topics": lambda: _option_rows(Topic.__table__, "id", None, "id"),
    "regions": lambda: _option_rows(Region.__table__, "id", "country_code", "id"),
}


@functools.cache
def _options(kinds: tuple[str, ...]) -> sa.CompoundSelect:
    """One UNION ALL of ``kinds``, built once, ordered by kind and then each kind's order.
    Numbering each kind's rows with a window function instead cost SQLite three times as
    much (43 against 14 µs for a country and a topic list)."""
    parts = [
        sa.select(sa.literal(n).label("kind"), *_OPTIONS[kind]()) for n, kind in enumerate(kinds)
    ]
    union = sa.union_all(*parts)
    return union.order_by(
        *(sa.literal_column(name) for name in ("kind", "order_text", "order_int"))
    )
