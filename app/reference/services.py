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
