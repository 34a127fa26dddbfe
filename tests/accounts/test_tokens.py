"""Personal API tokens: shown once, stored hashed, scoped, revocable, private."""

from __future__ import annotations

import datetime as dt

from app.accounts.auth import hash_token
from app.core.ratelimits import in_words
from app.models import ApiToken
from tests.conftest import PASSWORD


def create(caller, **body):
    return caller.post("/api/v1/auth/tokens", json={"name": "script", **body})


def test_a_token_is_shown_once_and_stored_hashed(caller, make_user, db_session):
    owner = caller(make_user())
    response = create(owner, scopes=["read", "write"], expires_in_days=30)
    assert response.status_code == 201
    body = response.get_json()
    secret = body["token"]
    assert secret.startswith(body["prefix"])
    stored = db_session.get(ApiToken, body["id"])
    assert stored.token_hash == hash_token(secret) and secret not in stored.token_hash
    listed = owner.get("/api/v1/auth/tokens").get_json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0]
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)


def test_bearer_token_authenticates_without_cookie_or_csrf(caller, make_user):
    user = make_user()
    secret = create(caller(user), scopes=["write"]).get_json()["token"]
    bearer = caller(token=secret)
    assert bearer.get("/api/v1/auth/me").get_json()["id"] == user.id
    edit = bearer.patch(f"/api/v1/experts/{user.expert.id}", json={"biography": "Updated."})
    assert edit.status_code == 200


def test_read_token_cannot_write(caller, make_user):
    user = make_user()
    secret = create(caller(user), scopes=["read"]).get_json()["token"]
    response = caller(token=secret).patch(
        f"/api/v1/experts/{user.expert.id}", json={"biography": "x"}
    )
    assert response.status_code == 403


def test_revoked_and_expired_tokens_are_refused(caller, make_user, db_session):
    user = make_user()
    owner = caller(user)
    revoked = create(owner).get_json()
    assert owner.delete(f"/api/v1/auth/tokens/{revoked['id']}").status_code == 204
    assert caller(token=revoked["token"]).get("/api/v1/auth/me").status_code == 401
    expired = create(owner).get_json()
    db_session.get(ApiToken, expired["id"]).expires_at = dt.datetime.now(dt.UTC)
    db_session.flush()
    assert caller(token=expired["token"]).get("/api/v1/auth/me").status_code == 401


def test_garbage_bearer_is_anonymous(caller):
    for header in ("Bearer", "Bearer ", "Bearer eb_nope", "Basic dXNlcjpwYXNz"):
        response = caller().get("/api/v1/auth/me", headers={"Authorization": header})
        assert response.status_code == 401


def test_another_users_token_is_404(caller, make_user, db_session):
    mine = create(caller(make_user())).get_json()
    other = caller(make_user())
    assert other.delete(f"/api/v1/auth/tokens/{mine['id']}").status_code == 404
    assert other.get("/api/v1/auth/tokens").get_json() == []
    assert db_session.get(ApiToken, mine["id"]).revoked_at is None


def test_token_fields_are_validated(caller, make_user):
    owner = caller(make_user())
    for body in (
        {"scopes": ["admin"]},
        {"scopes": []},
        {"expires_in_days": 0},
        {"expires_in_days": 10_000},
        {"name": ""},
        {"user_id": 1},
    ):
        assert create(owner, **body).status_code == 422, body


def test_token_creation_is_rate_limited(caller, make_user, app):
    owner = caller(make_user())
    limit = int(app.config["RATE_LIMIT_TOKENS"].split()[0])
    for _ in range(limit):
        created = create(owner)
        assert created.status_code == 201
        assert "Retry-After" not in created.headers  # only a refusal says when to retry
    refused = create(owner)
    assert refused.status_code == 429
    seconds = int(refused.headers["Retry-After"])
    assert 0 < seconds <= 3601  # rounded up: never too early
    assert refused.get_json()["message"] == (
        f"Too many requests of this kind from your address (at most {limit} per 1 hour); "
        f"try again in {in_words(seconds)}."
    )


def test_a_password_change_revokes_every_token_of_the_user(caller, make_user, db_session):
    user, bystander = make_user(), make_user()
    owner = caller(user)
    tokens = [create(owner, scopes=[scope]).get_json() for scope in ("read", "write", "calendar")]
    kept = create(caller(bystander), scopes=["read"]).get_json()["token"]
    assert caller(token=tokens[0]["token"]).get("/api/v1/auth/me").status_code == 200
    feed = {"token": tokens[2]["token"]}
    assert caller().get("/api/v1/me/schedule.ics", query_string=feed).status_code == 200

    changed = owner.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-new-long-passphrase"},
    )

    assert changed.status_code == 200
    for token in tokens[:2]:
        assert caller(token=token["token"]).get("/api/v1/auth/me").status_code == 401
    assert caller().get("/api/v1/me/schedule.ics", query_string=feed).status_code == 401
    assert all(t["revoked_at"] for t in owner.get("/api/v1/auth/tokens").get_json())
    assert caller(token=kept).get("/api/v1/auth/me").status_code == 200  # others' stay


def test_a_refused_password_change_revokes_nothing(caller, make_user):
    user = make_user()
    owner = caller(user)
    secret = create(owner, scopes=["read"]).get_json()["token"]
    refused = owner.post(
        "/api/v1/auth/password",
        json={"current_password": "not-the-password", "new_password": "a-new-long-passphrase"},
    )
    assert refused.status_code == 422
    assert caller(token=secret).get("/api/v1/auth/me").status_code == 200
