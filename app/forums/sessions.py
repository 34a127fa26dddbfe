"""Sessions of a forum. Times are stored in UTC and read in the forum's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.accounts.models import User
from app.core.errors import DomainError
from app.core.lookup import get_or_404
from app.experts.services import resolve_topics
from app.extensions import db
from app.forums import publishing, visibility
from app.forums.models import Forum, ForumSession, Room
from app.forums.times import to_utc


def sessions_query(forum: Forum, viewer: User | None) -> sa.Select:
    """The forum's sessions ``viewer`` may see."""
    return (
        sa.select(ForumSession)
        .where(ForumSession.forum_id == forum.id, visibility.session_filter(viewer))
        .options(orm.selectinload(ForumSession.topics), orm.joinedload(ForumSession.forum))
        .order_by(ForumSession.starts_at.nulls_last(), ForumSession.id)
    )


def _apply(session: ForumSession, forum: Forum, data: dict[str, Any]) -> None:
    data = dict(data)
    if "topic_ids" in data:
        session.topics = resolve_topics(data.pop("topic_ids"))
    if data.get("room_id") is not None:
        room = get_or_404(Room, data["room_id"], "room")
        if room.forum_id != forum.id:
            raise DomainError("The room belongs to another forum.", {"room_id": ["Not here."]})
    start_given, end_given = "start" in data, "end" in data
    start = to_utc(data.pop("start", None), forum, "start") if start_given else session.starts_at
    end = to_utc(data.pop("end", None), forum, "end") if end_given else None
    for key, value in data.items():
        setattr(session, key, value.strip() if isinstance(value, str) else value)
    if start is None:
        session.starts_at = session.ends_at = None
        return
    if end is None:
        end = start + dt.timedelta(minutes=session.duration_minutes or 90)
    if end <= start:
        raise DomainError("The session ends before it starts.", {"end": ["After the start."]})
    given = data.get("duration_minutes")
    if end_given and given is not None and dt.timedelta(minutes=given) != end - start:
        # Which of the two was meant cannot be told; the end once won without a word.
        raise DomainError(
            "duration_minutes disagrees with start and end; send one or the other.",
            {
                "duration_minutes": [
                    f"{int((end - start).total_seconds() // 60)} from start to end."
                ]
            },
        )
    session.starts_at, session.ends_at = start, end
    session.duration_minutes = int((end - start).total_seconds() // 60)


def create_session(forum: Forum, data: dict[str, Any]) -> ForumSession:
    session = ForumSession(forum=forum, duration_minutes=data.get("duration_minutes", 90))
    with db.session.no_autoflush:
        _apply(session, forum, data)
    db.session.add(session)
    db.session.flush()
    return session


def update_session(session: ForumSession, data: dict[str, Any]) -> ForumSession:
    """Edit a session; on a published programme the change goes in its changelog."""
    before = publishing.snapshot(session)
    with publishing.kept_publishable(session.forum):
        with db.session.no_autoflush:
            _apply(session, session.forum, data)
        db.session.flush()
    db.session.refresh(session, ["room"])
    publishing.note_edit(session, before)
    db.session.flush()
    return session


def delete_session(session: ForumSession) -> None:
    publishing.note_cancelled(session)
    db.session.delete(session)
    db.session.flush()
