"""The solver over HTTP: the grid in the forum's zone, previews, applying, and refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from app.forums import conflicts
from app.forums.scheduling import Grid
from tests import factories as f

WAIT = {"Prefer": "wait=60"}


def solve(organiser, forum, **options):
    """The solve's outcome, waited for (a job: in tests it runs in the request)."""
    return organiser.post(f"/api/v1/forums/{forum.id}/schedule/solve", json=options, headers=WAIT)


def with_speakers(session, *experts):
    for expert in experts:
        f.ParticipationFactory(session=session, expert=expert, status="accepted")
    return session


def test_the_grid_is_laid_in_the_forums_zone(forum):
    grid = Grid.for_forum(forum, dt.time(9), dt.time(12), 30)
    assert (grid.days, grid.per_day, len(grid.starts)) == (2, 6, 12)
    # 09:00 in Almaty (UTC+5) is 04:00 UTC; day two starts 24 h later.
    assert grid.starts[0] == dt.datetime(2027, 9, 14, 4, tzinfo=dt.UTC)
    assert grid.starts[6] == dt.datetime(2027, 9, 15, 4, tzinfo=dt.UTC)
    assert grid.covered(grid.starts[1], grid.starts[1] + dt.timedelta(minutes=45)) == [1, 2]


def test_a_preview_writes_nothing_and_apply_does(organiser, forum, db_session):
    f.RoomFactory(forum=forum, capacity=100)
    ru, kz = f.ExpertFactory(country_code="RU"), f.ExpertFactory(country_code="KZ")
    sessions = [with_speakers(f.SessionFactory(forum=forum), ru, kz) for _ in range(3)]
    db_session.flush()
    preview = solve(organiser, forum, apply=False)
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["status"] == "optimal" and body["applied"] is False
    assert sorted(p["session_id"] for p in body["placements"]) == sorted(s.id for s in sessions)
    assert all(p["start"].endswith("+05:00") for p in body["placements"])
    db_session.expire_all()
    assert all(s.starts_at is None for s in sessions)

    applied = solve(organiser, forum, apply=True).get_json()
    db_session.expire_all()
    placed = {s.id: s.starts_at for s in sessions}
    assert all(placed.values())
    for p in applied["placements"]:
        assert dt.datetime.fromisoformat(p["start"]) == placed[p["session_id"]]
    # The shared speakers are never in two sessions at once.
    assert [c.kind for c in conflicts.report(forum)] == []


def test_fixed_sessions_stay_and_are_worked_around(organiser, forum, db_session):
    room = f.RoomFactory(forum=forum, capacity=100)
    ru, kz = f.ExpertFactory(country_code="RU"), f.ExpertFactory(country_code="KZ")
    start = dt.datetime(2027, 9, 14, 4, tzinfo=dt.UTC)  # 09:00 local
    fixed = with_speakers(
        f.SessionFactory(
            forum=forum, room=room, starts_at=start, ends_at=start + dt.timedelta(minutes=90)
        ),
        ru,
        kz,
    )
    loose = with_speakers(f.SessionFactory(forum=forum), ru, kz)
    db_session.flush()
    body = solve(organiser, forum, apply=True, day_end="11:00").get_json()
    # The day has 09:00-11:00 only and the fixed panel fills 09:00-10:30: day two it is.
    [placement] = body["placements"]
    assert placement["session_id"] == loose.id
    assert placement["start"] == "2027-09-15T09:00:00+05:00"
    db_session.expire_all()
    assert fixed.starts_at == start and fixed.room_id == room.id


def test_an_expert_s_availability_is_honoured(organiser, forum, db_session):
    f.RoomFactory(forum=forum, capacity=100)
    ru, kz = f.ExpertFactory(country_code="RU"), f.ExpertFactory(country_code="KZ")
    session = with_speakers(f.SessionFactory(forum=forum, duration_minutes=60), ru, kz)
    f.AvailabilityFactory(
        forum=forum,
        expert=kz,
        starts_at=dt.datetime(2027, 9, 15, 9, tzinfo=dt.UTC),  # 14:00-16:00 local, day two
        ends_at=dt.datetime(2027, 9, 15, 11, tzinfo=dt.UTC),
    )
    db_session.flush()
    [placement] = solve(organiser, forum).get_json()["placements"]
    assert placement["session_id"] == session.id
    start = dt.datetime.fromisoformat(placement["start"])
    assert dt.datetime(2027, 9, 15, 9, tzinfo=dt.UTC) <= start
    assert start + dt.timedelta(minutes=60) <= dt.datetime(2027, 9, 15, 11, tzinfo=dt.UTC)


def test_no_timetable_names_what_is_in_the_way(organiser, forum, db_session):
    f.RoomFactory(forum=forum, name="Small", capacity=20)
    big = f.SessionFactory(forum=forum, title="Big plenary", expected_audience=500)
    db_session.flush()
    refused = solve(organiser, forum)
    assert refused.status_code == 422
    body = refused.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert any("Big plenary" in reason and "500" in reason for reason in body["errors"]["reasons"])
    db_session.expire_all()
    assert big.starts_at is None


def test_an_overcommitted_expert_is_named(organiser, forum, db_session):
    f.RoomFactory(forum=forum, capacity=100)
    busy = f.ExpertFactory(full_name="Ivan Petrov", country_code="RU")
    for _ in range(5):
        with_speakers(f.SessionFactory(forum=forum, duration_minutes=60), busy)
    f.AvailabilityFactory(
        forum=forum,
        expert=busy,
        starts_at=dt.datetime(2027, 9, 14, 4, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 9, 14, 7, tzinfo=dt.UTC),
    )
    db_session.flush()
    refused = solve(organiser, forum)
    assert refused.status_code == 422
    assert any("Ivan Petrov" in r for r in refused.get_json()["errors"]["reasons"])


@pytest.mark.parametrize(
    "options",
    [
        {"slot_minutes": 7},
        {"day_start": "18:00", "day_end": "09:00"},
        {"time_limit_seconds": 600},
        {"apply": "maybe"},
    ],
)
def test_bad_options_are_refused(organiser, forum, options):
    assert solve(organiser, forum, **options).status_code == 422
