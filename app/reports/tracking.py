"""Which ledger sources a flush may have changed; the commit brings them up to date.

Most writes name their source directly (a publication, an authorship, a session, a
participation, a project). Changes to people and centres reach every source they took
part in: an affiliation moves an author's publications from one centre to another.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, orm

from app.centres.models import Centre
from app.experts.models import Affiliation, Expert
from app.forums.models import ForumSession, Participation
from app.projects.models import Project, ProjectCentre
from app.publications.models import Authorship, Publication
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


@event.listens_for(orm.Session, "before_flush")
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


# What each model's rows name: (kind, the attribute holding the source id).
DIRECT = {
    Publication: (TieKind.PUBLICATION, "id"),
    Authorship: (TieKind.PUBLICATION, "publication_id"),
    ForumSession: (TieKind.SESSION, "id"),
    Participation: (TieKind.SESSION, "session_id"),
    Project: (TieKind.PROJECT, "id"),
    ProjectCentre: (TieKind.PROJECT, "project_id"),
}


@event.listens_for(orm.Session, "after_flush")
def _after_flush(session: orm.Session, _context: Any) -> None:
    experts: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        direct = DIRECT.get(type(obj))
        if direct is not None:
            ledger.refresh(session, direct[0], _old_and_new(obj, direct[1]))
        elif isinstance(obj, Affiliation):
            experts.update(_old_and_new(obj, "expert_id"))
    _expert_sources(session, experts)


@event.listens_for(orm.Session, "before_commit")
def _before_commit(session: orm.Session) -> None:
    if session.info.get(ledger.PENDING) or session.info.get(ledger.EVERYTHING):
        ledger.sync(session)


@event.listens_for(orm.Session, "after_rollback")
def _forget(session: orm.Session) -> None:
    session.info.pop(ledger.PENDING, None)
    session.info.pop(ledger.EVERYTHING, None)
