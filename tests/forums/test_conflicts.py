"""The conflict report: each kind found, with the sessions, experts and rooms involved."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import DomainError
from app.forums import conflicts
from app.forums.times import forum_bounds
from tests import factories as f

UTC = dt.UTC


def at(hour: int, minute: int = 0, day: int = 14) -> dt.datetime:
    """A time on the forum's days, in UTC (the forum is in Almaty, UTC+5)."""
    return dt.datetime(2027, 9, day, hour, minute, tzinfo=UTC)


def session(forum, start=None, minutes=90, **kwargs):
    """A session; a placed one gets a room of its own unless one (or None) is given."""
    end = start + dt.timedelta(minutes=minutes) if start else None
    if start is not None and "room" not in kwargs:
        kwargs["room"] = f.RoomFactory(forum=forum, capacity=500)
    return f.SessionFactory(
        forum=forum, starts_at=start, ends_at=end, duration_minutes=minutes, **kwargs
    )


def bilateral(s, status="accepted"):
    """Give a session one accepted Russian and one accepted Kazakh speaker."""
    f.ParticipationFactory(session=s, expert=f.ExpertFactory(country_code="RU"), status=status)
    f.ParticipationFactory(session=s, expert=f.ExpertFactory(country_code="KZ"), status=status)


def kinds(forum):
    return sorted((c.kind, c.severity) for c in conflicts.report(forum))


def test_a_sound_forum_has_no_conflicts(forum, db_session):
    room = f.RoomFactory(forum=forum, capacity=50)
    for hour in (4, 6):
        bilateral(session(forum, at(hour), room=room, expected_audience=50))
    db_session.flush()
    assert conflicts.report(forum) == []


def test_an_expert_booked_twice_across_forums(forum, db_session):
    expert = f.ExpertFactory(country_code="RU", full_name="Ivan Petrov")
    here = session(forum, at(4), title="Transit")
    there = session(f.ForumFactory(), at(5), minutes=60, title="Water")  # meets 05:00-05:30
    later = session(forum, at(6), title="Later")
    for s in (here, there, later):
        bilateral(s)
        f.ParticipationFactory(session=s, expert=expert, status="invited")
    db_session.flush()
    found = [c for c in conflicts.report(forum) if c.kind == "expert_double_booked"]
    assert len(found) == 1
    assert found[0].severity == "hard"
    assert sorted(found[0].session_ids) == sorted([here.id, there.id])
    assert found[0].expert_ids == [expert.id]
    assert "Ivan Petrov" in found[0].message and "another forum" in found[0].message


def test_a_declined_invitation_does_not_book(forum, db_session):
    expert = f.ExpertFactory()
    first, second = session(forum, at(4)), session(forum, at(5))
    for s in (first, second):
        bilateral(s)
    f.ParticipationFactory(session=first, expert=expert, status="accepted")
    f.ParticipationFactory(session=second, expert=expert, status="declined")
    db_session.flush()
    assert kinds(forum) == []


def test_room_clash_capacity_and_room_hours(forum, db_session):
    room = f.RoomFactory(forum=forum, name="Hall A", capacity=40)
    f.RoomWindowFactory(room=room, starts_at=at(3), ends_at=at(7))
    first = session(forum, at(4), room=room, expected_audience=80)
    second = session(forum, at(5), room=room)
    late = session(forum, at(6, 30), room=room)  # runs to 08:00, past the window
    for s in (first, second, late):
        bilateral(s)
    db_session.flush()
    found = {c.kind: c for c in conflicts.report(forum)}
    assert set(found) == {"room_double_booked", "room_too_small", "outside_room_hours"}
    assert found["room_double_booked"].room_ids == [room.id]
    assert sorted(found["room_double_booked"].session_ids) == sorted([first.id, second.id])
    assert "80" in found["room_too_small"].message and "40" in found["room_too_small"].message
    assert found["outside_room_hours"].session_ids == [late.id]


def test_outside_the_forum_dates(forum, db_session):
    # 2027-09-16 01:00 Almaty is after the forum's last day.
    bilateral(session(forum, at(20, day=15)))
    db_session.flush()
    assert kinds(forum) == [("outside_forum_dates", "hard")]


def test_an_expert_outside_their_availability(forum, db_session):
    s = session(forum, at(4))
    bilateral(s)
    expert = f.ExpertFactory(country_code="RU")
    f.ParticipationFactory(session=s, expert=expert, status="accepted")
    f.AvailabilityFactory(forum=forum, expert=expert, starts_at=at(8), ends_at=at(12))
    db_session.flush()
    found = conflicts.report(forum)
    assert [(c.kind, c.expert_ids) for c in found] == [("expert_unavailable", [expert.id])]


@pytest.mark.parametrize(
    ("speakers", "expected"),
    [
        ([("RU", "accepted"), ("KZ", "accepted")], []),
        ([("RU", "accepted"), ("KZ", "invited")], ["Kazakh"]),
        ([("KZ", "accepted"), ("KZ", "accepted")], ["Russian"]),
        ([], ["Russian or Kazakh"]),
    ],
)
def test_bilateral_parity_needs_an_accepted_voice_from_each_side(
    forum, db_session, speakers, expected
):
    s = session(forum, at(4), title="Caspian")
    for country, status in speakers:
        f.ParticipationFactory(
            session=s, expert=f.ExpertFactory(country_code=country), status=status
        )
    db_session.flush()
    found = [c for c in conflicts.report(forum) if c.kind == "bilateral_parity"]
    assert [c.message for c in found] == [
        f"'Caspian' has no accepted {side} speaker." for side in expected
    ]
    assert all(c.severity == "hard" for c in found)


def test_moderators_all_from_one_side_is_a_warning(forum, db_session):
    s = session(forum, at(4))
    bilateral(s)
    for _ in range(2):
        f.ParticipationFactory(
            session=s, expert=f.ExpertFactory(country_code="RU"), role="moderator"
        )
    db_session.flush()
    assert kinds(forum) == [("bilateral_parity", "warning")]


def test_the_report_over_http(forum, db_session, caller, make_user):
    bilateral(session(forum, at(4)))
    session(forum, at(6), title="Lonely")
    session(forum, title="Not placed yet")  # a breach too, but it would not be published
    db_session.flush()
    url = f"/api/v1/forums/{forum.id}/conflicts"
    body = caller(make_user("organiser")).get(url).get_json()
    assert (body["hard"], body["warnings"], body["blocking"]) == (2, 0, 1)
    assert body["conflicts"][0]["kind"] == "bilateral_parity"
    assert set(body["conflicts"][0]) == {
        "kind",
        "severity",
        "message",
        "session_ids",
        "expert_ids",
        "room_ids",
    }
    filtered = caller(make_user("organiser")).get(url + "?severity=warning").get_json()
    assert filtered["conflicts"] == [] and filtered["hard"] == 2  # the forum's totals
    assert caller(make_user()).get(url).status_code == 403


def test_a_placed_session_without_a_room_is_a_warning(forum, db_session):
    placed = session(forum, at(4), room=None)
    session(forum, room=None)  # not placed: nothing to say of its room yet
    db_session.flush()
    [finding] = [c for c in conflicts.report(forum) if c.kind == "no_room"]
    assert (finding.kind, finding.severity) == ("no_room", "warning")
    assert finding.session_ids == [placed.id]
    assert "09:00" in finding.message  # 04:00 UTC, told in Almaty time


def test_stored_forum_dates_past_the_calendar_get_422(db_session, caller, make_user):
    # Written before the dates were bounded: the report asks for the dates to be mended.
    forum = f.ForumFactory(end_date=dt.date(9999, 12, 31))
    db_session.flush()
    with pytest.raises(DomainError):
        forum_bounds(forum)
    response = caller(make_user("organiser")).get(f"/api/v1/forums/{forum.id}/conflicts")
    assert response.status_code == 422
    assert "end_date" in response.get_json()["errors"]
