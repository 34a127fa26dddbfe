"""The conflict report: what stands between a forum's draft timetable and a sound one.

Everything is read in a handful of statements and checked in memory, so the report for a
forum of hundreds of sessions stays fast. ``hard`` conflicts block publishing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm

from app.experts.models import Expert
from app.extensions import db
from app.forums.models import (
    Availability,
    Forum,
    ForumSession,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Room,
)
from app.forums.times import forum_bounds

HARD, WARNING = "hard", "warning"
# Roles that give a side its voice in a session; moderators are checked on their own.
VOICES = frozenset({ParticipationRole.SPEAKER, ParticipationRole.DISCUSSANT})
# A bilateral session needs both; a series that alternates names its own pair.
DEFAULT_SIDES = ("RU", "KZ")
COUNTRY_NAMES = {"RU": "Russian", "KZ": "Kazakh"}


@dataclass
class Finding:
    kind: str
    severity: str
    message: str
    session_ids: list[int] = field(default_factory=list)
    expert_ids: list[int] = field(default_factory=list)
    room_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Booking:
    """A session's time as the checks see it (the session may be in another forum)."""

    session_id: int
    title: str
    forum_id: int
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Part:
    expert_id: int
    role: ParticipationRole
    status: ParticipationStatus


@dataclass(frozen=True)
class Person:
    full_name: str
    country_code: str


@dataclass
class Facts:
    forum: Forum
    sessions: list[ForumSession]
    rooms: dict[int, Room]
    parts: dict[int, list[Part]]  # session id -> its non-declined participations
    experts: dict[int, Person]
    availability: dict[int, list[tuple[dt.datetime, dt.datetime]]]
    elsewhere: list[tuple[int, Booking]]  # (expert id, booking in another forum)


def load(forum: Forum) -> Facts:
    """Everything the checks need, in five statements."""
    sessions = list(
        db.session.scalars(
            sa.select(ForumSession)
            .where(ForumSession.forum_id == forum.id)
            .order_by(ForumSession.starts_at.nulls_last(), ForumSession.id)
        )
    )
    rooms = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Room).filter_by(forum_id=forum.id).options(orm.selectinload(Room.windows))
        )
    }
    parts: dict[int, list[Part]] = defaultdict(list)
    experts: dict[int, Person] = {}
    # Plain rows, not entities: a big forum has thousands of participations.
    rows = db.session.execute(
        sa.select(
            Participation.session_id,
            Participation.expert_id,
            Participation.role,
            Participation.status,
            Expert.full_name,
            Expert.country_code,
        )
        .join(Expert, Expert.id == Participation.expert_id)
        .join(ForumSession, ForumSession.id == Participation.session_id)
        .where(
            ForumSession.forum_id == forum.id,
            Participation.status != ParticipationStatus.DECLINED,
        )
        .order_by(Participation.id)
    )
    for session_id, expert_id, role, status, name, country in rows:
        parts[session_id].append(Part(expert_id, role, status))
        experts[expert_id] = Person(name, country)
    availability: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for row in db.session.scalars(
        sa.select(Availability).filter_by(forum_id=forum.id).order_by(Availability.starts_at)
    ):
        availability[row.expert_id].append((row.starts_at, row.ends_at))
    return Facts(forum, sessions, rooms, parts, experts, availability, _elsewhere(forum, sessions))


def _elsewhere(forum: Forum, sessions: list[ForumSession]) -> list[tuple[int, Booking]]:
    """Bookings in other forums of this forum's experts that overlap its scheduled sessions."""
    timed = [s for s in sessions if s.starts_at is not None]
    if not timed:
        return []
    first, last = min(s.starts_at for s in timed), max(s.ends_at for s in timed)
    mine = (
        sa.select(Participation.expert_id)
        .join(ForumSession, ForumSession.id == Participation.session_id)
        .where(
            ForumSession.forum_id == forum.id,
            Participation.status != ParticipationStatus.DECLINED,
        )
    )
    rows = db.session.execute(
        sa.select(
            Participation.expert_id,
            ForumSession.id,
            ForumSession.title,
            ForumSession.forum_id,
            ForumSession.starts_at,
            ForumSession.ends_at,
        )
        .join(ForumSession, ForumSession.id == Participation.session_id)
        .where(
            ForumSession.forum_id != forum.id,
            Participation.status != ParticipationStatus.DECLINED,
            Participation.expert_id.in_(mine),
            ForumSession.starts_at < last,
            ForumSession.ends_at > first,
        )
    )
    return [(row[0], Booking(*row[1:])) for row in rows]


def report(forum: Forum) -> list[Finding]:
    """Every conflict in the forum, hard ones first."""
    facts = load(forum)
    checks = (
        _experts_double_booked,
        _rooms_double_booked,
        _capacity,
        _availability,
        _outside_forum_or_room_hours,
        _parity,
        _roomless,
    )
    findings = [finding for check in checks for finding in check(facts)]
    return sorted(findings, key=lambda f: f.severity != HARD)


def _booking(session: ForumSession) -> Booking:
    return Booking(session.id, session.title, session.forum_id, session.starts_at, session.ends_at)


def _overlapping(bookings: list[Booking]) -> Iterator[tuple[Booking, Booking]]:
    """Each pair of overlapping bookings once (sweep over start times)."""
    ordered = sorted(bookings, key=lambda b: (b.start, b.session_id))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.start >= first.end:
                break
            yield first, second


def _experts_double_booked(facts: Facts) -> Iterator[Finding]:
    booked: dict[int, list[Booking]] = defaultdict(list)
    for session in facts.sessions:
        if session.starts_at is not None:
            for part in facts.parts[session.id]:
                booked[part.expert_id].append(_booking(session))
    for expert_id, booking in facts.elsewhere:
        booked[expert_id].append(booking)
    for expert_id, bookings in booked.items():
        name = facts.experts[expert_id].full_name
        for first, second in _overlapping(bookings):
            if facts.forum.id not in (first.forum_id, second.forum_id):
                continue
            where = "" if second.forum_id == first.forum_id else " (in another forum)"
            yield Finding(
                "expert_double_booked",
                HARD,
                f"{name} is in '{first.title}' and '{second.title}'{where} at the same time.",
                session_ids=[first.session_id, second.session_id],
                expert_ids=[expert_id],
            )


def _rooms_double_booked(facts: Facts) -> Iterator[Finding]:
    by_room: dict[int, list[Booking]] = defaultdict(list)
    for session in facts.sessions:
        if session.starts_at is not None and session.room_id is not None:
            by_room[session.room_id].append(_booking(session))
    for room_id, bookings in by_room.items():
        for first, second in _overlapping(bookings):
            yield Finding(
                "room_double_booked",
                HARD,
                f"'{first.title}' and '{second.title}' are both in "
                f"{facts.rooms[room_id].name} at the same time.",
                session_ids=[first.session_id, second.session_id],
                room_ids=[room_id],
            )


def _capacity(facts: Facts) -> Iterator[Finding]:
    for session in facts.sessions:
        room = facts.rooms.get(session.room_id)
        if room is not None and (session.expected_audience or 0) > room.capacity:
            yield Finding(
                "room_too_small",
                HARD,
                f"'{session.title}' expects {session.expected_audience} people; "
                f"{room.name} holds {room.capacity}.",
                session_ids=[session.id],
                room_ids=[room.id],
            )


def _covered(start: dt.datetime, end: dt.datetime, windows) -> bool:
    """Whether one of the (merged) windows holds the whole stretch."""
    return any(w_start <= start and end <= w_end for w_start, w_end in windows)


def _availability(facts: Facts) -> Iterator[Finding]:
    for session in facts.sessions:
        if session.starts_at is None:
            continue
        for part in facts.parts[session.id]:
            windows = facts.availability.get(part.expert_id)
            if windows and not _covered(session.starts_at, session.ends_at, windows):
                yield Finding(
                    "expert_unavailable",
                    HARD,
                    f"{facts.experts[part.expert_id].full_name} is not available for "
                    f"'{session.title}' ({_local(session.starts_at, facts.forum)}).",
                    session_ids=[session.id],
                    expert_ids=[part.expert_id],
                )


def _roomless(facts: Facts) -> Iterator[Finding]:
    """A placed session with nowhere to meet: published, it would show no room."""
    for session in facts.sessions:
        if session.starts_at is not None and session.room_id is None:
            yield Finding(
                "no_room",
                WARNING,
                f"'{session.title}' is placed at {_local(session.starts_at, facts.forum)} "
                "without a room.",
                session_ids=[session.id],
            )


def _local(moment: dt.datetime, forum: Forum) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(forum.timezone)).strftime("%a %d %b %H:%M")


def _outside_forum_or_room_hours(facts: Facts) -> Iterator[Finding]:
    first, last = forum_bounds(facts.forum)
    for session in facts.sessions:
        if session.starts_at is None:
            continue
        if session.starts_at < first or session.ends_at > last:
            yield Finding(
                "outside_forum_dates",
                HARD,
                f"'{session.title}' lies outside the forum's dates "
                f"({facts.forum.start_date} to {facts.forum.end_date}).",
                session_ids=[session.id],
            )
            continue
        room = facts.rooms.get(session.room_id)
        windows = [(w.starts_at, w.ends_at) for w in room.windows] if room else []
        if windows and not _covered(session.starts_at, session.ends_at, windows):
            yield Finding(
                "outside_room_hours",
                HARD,
                f"{room.name} is closed during part of '{session.title}'.",
                session_ids=[session.id],
                room_ids=[room.id],
            )


def sides(forum: Forum) -> tuple[str, str]:
    series = forum.series
    if series is not None and series.country_a and series.country_b:
        return series.country_a, series.country_b
    return DEFAULT_SIDES


def _side_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


def _parity(facts: Facts) -> Iterator[Finding]:
    """Each session needs an accepted voice from both sides, and moderators from both
    sides when it has several."""
    pair = sides(facts.forum)
    for session in facts.sessions:
        parts = facts.parts[session.id]
        voiced = {
            facts.experts[p.expert_id].country_code
            for p in parts
            if p.role in VOICES and p.status == ParticipationStatus.ACCEPTED
        }
        missing = [side for side in pair if side not in voiced]
        if missing:
            yield Finding(
                "bilateral_parity",
                HARD,
                f"'{session.title}' has no accepted "
                + " or ".join(_side_name(side) for side in missing)
                + " speaker.",
                session_ids=[session.id],
                expert_ids=[p.expert_id for p in parts],
            )
        moderators = [p for p in parts if p.role == ParticipationRole.MODERATOR]
        countries = {facts.experts[p.expert_id].country_code for p in moderators}
        if len(moderators) > 1 and len(countries) == 1:
            yield Finding(
                "bilateral_parity",
                WARNING,
                f"All moderators of '{session.title}' are {_side_name(countries.pop())}.",
                session_ids=[session.id],
                expert_ids=[p.expert_id for p in moderators],
            )


def blocking(findings: list[Finding], forum: Forum) -> list[Finding]:
    """Hard conflicts that involve a scheduled session: those stop publishing."""
    # One narrow query: loading ``forum.sessions`` costs tens of ms on a large forum.
    scheduled = set(
        db.session.scalars(
            sa.select(ForumSession.id).where(
                ForumSession.forum_id == forum.id, ForumSession.starts_at.is_not(None)
            )
        )
    )
    return [f for f in findings if f.severity == HARD and scheduled.intersection(f.session_ids)]
