"""Faults that lose nothing: Redis down or refusing writes, and the database unreachable.

Redis is a fake whose commands raise as a stopped Redis (``redis.ConnectionError``) or one
refusing writes (``MISCONF``) does, shared by the backends standing for several processes.
The database's faults are raised from the engine, as the driver would raise them.
"""

from __future__ import annotations

import sqlite3
from unittest import mock

import psycopg
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from limits.storage import RedisStorage
from limits.strategies import STRATEGIES

from app import create_app
from app.accounts.services import create_token
from app.core.cache import RedisBackend, Suspicion
from app.core.errors import database_unavailable
from app.core.redis_client import client_options
from app.extensions import limiter
from app.models import Centre, TokenScope
from config import TestingConfig
from tests import factories as f
from tests.conftest import PASSWORD

WRITES = frozenset({"SET", "INCR"})


class FakeRedis:
    """The few commands the caches use, over one dict that several clients may share.

    ``state`` is ``up``, ``down`` (every command raises ``ConnectionError``) or
    ``readonly`` (writes raise ``MISCONF``; reads answer)."""

    def __init__(self, data: dict | None = None) -> None:
        self.data = {} if data is None else data
        self.state = "up"
        self.calls = 0

    def _check(self, command: str) -> None:
        self.calls += 1
        if self.state == "down":
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Refused.")
        if self.state == "readonly" and command in WRITES:
            raise redis.ResponseError("MISCONF Redis is configured to save RDB snapshots")

    def mget(self, *keys):
        self._check("MGET")
        return [self.data.get(k) for k in keys]

    def set(self, key, value, ex=None):
        self._check("SET")
        self.data[key] = value

    def incr(self, key):
        self._check("INCR")
        self.data[key] = str(int(self.data.get(key) or 0) + 1).encode()

    def pipeline(self, transaction=True):
        return FakePipeline(self)


class FakePipeline:
    def __init__(self, client: FakeRedis) -> None:
        self.client, self.commands = client, []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.commands.append((name, args, kwargs))

    def execute(self):
        return [getattr(self.client, name)(*a, **kw) for name, a, kw in self.commands]


def backend(client: FakeRedis, namespace: str = "eb:cache") -> RedisBackend:
    return RedisBackend(client, namespace, suspect_seconds=60, probe_seconds=0)


def recover(*backends: RedisBackend) -> None:
    """Redis answers again and each process's suspect window has passed."""
    for b in backends:
        b.redis.state = "up"
        b.suspect.until = 0.0


# -- the backend, as several processes would see it ------------------------------------


def test_a_failed_bump_retires_the_cache_before_it_is_read_again():
    shared: dict = {}
    writer, reader = backend(FakeRedis(shared)), backend(FakeRedis(shared))
    generation, _ = reader.lookup("k")
    reader.store("k", generation, b"old answer")
    writer.redis.state = reader.redis.state = "down"
    writer.bump()  # the write committed; Redis did not hear of it
    assert reader.lookup("k") == (None, None)  # down: uncached
    recover(writer, reader)
    # Both saw the outage, so both pay a bump before reading: nothing from before it.
    assert reader.lookup("k")[1] is None
    assert writer.lookup("k")[1] is None


def test_a_redis_refusing_writes_stops_every_process_reading_the_cache():
    shared: dict = {}
    writer, other = backend(FakeRedis(shared)), backend(FakeRedis(shared))
    generation, _ = other.lookup("k")
    other.store("k", generation, b"old answer")
    assert other.lookup("k")[1] == b"old answer"
    writer.redis.state = other.redis.state = "readonly"
    writer.bump()  # refused: the generation stays as it was
    # The other process never saw the failed bump, but its probe write fails too.
    assert other.lookup("k") == (None, None)
    assert writer.lookup("k") == (None, None)


def test_after_a_failure_the_process_leaves_redis_alone_for_a_while():
    b = backend(FakeRedis())
    b.redis.state = "down"
    assert b.lookup("k") == (None, None)
    b.redis.state = "up"  # back, but this process's window has not passed
    assert b.lookup("k") == (None, None)
    b.suspect.until = 0.0
    assert b.lookup("k")[0] is not None


def test_a_write_in_the_suspect_window_retires_what_other_processes_serve():
    shared: dict = {}
    writer, other = backend(FakeRedis(shared)), backend(FakeRedis(shared))
    generation, _ = other.lookup("k")
    other.store("k", generation, b"old answer")
    writer.redis.state = "down"
    assert writer.lookup("k") == (None, None)  # the writer's window starts
    writer.redis.state = "up"  # Redis is back; the writer's window has not passed
    writer.bump()  # a write committed: it tries Redis anyway
    assert other.lookup("k")[1] is None  # the other process saw no error, and still retires


def test_the_caches_of_one_process_share_one_timeout_per_request():
    fake, suspicion = FakeRedis(), Suspicion()
    lists = RedisBackend(fake, "eb:cache", suspect_seconds=60, suspicion=suspicion)
    reports = RedisBackend(fake, "eb:reports", suspect_seconds=60, suspicion=suspicion)
    fake.state = "down"
    app = Flask(__name__)
    with app.app_context():  # one request (or command) writes to both
        lists.bump()  # fails: one call, one timeout
        reports.bump()  # asks nothing of a Redis that just failed here, and owes its bump
    assert fake.calls == 1
    assert reports.owes_bump and reports.lookup("k") == (None, None)
    with app.app_context():  # the next write tries again, inside the window
        reports.bump()
    assert fake.calls == 2  # one more: the lookup above asked nothing


def test_a_store_that_fails_is_swallowed():
    b = backend(FakeRedis())
    generation, _ = b.lookup("k")
    b.redis.state = "readonly"
    b.store("k", generation, b"x")  # no exception
    assert b.owes_bump


# -- the app, with its caches on a Redis that fails ------------------------------------


class RedisCachedConfig(TestingConfig):
    RESPONSE_CACHE = "redis"
    REPORT_CACHE = "redis"
    REDIS_URL = "redis://127.0.0.1:1/0"  # replaced by the fake below


@pytest.fixture(scope="module")
def faulty_app():
    return create_app(RedisCachedConfig)


@pytest.fixture
def fake_redis(faulty_app, monkeypatch):
    """One fake Redis behind the app's list and report caches."""
    fake = FakeRedis()
    # The middleware holds the list cache's backend: give it the fake and a fresh state.
    for name, value in vars(backend(fake)).items():
        monkeypatch.setattr(faulty_app.extensions["response_cache"], name, value)
    monkeypatch.setitem(faulty_app.extensions, "report_cache", backend(fake, "eb:reports"))
    return fake


@pytest.fixture
def organiser_token(make_user, db_session):
    _, secret = create_token(make_user("organiser"), "t", [TokenScope.WRITE], 1)
    db_session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _centre_names(client) -> tuple[str, list[str]]:
    response = client.get("/api/v1/centres?country=KZ&page_size=100")
    assert response.status_code == 200
    return response.headers["X-Cache"], [c["name_en"] for c in response.get_json()]


def test_reads_and_writes_succeed_while_redis_is_down(
    faulty_app, fake_redis, organiser_token, db_session
):
    centre = f.CentreFactory(country_code="KZ", name_en="Before the Outage Institute")
    db_session.commit()
    client = faulty_app.test_client()
    assert _centre_names(client)[0] == "miss"
    assert _centre_names(client)[0] == "hit"

    fake_redis.state = "down"
    state, names = _centre_names(client)
    assert (state, "Before the Outage Institute" in names) == ("bypass", True)
    patched = client.patch(
        f"/api/v1/centres/{centre.id}",
        json={"name_en": "During the Outage Institute"},
        headers=organiser_token,
    )
    assert patched.status_code == 200
    assert patched.get_json()["name_en"] == "During the Outage Institute"
    db_session.expire_all()
    assert db_session.get(Centre, centre.id).name_en == "During the Outage Institute"
    report = client.get("/api/v1/reports/coverage", headers=organiser_token)
    assert report.status_code == 200

    recover(faulty_app.extensions["response_cache"], faulty_app.extensions["report_cache"])
    state, names = _centre_names(client)
    assert state == "miss"  # the bump owed was paid: the pre-write answer is retired
    assert "During the Outage Institute" in names
    assert "Before the Outage Institute" not in names


def test_a_bump_owed_is_paid_by_the_next_request_of_any_kind(
    faulty_app, fake_redis, organiser_token, db_session
):
    centre = f.CentreFactory(country_code="KZ", name_en="Before the Outage Institute")
    db_session.commit()
    client = faulty_app.test_client()
    _centre_names(client)  # stored, for every process
    other = backend(FakeRedis(fake_redis.data))  # a process that saw no outage
    key = "/api/v1/centres?country=KZ&page_size=100"
    fake_redis.state = "down"
    patched = client.patch(
        f"/api/v1/centres/{centre.id}", json={"name_en": "Renamed"}, headers=organiser_token
    )
    assert patched.status_code == 200  # committed; neither cache could retire: both owe
    lists, reports = faulty_app.extensions["response_cache"], faulty_app.extensions["report_cache"]
    recover(lists, reports)
    assert other.lookup(key)[1] is not None  # the pre-write answer, still in Redis
    # Not a cacheable read: an item, which the middleware passes straight to Flask.
    assert client.get(f"/api/v1/centres/{centre.id}").status_code == 200
    assert not lists.owes_bump and not reports.owes_bump
    assert other.lookup(key)[1] is None


def test_a_write_while_redis_refuses_writes_is_not_hidden_by_the_cache(
    faulty_app, fake_redis, organiser_token, db_session
):
    centre = f.CentreFactory(country_code="KZ", name_en="Old Name Centre")
    db_session.commit()
    client = faulty_app.test_client()
    _centre_names(client)
    fake_redis.state = "readonly"
    patched = client.patch(
        f"/api/v1/centres/{centre.id}", json={"name_en": "New Name Centre"}, headers=organiser_token
    )
    assert patched.status_code == 200
    state, names = _centre_names(client)
    assert state == "bypass"
    assert "New Name Centre" in names and "Old Name Centre" not in names


def test_a_report_read_when_redis_fails_is_computed_and_not_stored(
    faulty_app, fake_redis, organiser_token
):
    client = faulty_app.test_client()
    fake_redis.state = "down"
    first = client.get("/api/v1/reports/gaps", headers=organiser_token)
    assert first.status_code == 200
    assert not [k for k in fake_redis.data if k.startswith("eb:reports:gaps")]


def test_health_says_down_for_a_redis_refusing_writes(client, app, monkeypatch):
    fake = FakeRedis()
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://fake")
    monkeypatch.setitem(app.extensions, "redis_health", fake)
    assert client.get("/api/v1/health").get_json()["redis"] == "ok"
    fake.state = "readonly"
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok", "redis": "down"}


# -- rate limits with their Redis unreachable ------------------------------------------


@pytest.fixture
def limiter_redis_down(app, monkeypatch):
    """The limiter's storage is a real client of a Redis that refuses connections."""
    dead = RedisStorage("redis://127.0.0.1:1/0", **client_options(0.2))
    monkeypatch.setattr(limiter, "_storage", dead)
    monkeypatch.setattr(limiter, "_limiter", STRATEGIES[app.config["RATELIMIT_STRATEGY"]](dead))
    monkeypatch.setattr(limiter, "_storage_dead", False)
    yield
    limiter._storage_dead = False


def test_login_and_registration_work_with_the_limiter_on_memory(
    client, make_user, limiter_redis_down, app
):
    user = make_user()
    with mock.patch.object(limiter.logger, "warning") as warning:
        response = client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        )
    assert response.status_code == 200
    assert "falling back to in-memory storage" in warning.call_args.args[0]
    registered = app.test_client().post(  # a new visitor, without the cookie
        "/api/v1/auth/register",
        json={
            "email": "outage@example.kz",
            "password": PASSWORD,
            "full_name": "Outage Expert",
            "country": "KZ",
        },
    )
    assert registered.status_code == 201


def test_failed_logins_are_still_limited_per_process(client, make_user, limiter_redis_down, app):
    user = make_user()
    limit = int(app.config["RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS"].split()[0])
    wrong = {"email": user.email, "password": "wrong-password-123"}
    for _ in range(limit):
        assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
    assert client.post("/api/v1/auth/login", json=wrong).status_code == 429


# -- the database unreachable ----------------------------------------------------------


def _driver_error(dialect: str, message: str) -> Exception:
    return (
        sqlite3.OperationalError(message)
        if dialect == "sqlite"
        else psycopg.OperationalError(message)
    )


@pytest.fixture
def database_fails(db_session, dialect):
    """``database_fails(prefix, message)``: statements starting with ``prefix`` raise as the
    driver does when the server is gone."""
    engine = db_session.get_bind().engine
    installed = []

    def fail(prefix: str = "", message: str = ""):
        message = message or (
            "database is locked" if dialect == "sqlite" else "server closed the connection"
        )

        def raise_(_conn, _cursor, statement, params, *_):
            if statement.lstrip().upper().startswith(prefix):
                raise sa.exc.OperationalError(statement, params, _driver_error(dialect, message))

        db_session.commit()
        sa.event.listen(engine, "before_cursor_execute", raise_)
        installed.append(raise_)
        return lambda: stop(raise_)

    def stop(fn) -> None:
        if fn in installed:
            installed.remove(fn)
            sa.event.remove(engine, "before_cursor_execute", fn)

    yield fail
    for fn in list(installed):
        stop(fn)


def _assert_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == 503 and body["errors"] == {"database": ["unavailable"]}


def test_a_read_with_the_database_down_is_503(client, database_fails):
    database_fails("")
    _assert_503(client.get("/api/v1/centres"))


def test_a_write_with_the_database_down_is_503_and_writes_nothing(
    caller, make_user, database_fails, db_session
):
    centre = f.CentreFactory(name_en="Unchanged Centre")
    organiser = caller(make_user("organiser"))
    database_fails("UPDATE")
    _assert_503(organiser.patch(f"/api/v1/centres/{centre.id}", json={"name_en": "Lost Centre"}))
    db_session.expire_all()
    assert db_session.get(Centre, centre.id).name_en == "Unchanged Centre"


def test_bad_sql_stays_a_500(client, database_fails, dialect):
    if dialect != "sqlite":
        pytest.skip("PostgreSQL reports bad SQL as ProgrammingError, never OperationalError")
    database_fails("SELECT", "no such table: centres")
    response = client.get("/api/v1/centres")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (sa.exc.OperationalError("x", {}, psycopg.OperationalError("connection refused")), True),
        (sa.exc.OperationalError("x", {}, psycopg.errors.AdminShutdown("terminating")), True),
        (sa.exc.InterfaceError("x", {}, psycopg.InterfaceError("the connection is closed")), True),
        (sa.exc.DisconnectionError("pre-ping failed"), True),
        (sa.exc.OperationalError("x", {}, sqlite3.OperationalError("database is locked")), True),
        (sa.exc.OperationalError("x", {}, sqlite3.OperationalError("no such table: x")), False),
        (sa.exc.InterfaceError("x", {}, sqlite3.InterfaceError("bad parameter")), False),
        (sa.exc.ProgrammingError("x", {}, psycopg.ProgrammingError("syntax error")), False),
        (ValueError("not a database error"), False),
    ],
)
def test_which_database_errors_mean_unavailable(error, unavailable):
    assert database_unavailable(error) is unavailable


def test_the_service_answers_again_once_the_database_does(client, database_fails):
    stop = database_fails("")
    _assert_503(client.get("/api/v1/centres"))
    stop()
    assert client.get("/api/v1/centres").status_code == 200
