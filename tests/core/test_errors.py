"""Every error under /api/ has one shape, whatever raised it."""

import marshmallow as ma
import pytest
from flask.views import MethodView
from flask_smorest import Blueprint

from app import create_app
from app.core.errors import Conflict
from config import TestingConfig

ERROR_KEYS = {"code", "status", "message", "errors"}


def assert_error(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body


class EchoSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1))


@pytest.fixture(scope="module")
def echo_app():
    """A separate app with a JSON endpoint, a failing one and a conflicting one."""
    app = create_app(TestingConfig)
    blp = Blueprint("echo", __name__, url_prefix="/api/v1/echo")

    @blp.route("")
    class Echo(MethodView):
        @blp.arguments(EchoSchema)
        @blp.response(201, EchoSchema)
        def post(self, data):
            return data

    @blp.route("/boom")
    class Boom(MethodView):
        def get(self):
            raise RuntimeError("unexpected")

    @blp.route("/conflict")
    class Clash(MethodView):
        def get(self):
            raise Conflict("Already there.", {"name": ["Taken."]})

    # Registered on Flask directly, so the shared API's OpenAPI document stays as it is.
    app.register_blueprint(blp)
    return app


@pytest.fixture
def echo(echo_app, db_session):
    return echo_app.test_client()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nowhere", 404),
        ("get", "/api/v2/health", 404),
        ("post", "/api/v1/health", 405),
        ("delete", "/api/v1/health", 405),
    ],
)
def test_unknown_paths_and_methods(client, method, path, status):
    assert_error(getattr(client, method)(path), status)


def test_405_lists_allowed_methods(client):
    response = client.put("/api/v1/health", json={})
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_valid_json_is_accepted(echo):
    response = echo.post("/api/v1/echo", json={"name": "Shibutov"})
    assert response.status_code == 201
    assert response.get_json() == {"name": "Shibutov"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("name=Shibutov", "application/x-www-form-urlencoded"),
        ("just text", "text/plain"),
        ('{"name": "unterminated', "application/json"),
        ("\xff\xfe", "application/json"),
    ],
)
def test_body_that_is_not_json_is_400(echo, body, content_type):
    assert_error(echo.post("/api/v1/echo", data=body, content_type=content_type), 400)


def test_invalid_fields_are_422_with_field_errors(echo):
    body = assert_error(echo.post("/api/v1/echo", json={"name": ""}), 422)
    assert "name" in body["errors"]["json"]


def test_body_over_the_limit_is_413(echo, echo_app):
    limit = echo_app.config["MAX_CONTENT_LENGTH"]
    response = echo.post("/api/v1/echo", json={"name": "x" * (limit + 1)})
    assert_error(response, 413)


def test_unexpected_exception_is_500_in_the_same_shape(echo_app, db_session):
    echo_app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_error(echo_app.test_client().get("/api/v1/echo/boom"), 500)
    assert "unexpected" not in body["message"]  # no internals leak


def test_domain_error_maps_to_its_status(echo):
    body = assert_error(echo.get("/api/v1/echo/conflict"), 409)
    assert body["errors"] == {"name": ["Taken."]}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"name": "\\ud800"}', "\\ud800 is half a UTF-16 surrogate pair, not a character."),
        ('{"\\udfff": 1}', "\\udfff is half a UTF-16 surrogate pair, not a character."),
        (
            '{"name": ["ok", {"x": "a\\udc00b"}]}',
            "\\udc00 is half a UTF-16 surrogate pair, not a character.",
        ),
        ("[" * 100_000 + "]" * 100_000, "The JSON nests too deeply."),
    ],
    ids=["surrogate-in-a-value", "surrogate-in-a-key", "surrogate-deep-inside", "deep-nesting"],
)
def test_json_python_reads_but_nothing_can_store_is_400(echo, body, detail):
    # Both were 500s: a lone surrogate failed at flush (or in argon2), deep nesting in json.
    response = echo.post("/api/v1/echo", data=body, content_type="application/json")
    assert_error(response, 400)
    assert response.get_json()["errors"] == {"json": [detail]}


def test_a_whole_surrogate_pair_is_a_character(echo):
    response = echo.post(
        "/api/v1/echo", data='{"name": "\\ud83d\\ude00"}', content_type="application/json"
    )
    assert response.status_code < 400


def test_broken_json_says_where(echo):
    response = echo.post(
        "/api/v1/echo", data='{"name": "Shibutov",}', content_type="application/json"
    )
    assert_error(response, 400)
    body = response.get_json()
    assert body["message"] == "The request body is not valid JSON."
    [detail] = body["errors"]["json"]
    assert "line 1 column 21" in detail
