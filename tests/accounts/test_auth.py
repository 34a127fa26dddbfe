"""Registration, login, sessions, CSRF, rate limits and passwords, through the API."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from app.models import AuditEntry, Expert, User
from tests.conftest import PASSWORD

REGISTER = {
    "email": "Aigerim@Example.kz",
    "password": "steppe-caravan-2030",
    "full_name": "Айгерім Сейткали",
    "country": "KZ",
}


def login(client, email, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password, **extra})


def test_register_creates_an_expert_with_an_unverified_profile(client, db_session):
    response = client.post("/api/v1/auth/register", json=REGISTER)
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "aigerim@example.kz"
    assert body["role"] == "expert"
    expert = db_session.get(Expert, body["expert_id"])
    assert expert.full_name == "Айгерім Сейткали"
    assert expert.country_code == "KZ"
    assert expert.verified is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short-pw"}, "password"),
        ({"password": "qwertyuiop123"}, "password"),  # a common password, decorated
        ({"password": "passwordpassword"}, "password"),
        ({"password": "abababababababab"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"country": "Kazakhstan"}, "country"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": " \u3000\t"}, "full_name"),  # blank once stripped: was stored as ""
        ({"other_names": ["  "]}, "other_names"),
        ({"role": "admin"}, "role"),
        ({"verified": True}, "verified"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(client, db_session, change, field):
    before = db_session.scalar(sa.select(sa.func.count(User.id)))
    response = client.post("/api/v1/auth/register", json={**REGISTER, **change})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors.get("json", errors)
    assert db_session.scalar(sa.select(sa.func.count(User.id))) == before


def test_passwords_of_any_characters_are_fine(client, db_session):
    for n, password in enumerate(["все буквы русские", "ұлы дала елі мәңгі", "🐎🐎 horses 🐎🐎"]):
        body = {**REGISTER, "email": f"p{n}@example.kz", "password": password}
        assert client.post("/api/v1/auth/register", json=body).status_code == 201


def test_register_refuses_a_taken_email_whatever_its_case(client, db_session, make_user):
    make_user(email="taken@example.org")
    response = client.post("/api/v1/auth/register", json={**REGISTER, "email": "TAKEN@example.org"})
    assert response.status_code == 409


def test_login_sets_the_cookie_and_gives_a_csrf_token(client, make_user):
    user = make_user()
    response = login(client, user.email)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == user.id and body["role"] == "expert" and body["csrf_token"]
    me = client.get("/api/v1/auth/me").get_json()
    assert me == {"id": user.id, "email": user.email, "role": "expert", "expert_id": user.expert.id}


def test_unknown_email_and_wrong_password_look_the_same(client, make_user):
    user = make_user()
    timings, bodies = [], []
    for email, password in [(user.email, "wrong-password-123"), ("nobody@example.org", PASSWORD)]:
        started = time.perf_counter()
        response = login(client, email, password)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 401
        bodies.append(response.get_json())
    assert bodies[0] == bodies[1]
    # Both paths verify one argon2 hash; neither answers an order of magnitude faster.
    assert max(timings) < 10 * min(timings) + 0.05


def test_me_is_401_without_a_session(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


def _cookie(response, name):
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


def test_cookie_flags(client, make_user):
    user = make_user()
    response = login(client, user.email, remember=True)
    for name in ("session", "remember_token"):
        header = _cookie(response, name)
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
        assert "Secure" not in header  # plain HTTP in development and tests


def test_cookies_are_secure_in_production(app, make_user, db_session, monkeypatch):
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    user = make_user()
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_SECURE", True)
    response = login(app.test_client(), user.email, remember=True)
    for name in ("session", "remember_token"):
        header = _cookie(response, name)
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_login_issues_a_new_session(client, make_user):
    user = make_user()
    client.get("/api/v1/auth/csrf")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        before = sess["_csrf"]
    login(client, user.email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_csrf"] != before


def test_csrf_is_required_for_cookie_writes(client, make_user):
    user = make_user()
    token = login(client, user.email).get_json()["csrf_token"]
    url = f"/api/v1/experts/{user.expert.id}"
    refused = client.patch(url, json={"biography": "x"})
    assert refused.status_code == 403
    assert "CSRF" in refused.get_json()["message"]
    wrong = client.patch(url, json={"biography": "x"}, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    ok = client.patch(url, json={"biography": "x"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200


def test_logout_makes_the_old_cookie_useless(app, client, make_user):
    user = make_user()
    token = login(client, user.email).get_json()["csrf_token"]
    old_cookie = client.get_cookie("session").value
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/api/v1/auth/me").status_code == 401


def test_password_change_ends_other_sessions(app, client, make_user):
    user = make_user()
    other = app.test_client()
    login(other, user.email)
    response = login(client, user.email)
    assert response.status_code == 200, response.get_json()
    token = response.get_json()["csrf_token"]
    new = "a-new-long-passphrase"
    response = client.post(
        "/api/v1/auth/password",
        headers={"X-CSRF-Token": token},
        json={"current_password": PASSWORD, "new_password": new},
    )
    assert response.status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200  # this session goes on
    assert other.get("/api/v1/auth/me").status_code == 401  # the other one ended
    assert login(app.test_client(), user.email, new).status_code == 200


def test_password_change_needs_the_current_password(client, make_user):
    user = make_user()
    token = login(client, user.email).get_json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/password",
        headers={"X-CSRF-Token": token},
        json={"current_password": "wrong-one-1234", "new_password": "x" * 20},
    )
    assert response.status_code == 422
    assert "current_password" in response.get_json()["errors"]


@pytest.mark.parametrize(("stamp", "alive"), [("_seen", 31 * 60), ("_created", 13 * 3600)])
def test_sessions_expire_when_idle_or_old(client, make_user, stamp, alive):
    user = make_user()
    login(client, user.email)
    assert client.get("/api/v1/auth/me").status_code == 200
    with client.session_transaction() as sess:
        sess[stamp] -= alive
    assert client.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/experts/12", "/experts/12"),
        ("/forums?year=2027", "/forums?year=2027"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
        ("relative/path", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_next_is_kept_only_when_it_stays_on_this_site(client, make_user, given, expected):
    user = make_user()
    assert login(client, user.email, next=given).get_json()["next"] == expected


def test_login_is_audited(client, make_user, db_session):
    user = make_user()
    login(client, user.email)
    entry = db_session.scalars(
        sa.select(AuditEntry).filter_by(action="login", entity_id=user.id)
    ).one()
    assert entry.actor_id == user.id


def test_proxy_fix_is_honoured_when_configured(db_session, make_user):
    from app import create_app
    from config import TestingConfig

    class BehindProxy(TestingConfig):
        PROXY_FIX_HOPS = 1

    user = make_user()
    client = create_app(BehindProxy).test_client()
    response = client.post(
        "/api/v1/auth/login",
        json={"email": user.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 200
    entry = db_session.scalars(
        sa.select(AuditEntry).filter_by(action="login", entity_id=user.id)
    ).one()
    assert entry.remote_addr == "203.0.113.9"


def test_the_session_is_stamped_at_most_once_a_minute(client, make_user):
    """A request within a minute of the last stamp leaves the cookie as it is (no
    Set-Cookie); a later one stamps it again, and idling counts from that stamp."""
    login(client, make_user().email)
    assert client.get("/api/v1/auth/me").status_code == 200
    again = client.get("/api/v1/auth/me")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    with client.session_transaction() as sess:
        sess["_seen"] -= 61
        stale = sess["_seen"]
    later = client.get("/api/v1/auth/me")
    assert later.status_code == 200 and "session=" in later.headers["Set-Cookie"]
    with client.session_transaction() as sess:
        assert sess["_seen"] >= stale + 61
        sess["_seen"] -= 29 * 60  # idle 29 minutes since that stamp: still alive
    assert client.get("/api/v1/auth/me").status_code == 200
