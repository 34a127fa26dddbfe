"""Pagination of SQLAlchemy selects for flask-smorest's ``@blp.paginate()``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest import Page

from app.extensions import db


class SelectPage(Page):
    """A flask-smorest page over a ``select()``: one COUNT and one windowed SELECT."""

    @property
    def items(self) -> list[Any]:
        stmt = self.collection
        return list(
            db.session.scalars(
                stmt.limit(self.page_params.page_size).offset(self.page_params.first_item)
            )
        )

    @property
    def item_count(self) -> int:
        stmt = self.collection.order_by(None)
        return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
