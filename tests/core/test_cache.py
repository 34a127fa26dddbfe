"""The public list cache: hits skip the app, and every committed directory write retires
what was stored."""

from __future__ import annotations

import json

import pytest

from app import create_app
from app.accounts.services import create_token
from app.core.cache import MemoryBackend, RedisBackend, ResponseCache
from app.core.redis_client import connect
from app.models import TokenScope
from config import TestingConfig
from tests import factories as f
from tests.conftest import PASSWORD


class CachedConfig(TestingConfig):
    RESPONSE_CACHE = "memory"


@pytest.fixture(scope="module")
def cached_app():
    return create_app(CachedConfig)


@pytest.fixture
def cached(cached_app, db_session):
    return cached_app.test_client()


def test_second_anonymous_read_is_a_hit(cached):
    first = cached.get("/api/v1/centres?country=KZ")
    second = cached.get("/api/v1/centres?country=KZ")
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.get_json() == second.get_json()
    assert second.headers["X-Pagination"] == first.headers["X-Pagination"]
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]


def test_a_committed_write_retires_cached_lists(cached, db_session, make_user):
    _, secret = create_token(make_user("organiser"), "t", [TokenScope.WRITE], 1)
    db_session.commit()
    cached.get("/api/v1/centres?country=KZ")
    created = cached.post(
        "/api/v1/centres",
        headers={"Authorization": f"Bearer {secret}"},
        json={"name_en": "Brand New Centre", "country": "KZ", "kind": "ngo"},
    )
    assert created.status_code == 201
    fresh = cached.get("/api/v1/centres?country=KZ")
    assert fresh.headers["X-Cache"] == "miss"
    assert "Brand New Centre" in [c["name_en"] for c in fresh.get_json()]


def test_an_uncommitted_write_does_not_retire(cached, db_session):
    cached.get("/api/v1/topics")
    f.TopicFactory()
    db_session.flush()
    assert cached.get("/api/v1/topics").headers["X-Cache"] == "hit"


@pytest.mark.parametrize(
    ("environ", "cacheable"),
    [
        ({}, True),
        ({"QUERY_STRING": "country=KZ&format=json"}, True),
        ({"QUERY_STRING": "format=csv"}, False),
        ({"HTTP_AUTHORIZATION": "Bearer x"}, False),
        ({"HTTP_COOKIE": "session=abc"}, False),
        ({"REQUEST_METHOD": "POST"}, False),
        ({"PATH_INFO": "/api/v1/experts/1"}, False),
    ],
)
def test_what_is_cacheable(environ, cacheable):
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/experts", "QUERY_STRING": ""}
    assert ResponseCache._cacheable({**base, **environ}) is cacheable


def test_credentialed_reads_bypass_the_cache(cached):
    for _ in range(2):
        response = cached.get("/api/v1/experts", headers={"Authorization": "Bearer x"})
        assert "X-Cache" not in response.headers


def test_items_and_errors_are_not_cached(cached):
    assert "X-Cache" not in cached.get("/api/v1/centres/1").headers
    for _ in range(2):
        assert cached.get("/api/v1/centres?country=nope").headers["X-Cache"] == "miss"


def test_redis_backend_round_trip(app):
    url = app.config.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (CI's PostgreSQL run sets it)")
    backend = RedisBackend(connect(app, url))
    backend.redis.delete(backend.generation_key, "eb:cache:/x?")
    generation, payload = backend.lookup("/x?")
    assert payload is None
    backend.store("/x?", generation, b"stored")
    assert backend.lookup("/x?") == (generation, b"stored")
    backend.bump()
    assert backend.lookup("/x?")[1] is None


def test_memory_backend_is_bounded():
    backend = MemoryBackend(size=2)
    for n in range(3):
        backend.store(str(n), 0, b"x")
    assert list(backend.entries) == ["1", "2"]


def test_a_login_leaves_the_cache_alone_and_a_directory_write_retires_it(
    cached_app, cached, make_user, db_session
):
    user = make_user()  # an expert with a profile the lists show
    _, secret = create_token(make_user("admin"), "t", [TokenScope.WRITE], 1)
    db_session.commit()
    backend = cached_app.extensions["response_cache"]
    before = backend.generation
    login = cached.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200
    db_session.refresh(user)
    assert user.last_login_at is not None  # the login did write its user row
    assert backend.generation == before
    patched = cached_app.test_client().patch(
        f"/api/v1/experts/{user.expert.id}",
        json={"full_name": "Renamed After Login"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert patched.status_code == 200
    assert backend.generation == before + 1


@pytest.fixture
def counts():
    """The COUNT statements sent (on the tests' connection, whichever app sends them)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    engine = Engine
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT COUNT("):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    yield sent
    event.remove(engine, "before_cursor_execute", note)


def _total(response) -> int:
    assert response.status_code == 200, response.get_json()
    return json.loads(response.headers["X-Pagination"])["total"]


def test_a_logged_in_list_counts_once_until_the_directory_changes(
    cached, counts, db_session, make_user
):
    """A logged-in list is never answered from the cache, but its total is counted once
    per directory state: a committed write to an expert counts afresh."""
    for _ in range(3):
        f.ExpertFactory(country_code="KZ")
    _, read = create_token(make_user(), "t", [TokenScope.READ], 1)
    _, write = create_token(make_user("organiser"), "t", [TokenScope.WRITE], 1)
    db_session.commit()
    reader = {"Authorization": f"Bearer {read}"}
    path = "/api/v1/experts?country=KZ&page_size=2"
    first = cached.get(path, headers=reader)
    assert "X-Cache" not in first.headers and len(counts) == 1
    assert _total(cached.get(path, headers=reader)) == _total(first) and len(counts) == 1
    assert _total(cached.get(path + "&verified=false", headers=reader)) and len(counts) == 2
    created = cached.post(
        "/api/v1/experts?force=true",
        headers={"Authorization": f"Bearer {write}"},
        json={"full_name": "Brand New Expert", "country": "KZ"},
    )
    assert created.status_code == 201, created.get_json()
    assert _total(cached.get(path, headers=reader)) == _total(first) + 1 and len(counts) == 3


@pytest.mark.parametrize("proof", ["verify_email", "change_email"])
def test_an_address_proven_retires_cached_lists_and_counts(
    cached_app, cached, db_session, make_user, proof
):
    """An unverified registration's profile is private; proving the address (the mailed
    link, or an address change's) makes it public, which cached answers did not show."""
    from app.accounts import services
    from app.accounts.models import User
    from app.extensions import db

    user = make_user()
    user.email_verified_at = None
    db_session.commit()
    cached_app.extensions["response_cache"].bump()  # nothing kept from other tests
    path = "/api/v1/experts?q=Profile"
    assert _total(cached.get(path)) == 0
    assert cached.get(path).headers["X-Cache"] == "hit"
    with cached_app.app_context():  # its cache is retired by its commits
        proving = db.session.get(User, user.id)
        if proof == "verify_email":
            services.verify_email(proving)
        else:
            services.change_email(proving, "proven@example.org")
        db.session.commit()
    fresh = cached.get(path)
    assert fresh.headers["X-Cache"] == "miss" and _total(fresh) == 1
