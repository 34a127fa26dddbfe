"""Drafts are seen by organisers, admins and the experts invited to them; for everyone else
they do not exist (404, and lists leave them out). Published forums and sessions stay public.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.accounts.services import create_token
from app.models import TokenScope
from tests import factories as f

CALLERS = ("anon", "invited", "invited_token", "other", "other_token", "organiser", "admin")


def expect(anon, invited, invited_token, other, other_token, organiser, admin) -> dict[str, int]:
    values = (anon, invited, invited_token, other, other_token, organiser, admin)
    return dict(zip(CALLERS, values, strict=True))


EVERYONE = expect(200, 200, 200, 200, 200, 200, 200)
DRAFT = expect(404, 200, 200, 404, 404, 200, 200)  # the invited expert sees it
STAFF_DRAFT = expect(404, 404, 404, 404, 404, 200, 200)  # nobody invited to it
UNPUBLISHED = expect(404, 404, 404, 404, 404, 404, 404)  # the public programme waits
STAFF = expect(401, 403, 403, 403, 403, 200, 200)

CASES = [
    # A draft forum, its rooms and sessions.
    ("/api/v1/forums/{draft}", DRAFT),
    ("/api/v1/forums/{draft}/rooms", DRAFT),
    ("/api/v1/rooms/{draft_room}", DRAFT),
    ("/api/v1/forums/{draft}/sessions", DRAFT),
    ("/api/v1/sessions/{draft_session}", DRAFT),
    ("/api/v1/sessions/{uninvited_session}", STAFF_DRAFT),
    ("/api/v1/forums/{draft}/programme", UNPUBLISHED),
    ("/api/v1/forums/{draft}/schedule.ics", UNPUBLISHED),
    ("/api/v1/forums/{draft}/schedule.json", UNPUBLISHED),
    ("/api/v1/sessions/{draft_session}/participants", STAFF),
    ("/api/v1/forums/{draft}/conflicts", STAFF),
    ("/api/v1/me/forums/{draft}/availability", expect(401, 200, 200, 404, 404, 409, 409)),
    # A published forum: public, but for its draft session.
    ("/api/v1/forums/{published}", EVERYONE),
    ("/api/v1/forums/{published}/rooms", EVERYONE),
    ("/api/v1/rooms/{published_room}", EVERYONE),
    ("/api/v1/forums/{published}/sessions", EVERYONE),
    ("/api/v1/sessions/{published_session}", EVERYONE),
    ("/api/v1/forums/{published}/programme", EVERYONE),
    ("/api/v1/forums/{published}/schedule.ics", EVERYONE),
    ("/api/v1/forums/{published}/schedule.json", EVERYONE),
    ("/api/v1/sessions/{late_session}", STAFF_DRAFT),
    ("/api/v1/me/forums/{published}/availability", expect(401, 200, 200, 200, 200, 409, 409)),
]


class World:
    """A draft forum with a session the invited expert is in, and one nobody is in; a
    published forum with a published session and a draft one added since."""

    def __init__(self, make_user, caller):
        invited, other = make_user(), make_user()
        draft = f.ForumFactory()
        draft_session = f.SessionFactory(forum=draft, title="Secret panel")
        f.ParticipationFactory(session=draft_session, expert=invited.expert)
        published = f.ForumFactory(status="published")
        start = dt.datetime(2027, 9, 14, 4, 0, tzinfo=dt.UTC)
        published_session = f.SessionFactory(
            forum=published,
            title="Open panel",
            status="published",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
        )
        f.ParticipationFactory(session=published_session, expert=invited.expert, status="accepted")
        self.ids = {
            "draft": draft.id,
            "draft_room": f.RoomFactory(forum=draft).id,
            "draft_session": draft_session.id,
            "uninvited_session": f.SessionFactory(forum=draft, title="Other secret").id,
            "published": published.id,
            "published_room": f.RoomFactory(forum=published).id,
            "published_session": published_session.id,
            "late_session": f.SessionFactory(forum=published, title="Late draft").id,
        }
        self.invited_expert = invited.expert.id
        _, invited_secret = create_token(invited, "read", [TokenScope.READ], 30)
        _, other_secret = create_token(other, "read", [TokenScope.READ], 30)
        self.callers = {
            "anon": caller(),
            "invited": caller(invited),
            "invited_token": caller(token=invited_secret),
            "other": caller(other),
            "other_token": caller(token=other_secret),
            "organiser": caller(make_user("organiser")),
            "admin": caller(make_user("admin")),
        }

    def get(self, who: str, url: str, **kwargs):
        return self.callers[who].get(url.format(**self.ids), **kwargs)


@pytest.fixture
def world(make_user, caller, db_session) -> World:
    return World(make_user, caller)


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize(("url", "expected"), CASES, ids=[url for url, _ in CASES])
def test_who_sees_what(world, url, expected, who):
    response = world.get(who, url)
    assert response.status_code == expected[who], response.get_data(as_text=True)[:200]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/forums/{}",
        "/api/v1/forums/{}/sessions",
        "/api/v1/forums/{}/rooms",
        "/api/v1/forums/{}/programme",
        "/api/v1/forums/{}/schedule.ics",
    ],
)
def test_a_hidden_draft_answers_as_an_unused_id_does(world, url):
    hidden = world.get("anon", url.format(world.ids["draft"]))
    unused = world.get("anon", url.format(10**9))
    assert hidden.status_code == unused.status_code == 404
    assert hidden.get_json() == unused.get_json()


def listed(world, who: str, url: str, **query) -> set[int]:
    response = world.get(who, url, query_string={"page_size": 100, **query})
    assert response.status_code == 200
    ids = {item["id"] for item in response.get_json()}
    assert json.loads(response.headers["X-Pagination"])["total"] == len(ids)  # counted in SQL
    return ids


@pytest.mark.parametrize(
    ("who", "sees_draft"),
    [
        ("anon", False),
        ("other", False),
        ("other_token", False),
        ("invited", True),
        ("invited_token", True),
        ("organiser", True),
        ("admin", True),
    ],
)
def test_forum_lists_leave_drafts_out(world, who, sees_draft):
    forums = listed(world, who, "/api/v1/forums")
    assert world.ids["published"] in forums
    assert (world.ids["draft"] in forums) is sees_draft
    drafts = listed(world, who, "/api/v1/forums", status="draft")
    assert (world.ids["draft"] in drafts) is sees_draft


@pytest.mark.parametrize(
    ("who", "url", "expected"),
    [
        ("anon", "/api/v1/forums/{published}/sessions", {"published_session"}),
        ("other", "/api/v1/forums/{published}/sessions", {"published_session"}),
        ("invited", "/api/v1/forums/{published}/sessions", {"published_session"}),
        ("organiser", "/api/v1/forums/{published}/sessions", {"published_session", "late_session"}),
        ("invited", "/api/v1/forums/{draft}/sessions", {"draft_session"}),
        ("admin", "/api/v1/forums/{draft}/sessions", {"draft_session", "uninvited_session"}),
    ],
)
def test_session_lists_leave_drafts_out(world, who, url, expected):
    assert listed(world, who, url) == {world.ids[name] for name in expected}


@pytest.mark.parametrize(
    ("who", "titles"),
    [
        ("anon", {"Open panel"}),
        ("other", {"Open panel"}),
        ("invited", {"Open panel", "Secret panel"}),
        ("organiser", {"Open panel", "Secret panel"}),
    ],
)
def test_an_expert_profile_shows_draft_sessions_only_to_those_who_see_them(world, who, titles):
    response = world.get(who, f"/api/v1/experts/{world.invited_expert}")
    assert response.status_code == 200
    assert {p["session_title"] for p in response.get_json()["participations"]} == titles
