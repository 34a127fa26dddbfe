"""Forum series, forums and rooms. Services add and flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.accounts.models import User
from app.audit.services import record
from app.core.errors import Conflict, DomainError
from app.core.lookup import get_or_404
from app.experts.services import check_country, check_region
from app.extensions import db
from app.forums import publishing, visibility
from app.forums.availability import set_room_windows
from app.forums.models import (
    Forum,
    ForumSeries,
    ForumSession,
    ForumState,
    HostRule,
    Room,
    RoomWindow,
)
from app.forums.times import FIRST_DAY, LAST_DAY, MAX_FORUM_DAYS

# Where a forum moves to another country, its zone starts as that country's capital's.
# (All of Kazakhstan has kept UTC+5 since 2024; IANA's Asia/Almaty follows.)
DEFAULT_ZONES = {"RU": "Europe/Moscow", "KZ": "Asia/Almaty"}


def series_query() -> sa.Select:
    return sa.select(ForumSeries).order_by(ForumSeries.id)


def create_series(data: dict[str, Any]) -> ForumSeries:
    if db.session.scalar(sa.select(ForumSeries.id).filter_by(slug=data["slug"])) is not None:
        raise Conflict("A series with this slug exists.", {"slug": ["Taken."]})
    for field in ("country_a", "country_b"):
        if data.get(field):
            check_country(data[field], field)
    series = ForumSeries(**data)
    db.session.add(series)
    db.session.flush()
    return series


def forums_query(filters: dict[str, Any], viewer: User | None) -> sa.Select:
    """The forums ``viewer`` may see, filtered."""
    stmt = (
        sa.select(Forum)
        .where(visibility.forum_filter(viewer))
        .order_by(Forum.start_date.desc(), Forum.id.desc())
    )
    for name, column in (
        ("series", Forum.series_id),
        ("year", Forum.year),
        ("host_country", Forum.host_country),
        ("status", Forum.status),
    ):
        if name in filters:
            stmt = stmt.where(column == filters[name])
    return stmt


def upcoming_and_past(
    filters: dict[str, Any], viewer: User | None, today: dt.date
) -> tuple[sa.Select, sa.Select]:
    """:func:`forums_query` split at ``today``: those not yet over, soonest first, and the
    rest, newest first; each with its country and series."""
    stmt = forums_query(filters, viewer).options(
        orm.joinedload(Forum.country), orm.joinedload(Forum.series)
    )
    upcoming = (
        stmt.where(Forum.end_date >= today).order_by(None).order_by(Forum.start_date, Forum.id)
    )
    return upcoming, stmt.where(Forum.end_date < today)


def expected_host(series: ForumSeries, edition_year: int, exclude_id: int | None) -> str | None:
    """Whose turn it is: the other country than the host of the latest earlier edition."""
    if series.host_rule != HostRule.ALTERNATE:
        return None
    stmt = (
        sa.select(Forum.host_country)
        # A postponed edition was not held: the turn passes with the one that was.
        .where(
            Forum.series_id == series.id,
            Forum.year < edition_year,
            Forum.state != ForumState.POSTPONED,
        )
        .order_by(Forum.year.desc(), Forum.id.desc())
        .limit(1)
    )
    if exclude_id is not None:
        stmt = stmt.where(Forum.id != exclude_id)
    previous = db.session.scalar(stmt)
    if previous is None:
        return None  # the first edition may be hosted by either country
    return series.country_b if previous == series.country_a else series.country_a


def _check_alternation(forum: Forum, override: bool) -> None:
    series = forum.series
    if series is None:
        return
    wanted = expected_host(series, forum.year, forum.id)
    if wanted is not None and forum.host_country != wanted:
        if not override:
            raise DomainError(
                f"This series alternates: the {forum.year} edition is hosted by {wanted}.",
                {"host_country": [f"Expected {wanted}; send override_alternation to insist."]},
            )
        record(
            "override_alternation",
            "forum",
            forum.id,
            {"host_country": forum.host_country, "expected": wanted},
        )


def _apply(forum: Forum, data: dict[str, Any]) -> bool:
    """Set the fields; returns whether the caller asked to override alternation."""
    data = dict(data)
    override = data.pop("override_alternation", False)
    if "host_country" in data:
        check_country(data["host_country"], "host_country")
    if data.get("series_id") is not None:
        get_or_404(ForumSeries, data["series_id"], "forum series")
    check_region(data.get("region_id"))
    for key, value in data.items():
        setattr(forum, key, value.strip() if isinstance(value, str) else value)
    if forum.end_date < forum.start_date or forum.start_date.year != forum.year:
        raise DomainError(
            "The dates do not fit: the forum ends before it starts, or starts in another year.",
            {"start_date": ["Check the dates."]},
        )
    # A PATCH may move one end only: the length is judged on the dates as they now stand.
    _check_span(
        forum.start_date, forum.end_date, "end_date" if "end_date" in data else "start_date"
    )
    return override


def _check_span(start: dt.date, end: dt.date, field: str) -> None:
    """A forum lies between FIRST_DAY and LAST_DAY and lasts at most MAX_FORUM_DAYS."""
    if start < FIRST_DAY or end > LAST_DAY:
        raise DomainError(
            f"A forum's dates lie between {FIRST_DAY.year} and {LAST_DAY.year}, "
            f"not {start} to {end}.",
            {"json": {field: [f"Between {FIRST_DAY} and {LAST_DAY}."]}},
        )
    if (end - start).days >= MAX_FORUM_DAYS:
        raise DomainError(
            f"A forum is an event of a few days: it lasts at most {MAX_FORUM_DAYS} days.",
            {"json": {field: [f"At most {MAX_FORUM_DAYS} days from start to end."]}},
        )


def _save(forum: Forum, override: bool) -> Forum:
    db.session.add(forum)
    db.session.flush()
    db.session.refresh(forum, ["series"])
    _check_alternation(forum, override)
    return forum


def create_forum(data: dict[str, Any]) -> Forum:
    forum = Forum()
    with db.session.no_autoflush:  # a half-filled forum must not reach the database
        override = _apply(forum, data)
    return _save(forum, override)


def update_forum(forum: Forum, data: dict[str, Any]) -> Forum:
    with publishing.kept_publishable(forum):  # new dates must keep its sessions in
        with db.session.no_autoflush:
            override = _apply(forum, data)
        return _save(forum, override)


# Next year on the same weekdays: a Tuesday–Wednesday forum stays Tuesday–Wednesday.
A_YEAR_OF_WEEKS = dt.timedelta(weeks=52)

_NUMERALS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def roman(number: int) -> str:
    """An edition as forums number them: 19 is XIX."""
    out = []
    for value, numeral in _NUMERALS:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)


def _next_title(forum: Forum, year: int, lang: str = "en") -> str | None:
    """The title in ``lang`` counted on: "I … Forum" becomes "II … Forum", "… 2027"
    becomes "… 2028"; else the series' name and the year. None where the forum has no
    title in that language."""
    suffix = "" if lang == "en" else f"_{lang}"
    title = getattr(forum, f"title{suffix}")
    if title is None:
        return None
    first, _, rest = title.partition(" ")
    if forum.edition and rest and first == roman(forum.edition):
        return f"{roman(forum.edition + 1)} {rest}"
    if str(forum.year) in title:
        return title.replace(str(forum.year), str(year))
    series_name = getattr(forum.series, f"name{suffix or '_en'}", None)
    return f"{series_name} {year}" if series_name else title


def _next_names(forum: Forum, data: dict[str, Any], year: int, moved: bool) -> dict[str, Any]:
    """The new edition's title and city in each language: as ``data`` gives them, else the
    title counted on and the city kept while the host stays (a city given anew in English
    takes none of the old one's other spellings)."""
    names: dict[str, Any] = {}
    for lang, suffix in (("en", ""), ("ru", "_ru"), ("kk", "_kk")):
        names[f"title{suffix}"] = data.get(f"title{suffix}") or _next_title(forum, year, lang)
        kept = None if moved or "city" in data else getattr(forum, f"city{suffix}")
        names[f"city{suffix}"] = data.get(f"city{suffix}", kept)
    return names


def _wall_clock_shift(old_zone: str, new_zone: str, days: dt.timedelta):
    """Move a UTC instant by whole days on the wall clock, from one forum's zone to
    another's: a room open 09:00-18:00 in Moscow opens 09:00-18:00 in Almaty next year."""
    old, new = zoneinfo.ZoneInfo(old_zone), zoneinfo.ZoneInfo(new_zone)

    def shift(moment: dt.datetime) -> dt.datetime:
        local = moment.astimezone(old).replace(tzinfo=None) + days
        return local.replace(tzinfo=new).astimezone(dt.UTC)

    return shift


def _next_dates(forum: Forum, start: dt.date | None) -> tuple[dt.date, dt.date]:
    """The next edition's dates: from ``start`` (else 52 weeks on), as long as this one."""
    start = start or forum.start_date + A_YEAR_OF_WEEKS
    if start <= forum.end_date:
        raise DomainError(
            "The next edition starts after this one ends.", {"json": {"start_date": ["Too early."]}}
        )
    end = start + (forum.end_date - forum.start_date)
    _check_span(start, end, "start_date")
    return start, end


def next_edition(forum: Forum, data: dict[str, Any] | None = None) -> Forum:
    """Next year's edition: the other host, the same weekdays a year on, the same rooms, and
    the same sessions (titles, formats, topics, durations) unscheduled, as drafts.

    ``data`` may give the new edition's ``title``, ``city`` and ``start_date`` (the forum
    keeps its length); the rest can be edited afterwards like any forum.
    """
    data = data or {}
    series = forum.series
    host = forum.host_country
    if series is not None and series.host_rule == HostRule.ALTERNATE:
        host = series.country_b if forum.host_country == series.country_a else series.country_a
    edition = forum.edition + 1 if forum.edition else None
    if (
        series is not None
        and edition
        and db.session.scalar(sa.select(Forum.id).filter_by(series_id=series.id, edition=edition))
    ):
        raise Conflict(f"Edition {edition} of this series exists already.")
    # Read what is copied before the new edition joins the session (no half-built flush).
    start, end = _next_dates(forum, data.get("start_date"))
    moved = host != forum.host_country
    zone = DEFAULT_ZONES.get(host, forum.timezone) if moved else forum.timezone
    shift = _wall_clock_shift(forum.timezone, zone, start - forum.start_date)
    rooms = [
        Room(
            name=r.name,
            capacity=r.capacity,
            windows=[
                RoomWindow(starts_at=shift(w.starts_at), ends_at=shift(w.ends_at))
                for w in r.windows
            ],
        )
        for r in forum.rooms
    ]
    sessions = [
        ForumSession(
            title=s.title,
            format=s.format,
            description=s.description,
            expected_audience=s.expected_audience,
            duration_minutes=s.duration_minutes,
            topics=list(s.topics),
        )
        for s in forum.sessions
    ]
    new = Forum(
        series=series,
        **_next_names(forum, data, start.year, moved),
        edition=edition,
        year=start.year,
        host_country=host,
        start_date=start,
        end_date=end,
        timezone=zone,
        rooms=rooms,
        sessions=sessions,
    )
    db.session.add(new)
    db.session.flush()
    return new


def _check_room_name(forum: Forum, name: str, room: Room | None = None) -> str:
    name = name.strip()
    if any(r.name == name and r is not room for r in forum.rooms):
        raise Conflict("This forum has a room of that name.", {"name": ["Taken."]})
    return name


def add_room(forum: Forum, data: dict[str, Any]) -> Room:
    """A room with its capacity and, optionally, the windows it can be used in."""
    room = Room(forum=forum, name=_check_room_name(forum, data["name"]), capacity=data["capacity"])
    db.session.add(room)
    set_room_windows(room, data.get("windows", []))
    db.session.flush()  # without windows, nothing flushed it: the answer names its id
    return room


def delete_room(room: Room) -> None:
    """Remove a room; its sessions keep their times, and the published ones that lose their
    room say so in the programme's changelog."""
    sessions = db.session.scalars(sa.select(ForumSession).filter_by(room_id=room.id)).all()
    before = [publishing.snapshot(session) for session in sessions]
    for session in sessions:
        session.room = None
    db.session.flush()  # room_id follows the relationship only at the flush
    for session, snapshot in zip(sessions, before, strict=True):
        publishing.note_edit(session, snapshot)
    db.session.delete(room)
    db.session.flush()


def update_room(room: Room, data: dict[str, Any]) -> Room:
    with publishing.kept_publishable(room.forum):  # fewer seats or hours, say
        if "name" in data:
            room.name = _check_room_name(room.forum, data["name"], room)
        if "capacity" in data:
            room.capacity = data["capacity"]
        if "windows" in data:
            set_room_windows(room, data["windows"])
        db.session.flush()
    return room
