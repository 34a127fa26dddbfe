"""A forum's clock: times are given in its zone and stored in UTC."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from babel import dates
from flask_babel import get_locale

from app.core.errors import DomainError
from app.forums.models import Forum

# The years a forum and its sessions may fall in, as for forums' ``year``: far enough from
# the ends of Python's calendar that a change of zone or a day's shift never overflows.
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
# A forum is an event of a few days; longer is a typo, and costs the solver and the exports.
MAX_FORUM_DAYS = 31


def to_utc(moment: dt.datetime | None, forum: Forum, field: str) -> dt.datetime | None:
    """A time with an offset as given; a naive one in the forum's zone. Stored in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(forum.timezone))
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise DomainError(
            f"A time is out of range: {FIRST_DAY.year} to {LAST_DAY.year}.",
            {field: ["Out of range."]},
        ) from None


def forum_bounds(forum: Forum) -> tuple[dt.datetime, dt.datetime]:
    """The forum's first midnight and the midnight after its last day, in UTC."""
    zone = zoneinfo.ZoneInfo(forum.timezone)
    try:
        start = dt.datetime.combine(forum.start_date, dt.time(), zone)
        end = dt.datetime.combine(forum.end_date + dt.timedelta(days=1), dt.time(), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    except OverflowError:  # dates stored before they were bounded
        raise DomainError(
            f"The forum's dates are out of range: correct them to lie between "
            f"{FIRST_DAY.year} and {LAST_DAY.year}.",
            {"end_date": ["Out of range."]},
        ) from None


def local_time(moment: dt.datetime, forum: Forum) -> str:
    """A stored (UTC) time as the forum's clock shows it, in the interface's format."""
    zone = zoneinfo.ZoneInfo(forum.timezone)
    return dates.format_time(moment.astimezone(zone), "short", tzinfo=zone, locale=get_locale())


def local_day(moment: dt.datetime, forum: Forum) -> dt.date:
    """The day a stored (UTC) time falls on by the forum's clock."""
    return moment.astimezone(zoneinfo.ZoneInfo(forum.timezone)).date()


def long_date(day: dt.date) -> str:
    """A day as the interface's language writes it in full ("Tuesday, 14 September 2027")."""
    return dates.format_date(day, "full", locale=get_locale())


def utc_offset(forum: Forum) -> int:
    """The forum's offset from UTC in minutes, at noon on its first day."""
    noon = dt.datetime.combine(forum.start_date, dt.time(12), zoneinfo.ZoneInfo(forum.timezone))
    return int(noon.utcoffset().total_seconds()) // 60


def offset_label(minutes: int) -> str:
    """``UTC+5``, ``UTC+5:30``, ``UTC-3``."""
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def clock_of(forum: Forum, lang: str) -> str:
    """Whose clock a forum's times are on, for people: "Astana, UTC+5" (the forum's city
    in ``lang``, else its zone's name), not "Asia/Almaty" alone."""
    place = forum.city_in(lang) or forum.timezone
    return f"{place}, {offset_label(utc_offset(forum))}"
