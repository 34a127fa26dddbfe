"""Reference data as the pages' filter forms offer it."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.reference.models import Country, Region, Topic


def countries() -> list[Country]:
    return list(db.session.scalars(sa.select(Country).order_by(Country.code)))


def topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.id)))


def regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.country_code, Region.id)))


def country_names() -> list[sa.Row]:
    """Each country's code and names, as plain rows: what a filter form offers (loading
    the objects cost ~0.1 ms more a page; a page that draws countries of its rows keeps
    :func:`countries`, whose objects serve those rows from the session)."""
    table = Country.__table__
    return list(db.session.execute(_names(table, table.c.code)))


def topic_names() -> list[sa.Row]:
    """Each topic's id and names, as plain rows (see :func:`country_names`)."""
    table = Topic.__table__
    return list(db.session.execute(_names(table, table.c.id)))


def _names(table: sa.Table, key: sa.Column) -> sa.Select:
    return sa.select(key, table.c.name_en, table.c.name_ru, table.c.name_kk).order_by(key)
