"""The bridge between a forum in the database and the timetable solver.

The solver works on a grid of equal slots: each forum day from ``day_start`` to
``day_end`` in the forum's zone. Sessions that already have a time stay where they are.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.core.errors import Conflict, DomainError, NotFound
from app.core.versioning import lock
from app.experts.models import Expert
from app.extensions import db
from app.forums import solver
from app.forums.models import (
    Availability,
    Forum,
    ForumSession,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Room,
)

NO_ROOM = -1  # a fixed session with a time but no room blocks its experts only
# CP-SAT's portfolio wants several workers, but more workers than cores only share them:
# on two cores, two workers reach a better plan in the same time than eight (bench.solver).
WORKERS = max(2, min(8, os.cpu_count() or 2))


@dataclass(frozen=True)
class Grid:
    """Slot ``i`` starts at ``starts[i]`` (UTC) and lasts ``minutes``."""

    starts: tuple[dt.datetime, ...]
    days: int
    per_day: int
    minutes: int

    @classmethod
    def for_forum(cls, forum: Forum, day_start: dt.time, day_end: dt.time, minutes: int) -> Grid:
        zone = zoneinfo.ZoneInfo(forum.timezone)
        span = dt.datetime.combine(dt.date.min, day_end) - dt.datetime.combine(
            dt.date.min, day_start
        )
        per_day = int(span.total_seconds() // 60 // minutes)
        if per_day < 1:
            raise DomainError(
                "The day is shorter than one slot.", {"day_end": ["After day_start + a slot."]}
            )
        days = (forum.end_date - forum.start_date).days + 1
        starts = []
        for day in range(days):
            opening = dt.datetime.combine(forum.start_date + dt.timedelta(days=day), day_start)
            for k in range(per_day):
                local = (opening + dt.timedelta(minutes=k * minutes)).replace(tzinfo=zone)
                starts.append(local.astimezone(dt.UTC))
        return cls(tuple(starts), days, per_day, minutes)

    def slot_end(self, index: int) -> dt.datetime:
        return self.starts[index] + dt.timedelta(minutes=self.minutes)

    def covered(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        """Slots that overlap the stretch [start, end)."""
        return [i for i, s in enumerate(self.starts) if s < end and self.slot_end(i) > start]

    def within(self, windows: list[tuple[dt.datetime, dt.datetime]]) -> frozenset[int]:
        """Slots that lie wholly inside one of the windows."""
        return frozenset(
            i
            for i, s in enumerate(self.starts)
            if any(w0 <= s and self.slot_end(i) <= w1 for w0, w1 in windows)
        )


@dataclass
class Inputs:
    forum: Forum
    grid: Grid
    sessions: list[ForumSession]
    problem: solver.Problem


def _parts(forum: Forum) -> dict[int, list[Participation]]:
    parts: dict[int, list[Participation]] = defaultdict(list)
    for part in db.session.scalars(
        sa.select(Participation)
        .join(ForumSession, ForumSession.id == Participation.session_id)
        .where(
            ForumSession.forum_id == forum.id,
            Participation.status != ParticipationStatus.DECLINED,
        )
        .options(orm.joinedload(Participation.expert))
    ):
        parts[part.session_id].append(part)
    return parts


def _busy_elsewhere(forum: Forum, expert_ids: set[int], grid: Grid) -> dict[int, set[int]]:
    """Grid slots each expert spends in sessions of other forums."""
    busy: dict[int, set[int]] = defaultdict(set)
    if not expert_ids or not grid.starts:
        return busy
    rows = db.session.execute(
        sa.select(Participation.expert_id, ForumSession.starts_at, ForumSession.ends_at)
        .join(ForumSession, ForumSession.id == Participation.session_id)
        .where(
            ForumSession.forum_id != forum.id,
            Participation.status != ParticipationStatus.DECLINED,
            Participation.expert_id.in_(expert_ids),
            ForumSession.starts_at < grid.slot_end(len(grid.starts) - 1),
            ForumSession.ends_at > grid.starts[0],
        )
    )
    for expert_id, start, end in rows:
        busy[expert_id].update(grid.covered(start, end))
    return busy


def _availability(forum: Forum, grid: Grid) -> dict[int, frozenset[int]]:
    windows: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for row in db.session.scalars(sa.select(Availability).filter_by(forum_id=forum.id)):
        windows[row.expert_id].append((row.starts_at, row.ends_at))
    return {expert_id: grid.within(w) for expert_id, w in windows.items()}


def _fixed(session: ForumSession, grid: Grid) -> tuple[int, int, int] | None:
    """(room, first slot, slots) for a session that already has a time on the grid."""
    covered = grid.covered(session.starts_at, session.ends_at)
    if not covered:
        return None  # outside the grid's hours: it cannot meet a placed session
    room = session.room_id if session.room_id is not None else NO_ROOM
    return room, covered[0], len(covered)


def build(forum: Forum, grid: Grid) -> Inputs:
    """The solver's problem for this forum on this grid."""
    sessions = list(
        db.session.scalars(
            sa.select(ForumSession)
            .filter_by(forum_id=forum.id)
            .options(orm.selectinload(ForumSession.topics))
            .order_by(ForumSession.id)
        )
    )
    rooms = list(
        db.session.scalars(
            sa.select(Room).filter_by(forum_id=forum.id).options(orm.selectinload(Room.windows))
        )
    )
    parts = _parts(forum)
    experts: dict[int, Expert] = {p.expert_id: p.expert for ps in parts.values() for p in ps}
    busy = _busy_elsewhere(forum, set(experts), grid)
    available = _availability(forum, grid)
    specs = []
    for session in sessions:
        fixed = _fixed(session, grid) if session.starts_at is not None else None
        if session.starts_at is not None and fixed is None:
            continue
        specs.append(_session_spec(session, parts[session.id], grid, fixed))
    problem = solver.Problem(
        days=grid.days,
        slots_per_day=grid.per_day,
        rooms=tuple(
            solver.RoomSpec(
                r.id,
                r.name,
                r.capacity,
                grid.within([(w.starts_at, w.ends_at) for w in r.windows]) if r.windows else None,
            )
            for r in rooms
        ),
        experts=tuple(
            solver.ExpertSpec(
                e.id,
                e.full_name,
                e.country_code,
                available.get(e.id),
                frozenset(busy.get(e.id, ())),
            )
            for e in experts.values()
        ),
        sessions=tuple(specs),
    )
    return Inputs(forum, grid, sessions, problem)


def _session_spec(
    session: ForumSession, parts: list[Participation], grid: Grid, fixed: tuple | None
) -> solver.SessionSpec:
    slots = fixed[2] if fixed else math.ceil(session.duration_minutes / grid.minutes)
    return solver.SessionSpec(
        id=session.id,
        title=session.title,
        format=session.format.value,
        slots=slots,
        audience=session.expected_audience,
        topic_ids=frozenset(t.id for t in session.topics),
        expert_ids=tuple(p.expert_id for p in parts),
        moderator_ids=tuple(p.expert_id for p in parts if p.role == ParticipationRole.MODERATOR),
        fixed=fixed[:2] if fixed else None,
    )


def snapshot(forum: Forum) -> dict[str, Any]:
    """The versions of everything a solve reads from the forum, as JSON: a plan computed
    from one snapshot is applied only while the forum still matches it."""

    def versions(model: Any, *where: Any) -> dict[str, int]:
        rows = db.session.execute(sa.select(model.id, model.version).where(*where))
        return {str(row_id): version for row_id, version in rows}

    in_forum = ForumSession.forum_id == forum.id
    parts = Participation.session_id.in_(sa.select(ForumSession.id).where(in_forum))
    windows = db.session.execute(
        sa.select(Availability.expert_id, Availability.starts_at, Availability.ends_at)
        .filter_by(forum_id=forum.id)
        .order_by(Availability.expert_id, Availability.starts_at)
    )
    return {
        "forum": forum.version,
        "sessions": versions(ForumSession, in_forum),
        "rooms": versions(Room, Room.forum_id == forum.id),
        "participations": versions(Participation, parts),
        # Availability carries no version: its windows themselves are compared.
        "availability": [[e, s.isoformat(), t.isoformat()] for e, s, t in windows],
    }


def apply(forum_id: int, seen: dict[str, Any], options: dict[str, Any], result) -> dict:
    """The plan ``result`` found, in the transaction it is applied in: written with
    ``apply`` (the caller commits). 409 when the forum changed since ``seen``."""
    forum = db.session.get(Forum, forum_id)
    if forum is None:
        raise NotFound("The forum was deleted while its timetable was being solved.")
    lock(forum)
    changed = sorted(part for part, now in snapshot(forum).items() if seen.get(part) != now)
    if changed:
        raise Conflict(
            "The forum changed while its timetable was being solved; solve it again.",
            {"changed": changed},
        )
    grid = Grid.for_forum(forum, options["day_start"], options["day_end"], options["slot_minutes"])
    by_id = {
        s.id: s
        for s in db.session.scalars(
            sa.select(ForumSession).where(ForumSession.id.in_(result.placements))
        )
    }
    placements = []
    for session_id, (room_id, slot) in sorted(result.placements.items(), key=lambda p: p[1][1]):
        session = by_id[session_id]
        start = grid.starts[slot]
        end = start + dt.timedelta(minutes=session.duration_minutes)
        placements.append({"session": session, "room_id": room_id, "start": start, "end": end})
        if options["apply"]:
            session.starts_at, session.ends_at, session.room_id = start, end, room_id
    db.session.flush()
    return {
        "status": result.status,
        "applied": options["apply"],
        "objective": result.objective,
        "first_objective": result.first_objective,
        "wall_seconds": round(result.wall_seconds, 3),
        "penalties": result.penalties,
        "placements": placements,
    }
