"""Forum programmes for other software: iCalendar feeds and frab (c3voc) schedule.json.

Pure builders: they read the objects they are given (load sessions with their forum, room,
topics and participations' experts first) and never touch the request or the database.
Times are stored in UTC and shown in the forum's own zone.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from anyascii import anyascii
from flask_babel import force_locale, gettext
from icalendar import Calendar, Event, vText

from app.core.i18n import person_name, record_name
from app.experts.models import Expert
from app.forums.models import (
    Forum,
    ForumSession,
    Participation,
    ParticipationStatus,
    PublicationStatus,
    Room,
)
from app.forums.times import FIRST_DAY, LAST_DAY
from app.forums.words import FORMATS, ROLES

PRODID = "-//Expert Bridge//Forum schedule//EN"
FRAB_SCHEMA = "https://c3voc.de/schedule/schema.json"
# Never change it: frab guids derived from it must stay the same from export to export.
GUID_NAMESPACE = uuid.UUID("3559dbb4-a209-4983-b6a8-ae58010059a7")
UNASSIGNED_ROOM = "TBA"
LANGUAGE = "ru"  # the forums between Russia and Kazakhstan are held in Russian
SESSION_PATH = "/api/v1/sessions/{id}"

ParticipantsOf = Callable[[ForumSession], Iterable[Participation]]
SessionUrl = Callable[[ForumSession], str]

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def accepted_participants(session: ForumSession) -> list[Participation]:
    """Who the exports show unless told otherwise: the experts who accepted."""
    return [p for p in session.participations if p.status == ParticipationStatus.ACCEPTED]


# -- iCalendar ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Feed:
    """What every event of one feed shares."""

    participants_of: ParticipantsOf
    url_for_session: SessionUrl | None
    stamp: dt.datetime
    lang: str  # what the feed's words are written in: en, ru or kk


def forum_ics(
    forum: Forum,
    sessions: Iterable[ForumSession],
    *,
    participants_of: ParticipantsOf = accepted_participants,
    url_for_session: SessionUrl | None = None,
    now: dt.datetime | None = None,
    lang: str = LANGUAGE,
) -> bytes:
    """The forum's programme as an iCalendar feed: one event per scheduled session, its
    description, topics and people's names in ``lang`` (titles are as written)."""
    feed = _Feed(participants_of, url_for_session, now or dt.datetime.now(dt.UTC), lang)
    calendar = _calendar(forum.title_in(lang), uid=f"forum-{forum.id}@expert-bridge")
    calendar.add("x-wr-timezone", forum.timezone)
    for session in _scheduled(sessions):
        calendar.add_component(_event(session, forum, "CONFIRMED", feed))
    return _serialise(calendar)


def expert_ics(
    expert: Expert | None,
    sessions: Iterable[ForumSession],
    *,
    participants_of: ParticipantsOf = accepted_participants,
    url_for_session: SessionUrl | None = None,
    now: dt.datetime | None = None,
    lang: str = LANGUAGE,
) -> bytes:
    """An expert's sessions across forums, each in its forum's zone; unpublished is
    tentative. Without an expert (an account whose profile is still to be claimed), an
    empty feed, which fills once there is one."""
    feed = _Feed(participants_of, url_for_session, now or dt.datetime.now(dt.UTC), lang)
    if expert is None:
        return _serialise(_calendar("Expert Bridge", uid="nobody@expert-bridge"))
    name = person_name(lang, expert.full_name, expert.other_names)
    calendar = _calendar(f"{name} — Expert Bridge", uid=f"expert-{expert.id}@expert-bridge")
    for session in _scheduled(sessions):
        forum = session.forum
        status = "CONFIRMED" if _published(forum, session) else "TENTATIVE"
        calendar.add_component(_event(session, forum, status, feed))
    return _serialise(calendar)


def _published(forum: Forum, session: ForumSession) -> bool:
    return (
        forum.status == PublicationStatus.PUBLISHED
        and session.status == PublicationStatus.PUBLISHED
    )


def _calendar(name: str, *, uid: str) -> Calendar:
    calendar = Calendar.new(prodid=PRODID, calscale="GREGORIAN", method="PUBLISH", uid=uid)
    # NAME (RFC 7986) and X-WR-CALNAME, which older clients read. Given as a plain string,
    # icalendar writes them unescaped: a line break in a title would end the line early.
    for prop in ("name", "x-wr-calname"):
        calendar.add(prop, vText(name))
    return calendar


def _event(session: ForumSession, forum: Forum, status: str, feed: _Feed) -> Event:
    zone = zoneinfo.ZoneInfo(forum.timezone)
    event = Event.new(
        uid=f"session-{session.id}@expert-bridge",
        stamp=feed.stamp,
        start=session.starts_at.astimezone(zone),
        end=session.ends_at.astimezone(zone),
        summary=session.title,
        description=_description(session, feed),
        location=", ".join(filter(None, [session.room_name, forum.city_in(feed.lang)])) or None,
        # Calendar apps replace an event they hold only when its sequence has grown.
        sequence=session.version - 1,
        status=status,
        last_modified=session.updated_at,
        url=feed.url_for_session(session) if feed.url_for_session else None,
    )
    if session.topics:
        event.categories = [record_name(feed.lang, topic) for topic in session.topics]
    return event


def _description(session: ForumSession, feed: _Feed) -> str:
    with force_locale(feed.lang):
        kind = gettext("Format: %(format)s", format=FORMATS[session.format])
    credits = [kind, *(_credit(p, feed.lang) for p in feed.participants_of(session))]
    return "\n\n".join(filter(None, [session.description, "\n".join(credits)]))


def _credit(participation: Participation, lang: str) -> str:
    """ "Speaker: Иван Иванов (RU)", in ``lang``."""
    expert = participation.expert
    with force_locale(lang):
        role = str(ROLES[participation.role])
        return gettext(
            "%(role)s: %(name)s (%(country)s)",
            role=role[:1].upper() + role[1:],
            name=person_name(lang, expert.full_name, expert.other_names),
            country=expert.country_code,
        )


def _serialise(calendar: Calendar) -> bytes:
    """Add a VTIMEZONE for each zone the events use, covering only the years they span."""
    events = calendar.events
    if events:
        first = min(event.start for event in events).year
        last = max(event.end for event in events).year
        # Within the years forums may use: a stray older session time must neither run the
        # zones' rules off the calendar's end nor spell out thousands of years of them.
        first, last = (min(max(year, FIRST_DAY.year), LAST_DAY.year) for year in (first, last))
        calendar.add_missing_timezones(dt.date(first, 1, 1), dt.date(last + 1, 1, 1))
    return calendar.to_ical()


# -- frab / c3voc schedule.json ---------------------------------------------------------


def frab_schedule(
    forum: Forum,
    sessions: Iterable[ForumSession],
    *,
    base_url: str,
    participants_of: ParticipantsOf = accepted_participants,
    slot_minutes: int = 30,
) -> dict[str, Any]:
    """The forum's programme as a frab schedule that validates against c3voc's schema."""
    root = base_url.rstrip("/")
    zone = zoneinfo.ZoneInfo(forum.timezone)
    acronym = frab_acronym(forum)
    scheduled = _scheduled(sessions)
    rooms = _frab_rooms(forum, scheduled)
    events = [_frab_event(s, zone, acronym, root, participants_of(s)) for s in scheduled]
    days = _frab_days(forum, zone, [room["name"] for room in rooms], events)
    conference = {
        "acronym": acronym,
        "title": forum.title,
        "start": days[0]["date"],
        "end": days[-1]["date"],
        "daysCount": len(days),
        "timeslot_duration": _hhmm(dt.timedelta(minutes=slot_minutes)),
        "time_zone_name": forum.timezone,
        "rooms": rooms,
        "days": days,
    }
    return {
        "$schema": FRAB_SCHEMA,
        "generator": {"name": "expert-bridge", "version": _app_version()},
        # A digest of the content changes exactly when anything shown changes, deletions too.
        "schedule": {
            "version": _digest(conference),
            "base_url": f"{root}/",
            "conference": conference,
        },
    }


def frab_acronym(forum: Forum) -> str:
    """``ru_kz_forum_2027``: the series slug (else the title) in ASCII, and the year.

    The schema allows no hyphen after the first character, so words are joined by "_".
    """
    base = _ascii_slug(forum.series.slug if forum.series else forum.title, "_") or "forum"
    year = str(forum.year)
    return base if base.endswith(year) else f"{base}_{year}"


def _dates(forum: Forum, event_dates: list[dt.date]) -> list[dt.date]:
    """Every date of the forum, and each date a session is scheduled on outside them.

    Only those outside dates, not every day up to them: one session set decades off by
    mistake would otherwise fill the document with thousands of empty days.
    """
    span = (forum.end_date - forum.start_date).days + 1
    own = {forum.start_date + dt.timedelta(days=n) for n in range(span)}
    return sorted(own | set(event_dates))


def _frab_rooms(forum: Forum, scheduled: list[ForumSession]) -> list[dict[str, Any]]:
    rooms = {room.name: _frab_room(forum, room.name, room) for room in forum.rooms}
    for name in map(_room_or_unassigned, scheduled):
        rooms.setdefault(name, _frab_room(forum, name))
    return list(rooms.values())


def _frab_room(forum: Forum, name: str, room: Room | None = None) -> dict[str, Any]:
    if room is None:
        return {"name": name, "guid": _guid(f"forum-{forum.id}-room-{name}")}
    return {"name": name, "guid": _guid(f"room-{room.id}"), "capacity": room.capacity}


def _frab_days(
    forum: Forum, zone: zoneinfo.ZoneInfo, room_names: list[str], events: list[dict]
) -> list[dict[str, Any]]:
    """One day per date, each listing every room; an event is on its local start date."""
    by_date: dict[dt.date, list[dict]] = {}
    for event in events:
        by_date.setdefault(dt.datetime.fromisoformat(event["date"]).date(), []).append(event)
    dates = _dates(forum, list(by_date))
    return [
        _frab_day(index, date, zone, {name: [] for name in room_names}, by_date.get(date, []))
        for index, date in enumerate(dates, 1)
    ]


def _frab_day(
    index: int, date: dt.date, zone: zoneinfo.ZoneInfo, rooms: dict[str, list], events: list
) -> dict[str, Any]:
    for event in events:  # already in order of start
        rooms[event["room"]].append(event)
    return {
        "index": index,
        "date": date.isoformat(),
        "day_start": _midnight(date, zone).isoformat(),
        "day_end": _midnight(date + dt.timedelta(days=1), zone).isoformat(),
        "rooms": rooms,
    }


def _frab_event(
    session: ForumSession,
    zone: zoneinfo.ZoneInfo,
    acronym: str,
    root: str,
    participations: Iterable[Participation],
) -> dict[str, Any]:
    start = session.starts_at.astimezone(zone)
    title_slug = _ascii_slug(session.title, "_")
    topics = _topic_names(session)
    return {
        "id": session.id,
        "guid": _guid(f"session-{session.id}"),
        "date": start.isoformat(),
        # The schema says date-time, but frab, pretalx, c3voc's own examples and the apps
        # that read them all use the local "HH:MM"; the full moment is in "date".
        "start": start.strftime("%H:%M"),
        "duration": _hhmm(session.ends_at - session.starts_at),
        "room": _room_or_unassigned(session),
        "slug": "-".join(filter(None, [acronym, str(session.id), title_slug])),
        "url": root + SESSION_PATH.format(id=session.id),
        "title": session.title,
        "subtitle": None,
        "track": topics[0] if topics else None,
        "type": str(session.format),
        "language": LANGUAGE,
        "abstract": session.description or None,
        "description": None,
        "persons": [_frab_person(p) for p in participations],
        "links": [],
        "attachments": [],
    }


def _frab_person(participation: Participation) -> dict[str, Any]:
    # The pretalx shape: with both ``id`` and ``public_name`` a person would match both
    # branches of the schema's ``oneOf`` and fail it.
    expert = participation.expert
    return {"guid": _guid(f"expert-{expert.id}"), "name": expert.full_name}


# -- shared ---------------------------------------------------------------------------


def _scheduled(sessions: Iterable[ForumSession]) -> list[ForumSession]:
    """The sessions that have a time, earliest first."""
    timed = (s for s in sessions if s.starts_at is not None)
    return sorted(timed, key=lambda s: (s.starts_at, s.id))


def _room_or_unassigned(session: ForumSession) -> str:
    return session.room_name or UNASSIGNED_ROOM


def _topic_names(session: ForumSession) -> list[str]:
    return [topic.name_ru for topic in session.topics]  # in the programme's language


def _ascii_slug(text: str, separator: str, limit: int = 80) -> str:
    """``text`` transliterated to lower-case ASCII, runs of anything else as one separator."""
    return _NOT_ALNUM.sub(separator, anyascii(text).lower())[:limit].strip(separator)


def _guid(name: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, name))


def _midnight(date: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(), tzinfo=zone)


def _hhmm(span: dt.timedelta) -> str:
    hours, minutes = divmod(int(span.total_seconds()) // 60, 60)
    return f"{hours:02d}:{minutes:02d}"


def _digest(document: dict[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@functools.cache
def _app_version() -> str:
    try:
        return metadata.version("expert-bridge")
    except metadata.PackageNotFoundError:
        return "unknown"
