"""Rooms' opening windows and experts' availability for a forum.

Both are lists of time windows given in the forum's zone and stored in UTC. An empty list
means "no limit": a room open all forum long, an expert who can come at any time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.core.errors import Conflict, DomainError
from app.experts.models import Expert
from app.extensions import db
from app.forums.models import Availability, Forum, Room, RoomWindow
from app.forums.times import forum_bounds, to_utc


def _windows(
    forum: Forum, given: Iterable[dict[str, Any]]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Validated, sorted and merged windows in UTC; each must lie within the forum's days."""
    first, last = forum_bounds(forum)
    windows = []
    for index, window in enumerate(given):
        start = to_utc(window["starts_at"], forum, "windows")
        end = to_utc(window["ends_at"], forum, "windows")
        if end <= start:
            raise DomainError(
                "A window ends before it starts.", {"windows": {index: ["End after the start."]}}
            )
        if start < first or end > last:
            raise DomainError(
                f"A window lies outside the forum ({forum.start_date} to {forum.end_date}).",
                {"windows": {index: ["Within the forum's days."]}},
            )
        windows.append((start, end))
    return _merge(sorted(windows))


def _merge(windows: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def set_room_windows(room: Room, given: Iterable[dict[str, Any]]) -> Room:
    """Replace the room's windows; the same windows again change nothing (nor the version)."""
    windows = _windows(room.forum, given)
    if windows != [(w.starts_at, w.ends_at) for w in room.windows]:
        room.windows = [RoomWindow(starts_at=s, ends_at=e) for s, e in windows]
        db.session.flush()
    return room


def own_expert(user: User) -> Expert:
    """The expert profile the user holds; availability needs one (409 without)."""
    expert = db.session.scalar(sa.select(Expert).filter_by(user_id=user.id))
    if expert is None:
        raise Conflict(
            "Your account holds no expert profile; claim yours at "
            "POST /api/v1/experts/<id>/claim first."
        )
    return expert


def availability(forum: Forum, expert: Expert) -> list[Availability]:
    return list(
        db.session.scalars(
            sa.select(Availability)
            .filter_by(forum_id=forum.id, expert_id=expert.id)
            .order_by(Availability.starts_at)
        )
    )


def set_availability(
    forum: Forum, expert: Expert, given: Iterable[dict[str, Any]]
) -> list[Availability]:
    """Replace the expert's windows for this forum; an empty list means free throughout."""
    windows = _windows(forum, given)
    db.session.execute(sa.delete(Availability).filter_by(forum_id=forum.id, expert_id=expert.id))
    rows = [
        Availability(forum_id=forum.id, expert_id=expert.id, starts_at=s, ends_at=e)
        for s, e in windows
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows
