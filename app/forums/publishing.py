"""Publishing a forum, its public programme, and the changelog kept once it is out."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.core.errors import Conflict, NotFound
from app.core.models import utcnow
from app.core.versioning import lock
from app.extensions import db
from app.forums import conflicts, visibility
from app.forums.models import (
    ChangeKind,
    Forum,
    ForumSession,
    Participation,
    ParticipationStatus,
    ProgrammeChange,
    PublicationStatus,
)

if TYPE_CHECKING:
    from app.accounts.models import User


def publish(forum: Forum) -> dict[str, Any]:
    """Publish every scheduled session; refused while a hard conflict touches one of them.

    Sessions scheduled after the first publication are announced in the changelog. The
    forum's row is locked first, so a second publish sent at once waits for this one and
    then finds nothing new to publish.
    """
    lock(forum)
    findings = conflicts.report(forum)
    blocking = conflicts.blocking(findings, forum)
    if blocking:
        raise Conflict(
            f"{len(blocking)} hard conflict(s) touch scheduled sessions; resolve them "
            f"first (GET /api/v1/forums/{forum.id}/conflicts).",
            {"conflicts": [f.message for f in blocking]},
        )
    first_time = forum.status != PublicationStatus.PUBLISHED
    newly = [
        s
        for s in forum.sessions
        if s.starts_at is not None and s.status != PublicationStatus.PUBLISHED
    ]
    for session in newly:
        session.status = PublicationStatus.PUBLISHED
        if not first_time:
            note(session, ChangeKind.ADDED, f"'{session.title}' was added ({when(session)}).")
    forum.status = PublicationStatus.PUBLISHED
    forum.published_at = forum.published_at or utcnow()
    db.session.flush()
    return {
        "forum": forum,
        "published_sessions": len(newly),
        "unscheduled_sessions": sum(1 for s in forum.sessions if s.starts_at is None),
        "warnings": [f.message for f in findings if f.severity == conflicts.WARNING],
    }


@contextmanager
def kept_publishable(forum: Forum) -> Iterator[None]:
    """Around an edit of a published forum, one of its rooms or sessions: refuse (409) an
    edit that puts a hard conflict into the published programme, as :func:`publish` would
    have refused the programme with it. Conflicts that were there before (an expert who
    accepted two sessions at once, say) do not stop an edit, which may be what mends them.
    """
    if forum.status != PublicationStatus.PUBLISHED:
        yield
        return
    # Two edits at once would each be checked against the programme without the other's:
    # the second waits here for the first, as a second publish does.
    lock(forum)
    before = {_conflict_key(f) for f in _public_conflicts(forum)}
    yield
    db.session.flush()
    added = [f for f in _public_conflicts(forum) if _conflict_key(f) not in before]
    if added:
        raise Conflict(
            f"This change would put {len(added)} hard conflict(s) into the published "
            "programme; change it otherwise, or take the sessions back to draft first.",
            {"conflicts": [f.message for f in added]},
        )


def _public_conflicts(forum: Forum) -> list[conflicts.Finding]:
    """Hard conflicts that touch a published session of the forum and none of its drafts
    (a draft may conflict until it is published, which checks it). A session of another
    forum counts as :func:`conflicts.blocking` counts it: an expert booked there too."""
    rows = db.session.execute(
        sa.select(ForumSession.id, ForumSession.status).where(
            ForumSession.forum_id == forum.id, ForumSession.starts_at.is_not(None)
        )
    )
    published, drafts = set(), set()
    for session_id, status in rows:
        (published if status == PublicationStatus.PUBLISHED else drafts).add(session_id)
    return [
        f
        for f in conflicts.report(forum)
        if f.severity == conflicts.HARD
        and published.intersection(f.session_ids)
        and not drafts.intersection(f.session_ids)
    ]


def _conflict_key(finding: conflicts.Finding) -> tuple:
    # Not the message: it names titles, which the edit may change.
    return (finding.kind, *map(tuple, (finding.session_ids, finding.expert_ids, finding.room_ids)))


def when(session: ForumSession) -> str:
    """A session's time and room as the public reads it, in the forum's zone."""
    if session.starts_at is None:
        return "unscheduled"
    local = session.starts_at.astimezone(zoneinfo.ZoneInfo(session.forum.timezone))
    room = f", {session.room.name}" if session.room is not None else ""
    return f"{local:%a %d %b %H:%M}{room}"


def note(session: ForumSession, kind: ChangeKind, summary: str) -> None:
    """Log a change to the public programme, if the session is on it."""
    if session.status != PublicationStatus.PUBLISHED:
        return
    db.session.add(
        ProgrammeChange(
            forum_id=session.forum_id, session_id=session.id, kind=kind, summary=summary[:1000]
        )
    )


def note_edit(session: ForumSession, before: dict[str, Any]) -> None:
    """After an edit: log a move or a new title; a session that lost its time leaves the
    programme (back to draft)."""
    if session.status != PublicationStatus.PUBLISHED:
        return
    if session.starts_at is None:
        note(session, ChangeKind.CANCELLED, f"'{before['title']}' was taken off the programme.")
        session.status = PublicationStatus.DRAFT
        return
    if session.title != before["title"]:
        note(session, ChangeKind.RENAMED, f"'{before['title']}' is now '{session.title}'.")
    if (session.starts_at, session.ends_at, session.room_id) != (
        before["starts_at"],
        before["ends_at"],
        before["room_id"],
    ):
        note(
            session,
            ChangeKind.MOVED,
            f"'{session.title}' moved from {before['when']} to {when(session)}.",
        )


def snapshot(session: ForumSession) -> dict[str, Any]:
    """What ``note_edit`` compares against."""
    return {
        "title": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "room_id": session.room_id,
        "when": when(session),
    }


def note_cancelled(session: ForumSession) -> None:
    note(session, ChangeKind.CANCELLED, f"'{session.title}' ({when(session)}) was cancelled.")


def note_participant(part: Participation, joined: bool) -> None:
    name, title = part.expert.full_name, part.session.title
    if joined:
        note(part.session, ChangeKind.SPEAKER_JOINED, f"{name} joins '{title}'.")
    else:
        note(part.session, ChangeKind.SPEAKER_LEFT, f"{name} no longer takes part in '{title}'.")


def published_forum(forum: Forum) -> Forum:
    if forum.status != PublicationStatus.PUBLISHED:
        raise NotFound("This forum's programme is not published yet.")
    return forum


def _scheduled(forum: Forum, *conditions: sa.ColumnElement[bool]) -> list[ForumSession]:
    """``forum``'s scheduled sessions meeting ``conditions`` in time order, with rooms,
    topics and participants."""
    return list(
        db.session.scalars(
            sa.select(ForumSession)
            .where(ForumSession.forum_id == forum.id, ForumSession.starts_at.is_not(None))
            .where(*conditions)
            .options(
                orm.joinedload(ForumSession.room),
                orm.selectinload(ForumSession.topics),
                orm.selectinload(ForumSession.participations).joinedload(Participation.expert),
            )
            .order_by(ForumSession.starts_at, ForumSession.room_id, ForumSession.id)
        )
    )


def published_sessions(forum: Forum) -> list[ForumSession]:
    """The public programme's sessions in time order, with rooms, topics and participants."""
    return _scheduled(forum, ForumSession.status == PublicationStatus.PUBLISHED)


def visible_sessions(forum: Forum, viewer: User | None) -> list[ForumSession]:
    """The scheduled sessions ``viewer`` may see: the public programme, and for organisers
    and invitees the drafts they may see too (the page marks them)."""
    return _scheduled(forum, visibility.session_filter(viewer))


def by_day(forum: Forum, sessions: list[ForumSession]) -> list[tuple[dt.date, list]]:
    """``sessions`` (in time order) under each date of the forum in its zone; a session
    set outside the forum's dates gets its own date rather than vanishing."""
    zone = zoneinfo.ZoneInfo(forum.timezone)
    days: dict[dt.date, list[ForumSession]] = defaultdict(list)
    span = (forum.end_date - forum.start_date).days + 1
    for offset in range(span):
        days[forum.start_date + dt.timedelta(days=offset)] = []
    for session in sessions:
        days[session.starts_at.astimezone(zone).date()].append(session)
    return sorted(days.items())


def programme(forum: Forum) -> dict[str, Any]:
    """The public programme: sessions by day in the forum's zone, and the changelog."""
    days = [
        {"date": day, "sessions": sessions}
        for day, sessions in by_day(forum, published_sessions(forum))
    ]
    changes = db.session.scalars(
        sa.select(ProgrammeChange).filter_by(forum_id=forum.id).order_by(ProgrammeChange.id.desc())
    )
    return {"forum": forum, "days": days, "changes": list(changes)}


def expert_sessions(expert) -> list[ForumSession]:
    """An expert's accepted, scheduled sessions in every forum, in time order."""
    return list(
        db.session.scalars(
            sa.select(ForumSession)
            .join(Participation, Participation.session_id == ForumSession.id)
            .where(
                Participation.expert_id == expert.id,
                Participation.status == ParticipationStatus.ACCEPTED,
                ForumSession.starts_at.is_not(None),
            )
            .options(
                orm.joinedload(ForumSession.forum),
                orm.joinedload(ForumSession.room),
                orm.selectinload(ForumSession.topics),
            )
            .order_by(ForumSession.starts_at)
        )
    )
