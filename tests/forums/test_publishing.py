"""Publishing, the public programme and its changelog, and availability windows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from app.forums.models import ProgrammeChange
from tests import factories as f


@pytest.fixture
def forum(forum_in):
    return forum_in("Europe/Moscow", "RU")


def scheduled(forum, hour, title, room=None, **kwargs):
    start = dt.datetime(2027, 9, 14, hour, tzinfo=dt.UTC)
    s = f.SessionFactory(
        forum=forum,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        room=room,
        **kwargs,
    )
    for country in ("RU", "KZ"):
        f.ParticipationFactory(
            session=s,
            expert=f.ExpertFactory(country_code=country, full_name=f"{title} {country}"),
            status="accepted",
        )
    return s


def test_hard_conflicts_block_publishing(organiser, forum, db_session):
    lonely = f.SessionFactory(
        forum=forum,
        title="Lonely",
        starts_at=dt.datetime(2027, 9, 14, 6, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 9, 14, 7, tzinfo=dt.UTC),
    )
    db_session.flush()
    refused = organiser.post(f"/api/v1/forums/{forum.id}/publish")
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["errors"]["conflicts"] == ["'Lonely' has no accepted Russian or Kazakh speaker."]
    assert organiser.get(f"/api/v1/forums/{forum.id}").get_json()["status"] == "draft"
    assert lonely.status.value == "draft"


def test_publish_then_the_public_programme(organiser, forum, caller, db_session):
    room = f.RoomFactory(forum=forum, name="Hall A")
    water = f.TopicFactory(name_en="Water", name_ru="Водные ресурсы", name_kk="Су ресурстары")
    scheduled(forum, 6, "Transit", room=room, topics=[water])
    scheduled(forum, 9, "Roomless")
    f.SessionFactory(forum=forum, title="Unscheduled")
    db_session.flush()
    anonymous = caller()
    assert anonymous.get(f"/api/v1/forums/{forum.id}/programme").status_code == 404
    published = organiser.post(f"/api/v1/forums/{forum.id}/publish")
    assert published.status_code == 200
    assert published.get_json()["published_sessions"] == 2
    assert published.get_json()["unscheduled_sessions"] == 1
    body = anonymous.get(f"/api/v1/forums/{forum.id}/programme").get_json()
    assert [d["date"] for d in body["days"]] == ["2027-09-14", "2027-09-15"]
    session, roomless = body["days"][0]["sessions"]
    assert session["title"] == "Transit" and session["room"] == "Hall A"
    assert roomless["room"] is None
    assert session["start"] == "2027-09-14T09:00:00+03:00"
    assert session["topics"] == [
        {"id": water.id, "name": "Water", "name_ru": "Водные ресурсы", "name_kk": "Су ресурстары"}
    ]
    assert sorted(p["country"] for p in session["participants"]) == ["KZ", "RU"]
    assert body["changes"] == []


def test_only_accepted_participants_are_public(organiser, forum, caller, db_session):
    s = scheduled(forum, 6, "Transit")
    f.ParticipationFactory(session=s, expert=f.ExpertFactory(full_name="Not yet"), status="invited")
    db_session.flush()
    organiser.post(f"/api/v1/forums/{forum.id}/publish")
    body = caller().get(f"/api/v1/forums/{forum.id}/programme").get_json()
    names = [p["name"] for p in body["days"][0]["sessions"][0]["participants"]]
    assert "Not yet" not in names and len(names) == 2


def test_changes_after_publishing_are_logged(organiser, forum, caller, db_session):
    room = f.RoomFactory(forum=forum, name="Hall A")
    moved = scheduled(forum, 6, "Transit", room=room)
    dropped = scheduled(forum, 9, "Water", room=room)
    db_session.flush()
    organiser.post(f"/api/v1/forums/{forum.id}/publish")
    etag = organiser.get(f"/api/v1/sessions/{moved.id}").headers["ETag"]
    organiser.patch(
        f"/api/v1/sessions/{moved.id}",
        json={"start": "2027-09-15T10:00:00"},
        headers={"If-Match": etag},
    )
    etag = organiser.get(f"/api/v1/sessions/{dropped.id}").headers["ETag"]
    organiser.delete(f"/api/v1/sessions/{dropped.id}", headers={"If-Match": etag})
    added = scheduled(forum, 12, "Energy", room=room)
    db_session.flush()
    organiser.post(f"/api/v1/forums/{forum.id}/publish")
    changes = caller().get(f"/api/v1/forums/{forum.id}/programme").get_json()["changes"]
    assert [(c["kind"], c["session_id"]) for c in changes] == [
        ("added", added.id),
        ("cancelled", None),  # the session is gone; its entry stays
        ("moved", moved.id),
    ]
    assert changes[2]["summary"] == (
        "'Transit' moved from Tue 14 Sep 09:00, Hall A to Wed 15 Sep 10:00, Hall A."
    )


def patch(organiser, path, body):
    etag = organiser.get(path).headers["ETag"]
    return organiser.patch(path, json=body, headers={"If-Match": etag})


@pytest.mark.parametrize(
    ("edit", "conflict"),
    [
        # Into the other session's room at its hour: the room is booked twice.
        (lambda s: (f"/api/v1/sessions/{s['water'].id}", {"start": "2027-09-14T09:00:00"}),
         "both in Hall A"),
        # Past the forum's last day.
        (lambda s: (f"/api/v1/sessions/{s['water'].id}", {"start": "2027-10-01T10:00:00"}),
         "outside the forum's dates"),
        # The forum moved a week on, its programme left behind.
        (lambda s: (f"/api/v1/forums/{s['forum'].id}",
                    {"start_date": "2027-09-21", "end_date": "2027-09-22"}),
         "outside the forum's dates"),
        # The room closes before the session ends.
        (lambda s: (f"/api/v1/rooms/{s['room'].id}",
                    {"windows": [{"start": "2027-09-14T08:00:00", "end": "2027-09-14T10:00:00"}]}),
         "is closed during part of"),
    ],
)  # fmt: skip
def test_an_edit_that_breaks_the_published_programme_is_refused(
    organiser, forum, caller, db_session, edit, conflict
):
    # Publishing refuses hard conflicts; an edit afterwards once put them on the public
    # programme (and its calendar feed) unchecked.
    room = f.RoomFactory(forum=forum, name="Hall A")
    transit = scheduled(forum, 6, "Transit", room=room)
    water = scheduled(forum, 12, "Water", room=room)
    db_session.flush()
    assert organiser.post(f"/api/v1/forums/{forum.id}/publish").status_code == 200
    before = caller().get(f"/api/v1/forums/{forum.id}/programme").get_json()
    path, body = edit({"forum": forum, "room": room, "water": water, "transit": transit})
    refused = patch(organiser, path, body)
    assert refused.status_code == 409, refused.get_json()
    assert any(conflict in message for message in refused.get_json()["errors"]["conflicts"])
    assert caller().get(f"/api/v1/forums/{forum.id}/programme").get_json() == before


def test_an_edit_that_books_an_expert_twice_across_forums_is_refused(
    organiser, forum, forum_in, db_session
):
    # The other forum's session counts, as publishing counts it.
    other = forum_in("Asia/Almaty", "KZ")
    mine = scheduled(forum, 6, "Transit")
    theirs = scheduled(other, 9, "Water")
    expert = mine.participations[0].expert
    f.ParticipationFactory(session=theirs, expert=expert, status="accepted")
    db_session.flush()
    for published in (forum, other):
        assert organiser.post(f"/api/v1/forums/{published.id}/publish").status_code == 200
    moved = patch(organiser, f"/api/v1/sessions/{theirs.id}", {"start": mine_start(mine, other)})
    assert moved.status_code == 409
    assert any(expert.full_name in m for m in moved.get_json()["errors"]["conflicts"])


def mine_start(session, forum) -> str:
    """``session``'s start on ``forum``'s clock, as a naive time the API reads there."""
    local = session.starts_at.astimezone(zoneinfo.ZoneInfo(forum.timezone))
    return local.replace(tzinfo=None).isoformat()


def test_an_edit_of_a_published_programme_that_keeps_it_sound_goes_through(
    organiser, forum, caller, db_session
):
    room = f.RoomFactory(forum=forum, name="Hall A")
    water = scheduled(forum, 12, "Water", room=room)
    draft_twin = f.SessionFactory(forum=forum, title="Draft twin")
    db_session.flush()
    organiser.post(f"/api/v1/forums/{forum.id}/publish")
    moved = patch(organiser, f"/api/v1/sessions/{water.id}", {"start": "2027-09-15T10:00:00"})
    assert moved.status_code == 200
    # A draft may clash with the published programme until it is published itself.
    draft = patch(
        organiser,
        f"/api/v1/sessions/{draft_twin.id}",
        {"start": "2027-09-15T10:00:00", "room_id": room.id},
    )
    assert draft.status_code == 200
    assert organiser.post(f"/api/v1/forums/{forum.id}/publish").status_code == 409


def test_a_removed_room_is_logged_for_its_published_sessions(organiser, forum, caller, db_session):
    room = f.RoomFactory(forum=forum, name="Hall A")
    on_it = scheduled(forum, 6, "Transit", room=room)
    elsewhere = scheduled(forum, 9, "Water", room=f.RoomFactory(forum=forum, name="Hall B"))
    db_session.flush()
    organiser.post(f"/api/v1/forums/{forum.id}/publish")
    assert organiser.delete(f"/api/v1/rooms/{room.id}").status_code == 204
    programme = caller().get(f"/api/v1/forums/{forum.id}/programme").get_json()
    assert [(c["kind"], c["session_id"], c["summary"]) for c in programme["changes"]] == [
        ("moved", on_it.id, "'Transit' moved from Tue 14 Sep 09:00, Hall A to Tue 14 Sep 09:00.")
    ]
    rooms = {s["id"]: s["room"] for s in programme["days"][0]["sessions"]}
    assert rooms == {on_it.id: None, elsewhere.id: "Hall B"}  # still on the programme


def test_a_draft_forum_logs_nothing(organiser, forum, db_session):
    s = scheduled(forum, 6, "Transit")
    db_session.flush()
    etag = organiser.get(f"/api/v1/sessions/{s.id}").headers["ETag"]
    organiser.patch(
        f"/api/v1/sessions/{s.id}", json={"title": "Renamed"}, headers={"If-Match": etag}
    )
    assert db_session.query(ProgrammeChange).filter_by(forum_id=forum.id).count() == 0


def invited(user, forum):
    """The user, invited to a session of the forum (a draft forum is theirs to see then)."""
    f.ParticipationFactory(session=f.SessionFactory(forum=forum), expert=user.expert)
    return user


def test_availability_is_kept_per_expert_and_forum(caller, make_user, forum, db_session):
    user = invited(make_user(), forum)
    me = caller(user)
    url = f"/api/v1/me/forums/{forum.id}/availability"
    assert me.get(url).get_json()["windows"] == []
    saved = me.put(
        url,
        json={
            "windows": [
                {"start": "2027-09-14T13:00", "end": "2027-09-14T18:00"},
                {"start": "2027-09-14T09:00", "end": "2027-09-14T13:30"},
            ]
        },
    )
    assert saved.status_code == 200
    # Overlapping windows merge; times come back in the forum's zone.
    assert saved.get_json()["windows"] == [
        {"start": "2027-09-14T09:00:00+03:00", "end": "2027-09-14T18:00:00+03:00"}
    ]
    assert me.get(url).get_json()["expert_id"] == user.expert.id


@pytest.mark.parametrize(
    "window",
    [
        {"start": "2027-09-14T10:00", "end": "2027-09-14T09:00"},
        {"start": "2027-09-13T10:00", "end": "2027-09-13T12:00"},
        {"start": "2027-09-15T20:00", "end": "2027-09-16T02:00"},
    ],
)
def test_bad_windows_are_refused(caller, make_user, forum, window):
    me = caller(invited(make_user(), forum))
    response = me.put(f"/api/v1/me/forums/{forum.id}/availability", json={"windows": [window]})
    assert response.status_code == 422
    assert me.get(f"/api/v1/me/forums/{forum.id}/availability").get_json()["windows"] == []


def test_availability_needs_an_expert_profile(caller, make_user, forum):
    organiser = caller(make_user("organiser"))
    url = f"/api/v1/me/forums/{forum.id}/availability"
    assert organiser.put(url, json={"windows": []}).status_code == 409


def test_rooms_with_windows(organiser, forum):
    created = organiser.post(
        f"/api/v1/forums/{forum.id}/rooms",
        json={
            "name": "Hall B",
            "capacity": 80,
            "windows": [{"start": "2027-09-14T09:00", "end": "2027-09-14T18:00"}],
        },
    )
    assert created.status_code == 201
    room = created.get_json()
    assert room["windows"] == [
        {"start": "2027-09-14T09:00:00+03:00", "end": "2027-09-14T18:00:00+03:00"}
    ]
    patched = organiser.patch(f"/api/v1/rooms/{room['id']}", json={"capacity": 120, "windows": []})
    assert patched.get_json()["capacity"] == 120 and patched.get_json()["windows"] == []
    assert organiser.delete(f"/api/v1/rooms/{room['id']}").status_code == 204
    assert organiser.get(f"/api/v1/rooms/{room['id']}").status_code == 404
