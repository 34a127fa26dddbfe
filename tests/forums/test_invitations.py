"""Invitations: organisers invite, only the invited expert answers, once, unless reopened."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.core.mail import OutboxMessage
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


# -- mail and the invitations page --------------------------------------------------------


def mails_to(db_session, user) -> list[OutboxMessage]:
    return list(db_session.scalars(sa.select(OutboxMessage).filter_by(recipient=user.email)))


def test_the_invited_expert_is_told_by_mail_in_their_language(caller, make_user, db_session):
    expert_user = make_user()
    expert_user.language = "ru"
    forum = f.ForumFactory(title="Форум в Омске", timezone="Asia/Omsk", city_ru="Омск")
    start = dt.datetime.combine(forum.start_date, dt.time(4, 0), tzinfo=dt.UTC)
    session = f.SessionFactory(
        forum=forum, title="Водные ресурсы", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    db_session.flush()
    organiser = caller(make_user("organiser"))
    body = {"expert_id": expert_user.expert.id, "role": "moderator"}
    assert (
        organiser.post(f"/api/v1/sessions/{session.id}/participants", json=body).status_code == 201
    )
    (message,) = mails_to(db_session, expert_user)
    assert message.subject == "Приглашение на форум «Форум в Омске»"
    assert "роль: модератор" in message.body_text and "Водные ресурсы" in message.body_text
    assert "10:00–11:00" in message.body_text  # 04:00 UTC, by Omsk's clock
    assert "(местное время: Омск, UTC+6)" in message.body_text  # not "Asia/Omsk" alone
    assert message.links == ["http://localhost/account/invitations"]


def test_no_mail_for_a_profile_nobody_holds_or_an_unconfirmed_address(
    caller, make_user, db_session
):
    unconfirmed = make_user()
    unconfirmed.email_verified_at = None
    session = f.SessionFactory()
    nobodys = f.ExpertFactory()
    db_session.flush()
    organiser = caller(make_user("organiser"))
    for expert in (nobodys, unconfirmed.expert):
        body = {"expert_id": expert.id, "role": "speaker"}
        assert (
            organiser.post(f"/api/v1/sessions/{session.id}/participants", json=body).status_code
            == 201
        )
    assert db_session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_the_invitations_page_answers_and_says_so(setup, db_session):
    expert, invitation = setup["expert"], setup["invitation"]
    page = expert.get("/account/invitations")
    assert page.status_code == 200 and "Energy dialogue" in page.text
    accept = f"/account/invitations/{invitation['id']}/accept"
    assert f'action="{accept}"' in page.text
    answered = expert.post(accept)
    assert (answered.status_code, answered.headers["Location"]) == (
        303,
        "/account/invitations?notice=accept",
    )
    after = expert.get(answered.headers["Location"]).text
    assert "You accepted the invitation." in after and f'action="{accept}"' not in after
    mine = expert.get("/api/v1/me/invitations").get_json()
    assert mine[0]["status"] == "accepted"
    again = expert.post(f"/account/invitations/{invitation['id']}/decline")
    assert again.headers["Location"] == "/account/invitations?notice=already"
    assert expert.get("/api/v1/me/invitations").get_json()[0]["status"] == "accepted"


def test_the_invitations_page_in_kazakh(setup):
    expert = setup["expert"]
    expert.client.set_cookie("lang", "kk")
    html = expert.get("/account/invitations").text
    assert "Шақыруларыңыз" in html and "Қабылдау" in html and "баяндамашы" in html


def test_someone_elses_invitation_cannot_be_answered_from_the_page(setup, caller, make_user):
    stranger = caller(make_user())
    invitation = setup["invitation"]
    assert stranger.post(f"/account/invitations/{invitation['id']}/accept").status_code == 404
    assert "Energy dialogue" not in stranger.get("/account/invitations").text


def test_the_invitations_page_sends_a_visitor_to_log_in_first(caller, setup):
    anonymous = caller()
    page = anonymous.get("/account/invitations")
    assert (page.status_code, page.headers["Location"]) == (
        302,
        "/login?next=/account/invitations",
    )


def test_invitations_to_answer_come_by_when_their_sessions_take_place(
    caller, make_user, db_session
):
    expert_user = make_user()
    forum = f.ForumFactory()
    day = dt.datetime.combine(forum.start_date, dt.time(6), tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    late = f.SessionFactory(
        forum=forum, title="Late", starts_at=day + 5 * hour, ends_at=day + 6 * hour
    )
    early = f.SessionFactory(forum=forum, title="Early", starts_at=day, ends_at=day + hour)
    later_on = f.SessionFactory(forum=forum, title="Unscheduled")
    for session in (late, later_on, early):  # invited in this order
        f.ParticipationFactory(session=session, expert=expert_user.expert, status="invited")
    db_session.flush()
    html = caller(expert_user).get("/account/invitations").text
    assert html.index("Early") < html.index("Late") < html.index("Unscheduled")
