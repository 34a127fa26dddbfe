"""A forum's clock: times are given in its zone and stored in UTC."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from app.forums.models import Forum


def to_utc(moment: dt.datetime | None, forum: Forum) -> dt.datetime | None:
    """A time with an offset as given; a naive one in the forum's zone. Stored in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(forum.timezone))
    return moment.astimezone(dt.UTC)


def forum_bounds(forum: Forum) -> tuple[dt.datetime, dt.datetime]:
    """The forum's first midnight and the midnight after its last day, in UTC."""
    zone = zoneinfo.ZoneInfo(forum.timezone)
    start = dt.datetime.combine(forum.start_date, dt.time(), zone)
    end = dt.datetime.combine(forum.end_date + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
