"""Fetching a row by id, or answering 404 in the API's error shape."""

from __future__ import annotations

from typing import Any, TypeVar

from app.core.errors import NotFound
from app.extensions import db

T = TypeVar("T")


def get_or_404(model: type[T], key: Any, what: str, *loads: Any) -> T:
    """The ``model`` row with primary key ``key``; 404 "No such <what>." otherwise.
    ``loads``: loader options for what the caller shows of it."""
    obj = db.session.get(model, key, options=loads or None)
    if obj is None:
        raise NotFound(f"No such {what}.")
    return obj
