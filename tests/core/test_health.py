from unittest import mock

import pytest
from sqlalchemy.exc import OperationalError

from app.extensions import db


@pytest.fixture
def redis_url(app, monkeypatch):
    """``redis_url(url)`` points the health check at another Redis (or none)."""

    def point(url):
        monkeypatch.setitem(app.config, "REDIS_URL", url)
        monkeypatch.delitem(app.extensions, "redis_health", raising=False)

    yield point
    app.extensions.pop("redis_health", None)


def test_health_reports_database_ok(client, redis_url):
    redis_url(None)
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_health_is_degraded_when_redis_is_down(client, redis_url):
    redis_url("redis://127.0.0.1:1/0")  # nothing listens on port 1: refused at once
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok", "redis": "down"}


def test_health_reports_redis_ok(client, app):
    if not app.config.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set (CI's PostgreSQL run sets it)")
    response = client.get("/api/v1/health")
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_is_503_when_database_is_down(client):
    failure = OperationalError("SELECT 1", {}, Exception("connection refused"))
    with mock.patch.object(db.session, "execute", side_effect=failure):
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["code"] == 503
    assert body["status"] == "Service Unavailable"
    assert body["errors"] == {"database": ["unavailable"]}


def test_liveness_touches_neither_database_nor_redis(client, redis_url, count_queries):
    redis_url("redis://127.0.0.1:1/0")  # down: liveness must not care
    failure = OperationalError("SELECT 1", {}, Exception("connection refused"))
    with count_queries() as counter, mock.patch.object(db.session, "execute", side_effect=failure):
        response = client.get("/api/v1/health/live")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert counter.count == 0


@pytest.mark.parametrize(
    ("redis", "expected"),
    [
        (None, {"status": "ok", "database": "ok", "redis": "not configured"}),
        ("configured", {"status": "ok", "database": "ok", "redis": "ok"}),
    ],
)
def test_readiness_is_200_when_what_is_configured_answers(client, app, redis_url, redis, expected):
    if redis == "configured":
        if not app.config.get("REDIS_URL"):
            pytest.skip("REDIS_URL is not set (CI's PostgreSQL run sets it)")
    else:
        redis_url(None)
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 200
    assert response.get_json() == expected


def test_readiness_is_503_when_redis_is_down(client, redis_url):
    """Unlike /health (degraded, 200): a host that cannot reach Redis leaves the rotation."""
    redis_url("redis://127.0.0.1:1/0")
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["errors"] == {"redis": ["unavailable"]}


def test_readiness_is_503_when_database_is_down(client, redis_url):
    redis_url(None)
    failure = OperationalError("SELECT 1", {}, Exception("connection refused"))
    with mock.patch.object(db.session, "execute", side_effect=failure):
        response = client.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response.get_json()["errors"] == {"database": ["unavailable"]}
