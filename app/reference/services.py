"""Reference data as the pages' filter forms offer it."""

from __future__ import annotations

import functools

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
    return list(db.session.connection().execute(_names(Country.__table__, "code")))


def topic_names() -> list[sa.Row]:
    """Each topic's id and names, as plain rows (see :func:`country_names`)."""
    return list(db.session.connection().execute(_names(Topic.__table__, "id")))


@functools.cache
def _names(table: sa.Table, key: str) -> sa.Select:
    """Keys and names of ``table``, built once and read through the connection (the
    session's ORM layer added nothing to plain rows): both, 0.56 M instructions a page."""
    c = table.c
    return sa.select(c[key], c.name_en, c.name_ru, c.name_kk).order_by(c[key])
