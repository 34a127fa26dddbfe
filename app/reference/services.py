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


def _option_rows(table: sa.Table, key: str, *order: str) -> tuple:
    c = table.c
    by = [c[name] for name in order or (key,)]
    return (sa.cast(c[key], sa.String).label("key"), c.name_en, c.name_ru, c.name_kk, by)


_OPTIONS = {
    "countries": lambda: _option_rows(Country.__table__, "code"),
    "topics": lambda: _option_rows(Topic.__table__, "id"),
    "regions": lambda: _option_rows(Region.__table__, "id", "country_code", "id"),
}


@functools.cache
def _options(kinds: tuple[str, ...]) -> sa.Select:
    """One UNION ALL of ``kinds``, built once: each kind's rows numbered in its order."""
    parts = []
    for n, kind in enumerate(kinds):
        *columns, order = _OPTIONS[kind]()
        position = sa.func.row_number().over(order_by=order).label("position")
        parts.append(sa.select(sa.literal(n).label("kind"), *columns, position))
    union = sa.union_all(*parts).subquery()
    return sa.select(union).order_by(union.c.kind, union.c.position)
