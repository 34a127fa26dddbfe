"""Which ledger sources a flush may have changed; the commit brings them up to date.

Most writes name their source directly: a :class:`app.core.derived.LedgerSource` (a
publication, an authorship, a session, a participation, a project) says in ``__ledger__``
which kind of tie it is evidence of and which attribute holds the source. Changes to people
and centres reach every source they took part in: an affiliation moves an author's
publications from one centre to another. :func:`register` installs the listeners.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import orm

from app.centres.models import Centre
from app.core.derived import LedgerSource, listen
from app.experts.models import Affiliation, Expert
from app.forums.models import Participation
from app.projects.models import ProjectCentre
from app.publications.models import Authorship
from app.reports import ledger
from app.reports.models import TieKind


def _ids(conn: sa.Connection, stmt: sa.Select) -> set[int]:
    return set(conn.scalars(stmt))


def _expert_sources(session: orm.Session, expert_ids: set[int]) -> None:
    if not expert_ids:
        return
    conn = session.connection()
    ledger.refresh(
        session,
        TieKind.PUBLICATION,
        _ids(
            conn, sa.select(Authorship.publication_id).where(Authorship.expert_id.in_(expert_ids))
        ),
    )
    ledger.refresh(
        session,
        TieKind.SESSION,
        _ids(
            conn, sa.select(Participation.session_id).where(Participation.expert_id.in_(expert_ids))
        ),
    )


def _centre_sources(session: orm.Session, centre_ids: set[int]) -> None:
    if not centre_ids:
        return
    conn = session.connection()
    members = sa.select(Affiliation.expert_id).where(Affiliation.centre_id.in_(centre_ids))
    ledger.refresh(
        session,
        TieKind.PUBLICATION,
        _ids(
            conn,
            sa.select(Authorship.publication_id).where(
                sa.or_(Authorship.centre_id.in_(centre_ids), Authorship.expert_id.in_(members))
            ),
        ),
    )
    ledger.refresh(
        session,
        TieKind.SESSION,
        _ids(conn, sa.select(Participation.session_id).where(Participation.expert_id.in_(members))),
    )
    ledger.refresh(
        session,
        TieKind.PROJECT,
        _ids(
            conn, sa.select(ProjectCentre.project_id).where(ProjectCentre.centre_id.in_(centre_ids))
        ),
    )


def _country_changed(obj: Any) -> bool:
    return sa.inspect(obj).attrs.country_code.history.has_changes()


def _before_flush(session: orm.Session, _context: Any, _instances: Any) -> None:
    # People and centres about to go: find their sources while the rows still say so.
    experts = {
        o.id
        for o in chain(session.deleted, session.dirty)
        if isinstance(o, Expert) and (o in session.deleted or _country_changed(o))
    }
    centres = {
        o.id
        for o in chain(session.deleted, session.dirty)
        if isinstance(o, Centre) and (o in session.deleted or _country_changed(o))
    }
    with session.no_autoflush:
        _expert_sources(session, experts)
        _centre_sources(session, centres)


def _old_and_new(obj: Any, attribute: str) -> Iterable[int]:
    history = sa.inspect(obj).attrs[attribute].history
    return [v for v in chain([getattr(obj, attribute)], history.deleted or ()) if v is not None]


def _after_flush(session: orm.Session, _context: Any) -> None:
    experts: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, LedgerSource):
            kind, attribute = obj.__ledger__
            ledger.refresh(session, TieKind(kind), _old_and_new(obj, attribute))
        elif isinstance(obj, Affiliation):
            experts.update(_old_and_new(obj, "expert_id"))
    _expert_sources(session, experts)


def _before_commit(session: orm.Session) -> None:
    if session.info.get(ledger.PENDING) or session.info.get(ledger.EVERYTHING):
        ledger.sync(session)


def _forget(session: orm.Session) -> None:
    session.info.pop(ledger.PENDING, None)
    session.info.pop(ledger.EVERYTHING, None)


def register(_app: Flask) -> None:
    """Keep the ledger in step with every session's writes (see ``app.core.derived``)."""
    listen(
        [
            ("before_flush", _before_flush),
            ("after_flush", _after_flush),
            ("before_commit", _before_commit),
            ("after_rollback", _forget),
        ]
    )
