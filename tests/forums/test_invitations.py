"""Invitations: organisers invite, only the invited expert answers, once, unless reopened."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f


@pytest.fixture
def setup(caller, make_user, db_session):
    expert_user = make_user()
    session = f.SessionFactory(title="Energy dialogue")
    db_session.flush()
    organiser = caller(make_user("organiser"))
    invited = organiser.post(
        f"/api/v1/sessions/{session.id}/participants",
        json={"expert_id": expert_user.expert.id, "role": "speaker"},
    )
    assert invited.status_code == 201
    return {
        "organiser": organiser,
        "expert": caller(expert_user),
        "invitation": invited.get_json(),
        "session": session,
        "expert_user": expert_user,
    }


def test_the_invited_expert_sees_and_answers_once(setup):
    expert, invitation = setup["expert"], setup["invitation"]
    mine = expert.get("/api/v1/me/invitations").get_json()
    assert [(i["id"], i["status"], i["session_title"]) for i in mine] == [
        (invitation["id"], "invited", "Energy dialogue")
    ]
    accepted = expert.post(f"/api/v1/invitations/{invitation['id']}/accept")
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert expert.post(f"/api/v1/invitations/{invitation['id']}/decline").status_code == 409


def test_the_organiser_reopens(setup):
    expert, organiser, invitation = setup["expert"], setup["organiser"], setup["invitation"]
    expert.post(f"/api/v1/invitations/{invitation['id']}/decline")
    assert organiser.post(f"/api/v1/invitations/{invitation['id']}/reopen").status_code == 200
    assert expert.post(f"/api/v1/invitations/{invitation['id']}/accept").status_code == 200


def test_another_experts_invitation_is_404(setup, caller, make_user):
    stranger = caller(make_user())
    invitation = setup["invitation"]
    assert stranger.post(f"/api/v1/invitations/{invitation['id']}/accept").status_code == 404
    assert stranger.get("/api/v1/me/invitations").get_json() == []


def test_an_expert_is_invited_once_per_session(setup):
    organiser, session = setup["organiser"], setup["session"]
    again = organiser.post(
        f"/api/v1/sessions/{session.id}/participants",
        json={"expert_id": setup["expert_user"].expert.id, "role": "moderator"},
    )
    assert again.status_code == 409
    listed = organiser.get(f"/api/v1/sessions/{session.id}/participants").get_json()
    assert [p["role"] for p in listed] == ["speaker"]


def test_an_invitation_says_where_and_when(caller, make_user, db_session, forum):
    room = f.RoomFactory(forum=forum, name="Hall Abai")
    start = dt.datetime(2027, 9, 14, 5, 0, tzinfo=dt.UTC)
    session = f.SessionFactory(
        forum=forum, room=room, starts_at=start, ends_at=start + dt.timedelta(minutes=90)
    )
    user = make_user()
    f.ParticipationFactory(session=session, expert=user.expert)
    db_session.flush()
    [mine] = caller(user).get("/api/v1/me/invitations").get_json()
    assert (mine["session_start"], mine["session_end"]) == (
        "2027-09-14T10:00:00+05:00",  # in the forum's zone, with its offset
        "2027-09-14T11:30:00+05:00",
    )
    assert (mine["room_name"], mine["forum_timezone"]) == ("Hall Abai", "Asia/Almaty")
    assert mine["forum_city"] == forum.city and mine["session_format"] == session.format


def test_an_unplaced_session_has_no_time_yet(setup):
    [mine] = setup["expert"].get("/api/v1/me/invitations").get_json()
    assert (mine["session_start"], mine["session_end"], mine["room_name"]) == (None, None, None)
