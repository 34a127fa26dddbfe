"""Pagination of SQLAlchemy selects for flask-smorest's ``@blp.paginate()``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response
from flask_smorest import Page

from app.extensions import db

MAX_OFFSET = 2**31 - 1


def count_rows(stmt: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))


class SelectPage(Page):
    """A page over a ``select()``: one COUNT and one windowed SELECT.

    A view that exports instead (CSV) returns a streamed ``Response`` carrying its
    select; the page passes it through, with the total row count.
    """

    @property
    def items(self) -> Any:
        if isinstance(self.collection, Response):
            return self.collection
        size, first = self.page_params.page_size, self.page_params.first_item
        if first > MAX_OFFSET:
            return []  # far past any real data, and past what an SQL OFFSET can hold
        return list(db.session.scalars(self.collection.limit(size).offset(first)))

    @property
    def item_count(self) -> int:
        if isinstance(self.collection, Response):
            return count_rows(self.collection.export_stmt)
        return count_rows(self.collection)
