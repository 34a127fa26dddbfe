"""Optimistic locking: every editable row carries a version, and a stale write never wins.

A model opts in with :class:`Versioned`. SQLAlchemy then writes every UPDATE and DELETE
of it as ``… WHERE id = :id AND version = :seen``; when another transaction moved the
row on meanwhile, no row matches and the flush raises ``StaleDataError``, which the
error handlers answer with 412 (the caller sent ``If-Match``) or 409.

The version is counted here rather than by SQLAlchemy's generator, because SQLAlchemy
bumps it only when one of the row's own columns changes: replacing a centre's topics
(a link table) would leave its version, and so its ETag, unchanged. A model names the
collections that belong to its representation in ``__version_with__``; a change to one
of them bumps the version too.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.core.derived import listen
from app.core.errors import NotFound


class Versioned:
    """Mixin: a ``version`` column SQLAlchemy checks on every UPDATE and DELETE."""

    # Collections (relationship names) whose changes count as changes of the row.
    __version_with__: ClassVar[tuple[str, ...]] = ()

    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The application sets the new version (bump_versions); SQLAlchemy still puts
        # the version it loaded in the WHERE clause of UPDATE and DELETE.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


def _changed(session: orm.Session, obj: Versioned) -> bool:
    if session.is_modified(obj, include_collections=False):
        return True
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in obj.__version_with__)


def bump_versions(session: orm.Session, _context: Any, _instances: Any) -> None:
    """Give every changed versioned row its next version before it is written."""
    for obj in session.dirty:
        if isinstance(obj, Versioned) and _changed(session, obj):
            obj.version = sa.inspect(obj).committed_state.get("version", obj.version) + 1


def register_versioning() -> None:
    """Count versions on every session (called by the app factory; see ``app.core.derived``)."""
    listen([("before_flush", bump_versions)])


def lock(obj: Any) -> Any:
    """Re-read ``obj``'s row and hold it until the transaction ends.

    ``FOR NO KEY UPDATE`` on PostgreSQL: it excludes other writers of the row, but not the
    insertion of rows that refer to it (a programme change, an invitation), which plain
    ``FOR UPDATE`` would make wait.

    A second writer then waits for the first to commit and reads what it wrote, rather
    than deciding on a row that is about to change. SQLite has no row locks; there a
    writing request holds the database from its first statement (``app.core.db``).
    """
    mapper = sa.inspect(obj).mapper
    stmt = (
        sa.select(mapper)
        .filter_by(**_pk(obj))
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if orm.object_session(obj).scalars(stmt).one_or_none() is None:
        raise NotFound("It was deleted meanwhile.")
    return obj


def _pk(obj: Any) -> dict[str, Any]:
    mapper = sa.inspect(obj).mapper
    return {
        mapper.get_property_by_column(column).key: value
        for column, value in zip(
            mapper.primary_key, mapper.primary_key_from_instance(obj), strict=True
        )
    }
