"""Sessions: times in the forum's zone, stored in UTC; version-backed If-Match."""

from __future__ import annotations

import datetime as dt

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
