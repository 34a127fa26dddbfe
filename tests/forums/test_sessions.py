"""Sessions: times in the forum's zone, stored in UTC; version-backed If-Match."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import DomainError
from app.forums.times import to_utc
from app.models import ForumSession
from tests import factories as f


def test_a_time_without_offset_is_read_in_the_forums_zone(organiser, forum, db_session):
    response = organiser.post(
        f"/api/v1/forums/{forum.id}/sessions",
        json={
            "title": "Transit corridors",
            "format": "panel",
            "start": "2027-09-14T10:00:00",
            "duration_minutes": 90,
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["start"] == "2027-09-14T10:00:00+05:00"
    assert body["end"] == "2027-09-14T11:30:00+05:00"
    stored = db_session.get(ForumSession, body["id"])
    assert stored.starts_at == dt.datetime(2027, 9, 14, 5, 0, tzinfo=dt.UTC)


def test_a_time_with_an_offset_is_taken_as_given(organiser, forum):
    body = organiser.post(
        f"/api/v1/forums/{forum.id}/sessions",
        json={
            "title": "Plenary",
            "format": "plenary",
            "start": "2027-09-14T09:00:00+03:00",
            "end": "2027-09-14T10:00:00+03:00",
        },
    ).get_json()
    assert body["start"] == "2027-09-14T11:00:00+05:00"  # Moscow 09:00 is Almaty 11:00
    assert body["duration_minutes"] == 60


@pytest.mark.parametrize(("minutes", "status"), [(30, 422), (60, 201)])
def test_a_duration_that_disagrees_with_start_and_end_is_refused(
    organiser, forum, db_session, minutes, status
):
    # 10:00 to 11:00 "for 30 minutes" was stored as 60 minutes without a word.
    times = {"start": "2027-09-14T10:00:00", "end": "2027-09-14T11:00:00"}
    body = {"title": "Round table", "format": "roundtable", "duration_minutes": minutes, **times}
    before = db_session.query(ForumSession).count()
    response = organiser.post(f"/api/v1/forums/{forum.id}/sessions", json=body)
    assert response.status_code == status
    if status == 422:
        errors = response.get_json()["errors"]
        assert errors == {"duration_minutes": ["60 from start to end."]}
        assert db_session.query(ForumSession).count() == before


def test_unscheduled_sessions_and_bad_times(organiser, forum, db_session):
    url = f"/api/v1/forums/{forum.id}/sessions"
    body = organiser.post(url, json={"title": "Later", "format": "workshop"}).get_json()
    assert body["start"] is None and body["room_id"] is None
    refused = organiser.post(
        url,
        json={
            "title": "Backwards",
            "format": "panel",
            "start": "2027-09-14T10:00",
            "end": "2027-09-14T09:00",
        },
    )
    assert refused.status_code == 422
    other_room = f.RoomFactory()
    db_session.flush()
    wrong_room = organiser.post(
        url, json={"title": "Elsewhere", "format": "panel", "room_id": other_room.id}
    )
    assert wrong_room.status_code == 422


def test_stale_version_gets_412(organiser, forum):
    created = organiser.post(
        f"/api/v1/forums/{forum.id}/sessions", json={"title": "Panel", "format": "panel"}
    )
    url = f"/api/v1/sessions/{created.get_json()['id']}"
    etag = created.headers["ETag"]
    first = organiser.patch(url, json={"title": "Panel A"}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    assert (
        organiser.patch(url, json={"title": "Panel B"}, headers={"If-Match": etag}).status_code
        == 412
    )
    assert organiser.get(url).get_json()["title"] == "Panel A"


def test_sessions_list_in_time_order(organiser, forum):
    url = f"/api/v1/forums/{forum.id}/sessions"
    for title, start in (
        ("Second", "2027-09-14T14:00"),
        ("Unscheduled", None),
        ("First", "2027-09-14T09:00"),
    ):
        organiser.post(url, json={"title": title, "format": "panel", "start": start})
    assert [s["title"] for s in organiser.get(url).get_json()] == ["First", "Second", "Unscheduled"]


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"start": "0001-01-01T00:00:00"}, "start"),  # before year 1 in UTC
        ({"start": "9999-12-31T22:00:00-05:00"}, "start"),  # after year 9999 in UTC
        ({"start": "9999-12-31T23:00:00+00:00"}, "start"),  # its end after year 9999
        ({"start": "9999-12-31T23:59:59"}, "start"),  # stored, then unreadable in Almaty
        ({"start": "1989-12-31T23:00:00"}, "start"),
        ({"start": "2101-01-01T00:00:00"}, "start"),
        ({"start": "2027-09-14T10:00:00", "end": "9999-12-31T23:59:59"}, "end"),
    ],
)
def test_a_time_out_of_range_is_refused_and_writes_nothing(organiser, forum, times, field):
    url = f"/api/v1/forums/{forum.id}/sessions"
    response = organiser.post(url, json={"title": "S", "format": "panel", **times})
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert "1990" in str(body["errors"]["json"][field])
    assert organiser.get(url).get_json() == []


def test_a_time_out_of_range_is_refused_on_edit(organiser, forum):
    created = organiser.post(
        f"/api/v1/forums/{forum.id}/sessions",
        json={"title": "S", "format": "panel", "start": "2027-09-14T10:00"},
    ).get_json()
    url = f"/api/v1/sessions/{created['id']}"
    assert organiser.patch(url, json={"start": "0001-01-01T00:00"}).status_code == 422
    assert organiser.get(url).get_json()["start"] == created["start"]


def test_a_session_outside_the_forums_dates_is_kept_as_a_conflict(organiser, forum):
    # Inside the sane window yet outside the forum: organisers see it in the conflicts.
    response = organiser.post(
        f"/api/v1/forums/{forum.id}/sessions",
        json={"title": "Early", "format": "panel", "start": "2027-03-01T10:00"},
    )
    assert response.status_code == 201
    report = organiser.get(f"/api/v1/forums/{forum.id}/conflicts").get_json()
    assert "outside_forum_dates" in [c["kind"] for c in report["conflicts"]]


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(1, 1, 1),  # naive: in Almaty, UTC+5
        dt.datetime(9999, 12, 31, 22, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
)
def test_to_utc_turns_an_overflow_into_a_domain_error(forum, moment):
    with pytest.raises(DomainError) as raised:
        to_utc(moment, forum, "start")
    assert raised.value.status == 422 and "start" in raised.value.errors


def test_a_window_out_of_range_is_refused(organiser, forum):
    window = {"start": "0001-01-01T00:00", "end": "2027-09-14T10:00"}
    response = organiser.post(
        f"/api/v1/forums/{forum.id}/rooms",
        json={"name": "Hall", "capacity": 10, "windows": [window]},
    )
    assert response.status_code == 422
    assert organiser.get(f"/api/v1/forums/{forum.id}/rooms").get_json() == []


MORNING = {"start": "2027-09-14T09:00", "end": "2027-09-14T12:00"}


@pytest.mark.parametrize("windows", [[], [MORNING]])
def test_a_new_room_is_answered_with_its_id_and_version(organiser, forum, windows):
    response = organiser.post(
        f"/api/v1/forums/{forum.id}/rooms",
        json={"name": "Hall", "capacity": 10, "windows": windows},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] is not None and body["forum_id"] == forum.id
    assert response.headers["ETag"] == f'"rooms-{body["id"]}-v1"'
    assert organiser.get(f"/api/v1/rooms/{body['id']}").get_json() == body
