"""Our iCalendar feeds read by two parsers that share no code with the icalendar package
that writes them: ``ical`` (strict RFC 5545 models) and ``vobject``."""

from __future__ import annotations

import datetime as dt

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from app.forums.calendar import expert_ics, forum_ics
from tests import factories as f
from tests.forums.test_calendar_exports import NOW, almaty_forum, programme, scheduled, uid, utc

__all__ = ["almaty_forum", "programme"]  # fixtures, shared with the writer's own tests


@pytest.fixture
def feeds(programme, almaty_forum, db_session) -> dict[str, tuple[bytes, list]]:
    """Each feed and the sessions it must hold, in Moscow and (the expert's) in Almaty."""
    in_almaty = scheduled(almaty_forum, utc(2027, 10, 5, 5, 0), title="Водные ресурсы")
    f.ParticipationFactory(session=in_almaty, expert=programme.ivanov, status="accepted")
    db_session.flush()
    timed = [programme.late, programme.energy_dialogue, programme.roomless]
    mine = [programme.energy_dialogue, in_almaty]
    return {
        "forum": (
            forum_ics(programme.forum, programme.sessions, now=NOW),
            [*timed, programme.after_midnight],
        ),
        "expert": (expert_ics(programme.ivanov, mine, now=NOW), mine),
    }


def expected(sessions) -> dict[str, tuple[str, dt.datetime, dt.datetime]]:
    return {uid(s): (s.title, s.starts_at, s.ends_at) for s in sessions}


@pytest.mark.parametrize("feed", ["forum", "expert"])
def test_ical_reads_the_feed(feeds, feed):
    data, sessions = feeds[feed]
    calendar = IcsCalendarStream.calendar_from_ics(data.decode())
    read = {e.uid: (e.summary, e.dtstart, e.dtend) for e in calendar.events}
    assert read == expected(sessions)
    assert all(e.dtstart.tzinfo is not None for e in calendar.events)
    assert {e.dtstamp for e in calendar.events} == {NOW}


@pytest.mark.parametrize("feed", ["forum", "expert"])
def test_vobject_reads_the_feed(feeds, feed):
    data, sessions = feeds[feed]
    calendar = vobject.readOne(data.decode(), validate=True)
    events = calendar.contents["vevent"]
    read = {e.uid.value: (e.summary.value, e.dtstart.value, e.dtend.value) for e in events}
    assert read == expected(sessions)
    zones = {tz.tzid.value for tz in calendar.contents.get("vtimezone", [])}
    assert zones == {s.forum.timezone for s in sessions}
