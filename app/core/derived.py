"""Data derived from the models by session listeners, and the one way a model opts in.

A model takes part in a kind of derived data by inheriting its mixin; the class
attributes the mixin names say how. The listeners that keep the data test
``isinstance(obj, Mixin)``, never a class name:

- :class:`Audited`: every flush is written to the audit log (``app.audit``).
- :class:`Searchable`: its names are folded into search keys (``app.search``).
- :class:`ReportSource`: a committed change retires the cached reports (``app.reports``).
- :class:`DirectoryRecord`: also shown in the public lists, so a committed change retires
  the cached list answers too (``app.core.cache``).
- :class:`LedgerSource`: its rows are evidence of a tie in the collaboration ledger.

The listeners are installed by each feature's ``register(app)``, called from
:func:`app.create_app`, through :func:`listen`. They listen on ``sqlalchemy.orm.Session``,
the class every session derives from: Flask-SQLAlchemy's ``db.session``, the tests'
sessionmaker bound to one connection, and any ``Session(db.engine)`` a script opens. A
listener on Flask-SQLAlchemy's own Session subclass (or on ``db.session``, which resolves
to it) would miss the last two, and derived data that one kind of session skips is wrong.
Installing is idempotent, so several apps in one process (tests make a few) each get
exactly one copy; the listeners reach the app through ``current_app`` when they need it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, ClassVar

from sqlalchemy import event, orm


class Audited:
    """Logged on every flush, under the entity type ``__audit__``."""

    __audit__: ClassVar[str]


class Searchable:
    """Found by name in any script: ``search_texts()`` gives the names, and a change to
    one of ``__search_fields__`` refreshes the keys stored under ``__search_type__``."""

    __search_type__: ClassVar[str]
    __search_fields__: ClassVar[tuple[str, ...]]

    def search_texts(self) -> list[str | None]:
        raise NotImplementedError


class ReportSource:
    """Reports derive from these rows: a committed change retires every cached report."""


class DirectoryRecord(ReportSource):
    """Shown in the public directory lists: a committed change retires the cached lists."""


class LedgerSource:
    """Evidence of ties: ``__ledger__`` is (the tie kind, the attribute holding the source's id)."""

    __ledger__: ClassVar[tuple[str, str]]


def flushed(session: orm.Session, kind: type) -> list[Any]:
    """The objects of ``kind`` this flush writes: new, deleted, or really modified (an
    attribute set to the value it had is no change)."""
    new, deleted = session.new, session.deleted  # each built anew on every access
    return [
        obj
        for obj in chain(new, deleted, session.dirty)
        if isinstance(obj, kind)
        and (obj in new or obj in deleted or session.is_modified(obj, include_collections=True))
    ]


def listen(listeners: Iterable[tuple[str, Callable[..., Any]]]) -> None:
    """Install session listeners (event name, function) once per process."""
    for name, fn in listeners:
        if not event.contains(orm.Session, name, fn):
            event.listen(orm.Session, name, fn)
