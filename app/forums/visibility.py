"""Who sees drafts. A published forum, and a published session of a published forum, are
public. A draft is seen by organisers and admins, and by the experts invited to it: to a
session of a draft forum, to that very session for a draft session. To everyone else a
draft does not exist: 404, the same answer as for an id nobody uses, and lists leave it out.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import orm

from app.core.errors import NotFound
from app.core.lookup import get_or_404
from app.extensions import db
from app.forums.models import Forum, ForumSession, Participation, PublicationStatus, Room

if TYPE_CHECKING:
    from app.accounts.models import User

PUBLISHED = PublicationStatus.PUBLISHED


def sees_all(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_organiser


def _expert_id(viewer: User | None) -> int | None:
    return viewer.expert_id if viewer is not None else None


# The subqueries use aliases, so that they correlate only with the column passed in,
# never with a query that already selects participations, sessions or forums. The aliases
# are made once: an alias builds each column's expression on first use and keeps it
# (made per call, that cost ~0.5 ms of a profile page's 7).
_PART, _SESSION, _FORUM = (
    orm.aliased(Participation),
    orm.aliased(ForumSession),
    orm.aliased(Forum),
)


def _invited_to_forum(expert_id: int | None, forum_id) -> sa.ColumnElement[bool]:
    part, session = _PART, _SESSION
    return (
        sa.select(part.id)
        .join(session, session.id == part.session_id)
        .where(session.forum_id == forum_id, part.expert_id == expert_id)
        .exists()
    )


def _invited_to_session(expert_id: int | None, session_id) -> sa.ColumnElement[bool]:
    part = _PART
    return (
        sa.select(part.id)
        .where(part.session_id == session_id, part.expert_id == expert_id)
        .exists()
    )


def _forum_published(forum_id) -> sa.ColumnElement[bool]:
    forum = _FORUM
    return sa.select(forum.id).where(forum.id == forum_id, forum.status == PUBLISHED).exists()


def forum_filter(viewer: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``Forum`` keeping the forums ``viewer`` may see."""
    if sees_all(viewer):
        return sa.true()
    expert_id = _expert_id(viewer)
    if expert_id is None:
        return Forum.status == PUBLISHED
    return sa.or_(Forum.status == PUBLISHED, _invited_to_forum(expert_id, Forum.id))


@functools.cache
def _public_session() -> sa.ColumnElement[bool]:
    """A published session of a published forum: the same clause every time, built once."""
    return sa.and_(ForumSession.status == PUBLISHED, _forum_published(ForumSession.forum_id))


def session_filter(viewer: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``ForumSession`` keeping the sessions ``viewer`` may see."""
    if sees_all(viewer):
        return sa.true()
    return session_rule(_expert_id(viewer))


def session_scope(viewer: User | None) -> tuple[str, int | None]:
    """Which of :func:`session_filter`'s clauses ``viewer`` gets ("all", "public" or
    "invited") and their expert id: for statements built once per scope."""
    if sees_all(viewer):
        return "all", None
    expert_id = _expert_id(viewer)
    return ("public", None) if expert_id is None else ("invited", expert_id)


def session_rule(expert_id: int | sa.BindParameter | None) -> sa.ColumnElement[bool]:
    """:func:`session_filter` for a viewer who does not see all, invited as the expert
    ``expert_id`` (given or bound; None: not an expert)."""
    public = _public_session()
    if expert_id is None:
        return public
    return sa.or_(public, _invited_to_session(expert_id, ForumSession.id))


def can_see_forum(viewer: User | None, forum: Forum) -> bool:
    if forum.status == PUBLISHED or sees_all(viewer):
        return True
    expert_id = _expert_id(viewer)
    return expert_id is not None and bool(
        db.session.scalar(sa.select(_invited_to_forum(expert_id, forum.id)))
    )


def can_see_session(viewer: User | None, session: ForumSession) -> bool:
    public = session.status == PUBLISHED and session.forum.status == PUBLISHED
    if public or sees_all(viewer):
        return True
    expert_id = _expert_id(viewer)
    return expert_id is not None and bool(
        db.session.scalar(sa.select(_invited_to_session(expert_id, session.id)))
    )


def forum_or_404(viewer: User | None, forum_id: int) -> Forum:
    """The forum, if ``viewer`` may see it; 404 "No such forum." otherwise."""
    forum = get_or_404(Forum, forum_id, "forum")
    if not can_see_forum(viewer, forum):
        raise NotFound("No such forum.")
    return forum


def session_or_404(viewer: User | None, session_id: int) -> ForumSession:
    session = get_or_404(ForumSession, session_id, "session")
    if not can_see_session(viewer, session):
        raise NotFound("No such session.")
    return session


def room_or_404(viewer: User | None, room_id: int) -> Room:
    """A room is seen with its forum."""
    room = get_or_404(Room, room_id, "room")
    if not can_see_forum(viewer, room.forum):
        raise NotFound("No such room.")
    return room
