"""A calendar feed: a token that only reads your calendar, and may travel in its URL."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.models import ForumSession
from tests import factories as f

FEED = "/api/v1/me/schedule.ics"


def create(caller, **body):
    return caller.post("/api/v1/auth/tokens", json={"name": "calendar", **body})


@pytest.fixture
def speaker(make_user, db_session):
    """A user whose expert profile speaks in one session."""
    user = make_user()
    forum = f.ForumFactory(timezone="Asia/Almaty")
    start = dt.datetime.combine(forum.start_date, dt.time(5, 0), tzinfo=dt.UTC)
    session = f.SessionFactory(
        forum=forum,
        title="Water of the Irtysh",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        duration_minutes=90,
    )
    f.ParticipationFactory(session=session, expert=user.expert, status="accepted")
    db_session.flush()
    return user


def feed_path(caller, user) -> str:
    response = create(caller(user), scopes=["calendar"], expires_in_days=366)
    assert response.status_code == 201
    url = urlsplit(response.get_json()["feed_url"])
    assert url.path == FEED
    return f"{url.path}?{url.query}"


def test_a_calendar_program_subscribes_with_the_feed_url(caller, speaker):
    response = caller().get(feed_path(caller, speaker))  # no cookie, no header
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).events]
    assert titles == ["Water of the Irtysh"]


def test_a_calendar_token_reads_nothing_else(caller, speaker):
    secret = create(caller(speaker), scopes=["calendar"]).get_json()["token"]
    assert caller(token=secret).get("/api/v1/auth/me").status_code == 403
    assert caller(token=secret).get(FEED).status_code == 200  # as a header, too
    # Outside the feed, a token in the URL is not read at all.
    assert caller().get("/api/v1/auth/me", query_string={"token": secret}).status_code == 401


def test_only_a_calendar_token_travels_in_a_url(caller, speaker):
    secret = create(caller(speaker), scopes=["read"]).get_json()["token"]
    assert caller().get(FEED, query_string={"token": secret}).status_code == 401
    assert caller(token=secret).get(FEED).status_code == 200


def test_a_revoked_feed_stops(caller, speaker):
    owner = caller(speaker)
    created = create(owner, scopes=["calendar"]).get_json()
    assert owner.delete(f"/api/v1/auth/tokens/{created['id']}").status_code == 204
    assert caller().get(FEED, query_string={"token": created["token"]}).status_code == 401


def test_the_calendar_scope_stands_alone(caller, make_user):
    response = create(caller(make_user()), scopes=["calendar", "read"])
    assert response.status_code == 422
    assert "scopes" in response.get_json()["errors"]["json"]
    plain = create(caller(make_user()), scopes=["read"]).get_json()
    assert plain["feed_url"] is None


def test_the_feed_links_each_session_to_its_place_in_the_programme(caller, speaker, db_session):
    response = caller().get(feed_path(caller, speaker))
    (event,) = Calendar.from_ical(response.data).events
    session = db_session.scalars(sa.select(ForumSession)).one()
    assert str(event["URL"]) == f"http://localhost/forums/{session.forum_id}#session-{session.id}"


def test_the_feed_is_written_in_the_users_language(caller, speaker, db_session):
    speaker.language = "kk"
    db_session.flush()
    (event,) = Calendar.from_ical(caller().get(feed_path(caller, speaker)).data).events
    assert str(event["DESCRIPTION"]).startswith("Формат: Панельдік талқылау")  # not Russian


def test_an_account_without_a_profile_yet_gets_an_empty_feed(caller, make_user, db_session):
    # Subscribed while a claim waits for an admin: an empty calendar, not a 409 in JSON.
    user = make_user()
    user.expert.user_id = None
    db_session.flush()
    response = caller().get(feed_path(caller, user))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert Calendar.from_ical(response.data).events == []
