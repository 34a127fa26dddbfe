from unittest import mock

from sqlalchemy.exc import OperationalError

from app.extensions import db


def test_health_reports_database_ok(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_database_is_down(client):
    failure = OperationalError("SELECT 1", {}, Exception("connection refused"))
    with mock.patch.object(db.session, "execute", side_effect=failure):
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == 503
    assert body["status"] == "Service Unavailable"
    assert body["errors"] == {"database": ["unavailable"]}
