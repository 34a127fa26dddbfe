"""The OpenAPI document states how to authenticate, and Swagger UI's way of applying it
works: each scheme turned into a header exactly as Swagger UI does, then a real write."""

from __future__ import annotations

import pytest

from app.accounts.services import create_token
from app.models import TokenScope
from tests.conftest import PASSWORD

WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in WRITES | {"get"}:
                yield method, path, operation


def headers_for(scheme: dict, value: str) -> dict[str, str]:
    """What Swagger UI sends for a scheme it was given ``value`` for (a cookie it leaves
    to the browser)."""
    if scheme["type"] == "http" and scheme["scheme"] == "bearer":
        return {"Authorization": f"Bearer {value}"}
    if scheme["type"] == "apiKey" and scheme["in"] == "header":
        return {scheme["name"]: value}
    raise AssertionError(f"Swagger UI cannot send {scheme} as a header")


def test_the_schemes_are_declared(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["csrfToken"]["in"] == "header" and schemes["csrfToken"]["name"] == "X-CSRF-Token"
    assert schemes["cookieAuth"] == {**schemes["cookieAuth"], "in": "cookie", "name": "session"}


def test_every_requirement_names_declared_schemes(document):
    declared = set(document["components"]["securitySchemes"])
    requirements = list(document["security"])
    for _, _, operation in operations(document):
        requirements += operation.get("security", [])
    assert requirements and all(set(req) <= declared for req in requirements)


def test_writes_need_a_token_or_a_session_with_csrf(document):
    for method, path, operation in operations(document):
        if method == "get":
            assert "security" not in operation  # the document's default: optional
            continue
        security = operation["security"], (method, path)
        assert {"bearerAuth": []} in security[0], security
        assert {"cookieAuth": [], "csrfToken": []} in security[0], security
    open_to_all = {
        (method, path)
        for method, path, op in operations(document)
        if method != "get" and {} in op["security"]
    }
    assert open_to_all == {("post", "/api/v1/auth/register"), ("post", "/api/v1/auth/login")}
    assert {} in document["security"]  # reads are public


def test_a_write_with_the_bearer_scheme_works(document, caller, make_user, db_session):
    _, secret = create_token(make_user(), "swagger", [TokenScope.READ, TokenScope.WRITE], 1)
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert secret.startswith("eb_")
    headers = headers_for(scheme, secret)
    response = caller().post("/api/v1/auth/tokens", json={"name": "Swagger"}, headers=headers)
    assert response.status_code == 201, response.json


def test_a_session_write_needs_the_csrf_scheme(document, client, make_user, db_session):
    user = make_user()
    db_session.commit()
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200
    refused = client.post("/api/v1/auth/tokens", json={"name": "no header"})
    assert refused.status_code == 403
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    scheme = document["components"]["securitySchemes"]["csrfToken"]
    response = client.post(
        "/api/v1/auth/tokens", json={"name": "with header"}, headers=headers_for(scheme, token)
    )
    assert response.status_code == 201, response.json
