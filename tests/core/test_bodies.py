"""JSON bodies take JSON's own types; query strings keep converting their text."""

from __future__ import annotations

import marshmallow as ma
import pytest

from app.core.api import BodyParser
from tests import factories as f


class Nested(ma.Schema):
    count = ma.fields.Integer()


class Body(ma.Schema):
    count = ma.fields.Integer()
    flag = ma.fields.Boolean()
    ids = ma.fields.List(ma.fields.Integer())
    inner = ma.fields.Nested(Nested)


def parse(app, body: dict, location: str = "json"):
    @BodyParser().use_args(Body, location=location)
    def view(args):
        return args

    if location == "json":
        context = app.test_request_context(json=body)
    else:
        context = app.test_request_context(query_string=body)
    with context:
        try:
            return view()
        except Exception as error:  # webargs aborts with the messages attached
            return getattr(error, "data", {}).get("messages")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": "3"}, "count"),
        ({"count": 8.5}, "count"),
        ({"flag": "yes"}, "flag"),
        ({"flag": "true"}, "flag"),
        ({"ids": [1, "2"]}, "ids"),
        ({"inner": {"count": "3"}}, "inner"),
    ],
)
def test_a_body_must_use_json_types(app, body, field):
    assert field in parse(app, body)["json"]


def test_a_body_with_json_types_loads(app):
    body = {"count": 3, "flag": True, "ids": [1, 2], "inner": {"count": 4}}
    assert parse(app, body) == body


def test_a_query_string_still_converts_text(app):
    assert parse(app, {"count": "3", "flag": "true"}, location="query") == {
        "count": 3,
        "flag": True,
    }


def test_the_solver_does_not_take_yes_for_apply(caller, make_user, db_session):
    forum = f.ForumFactory()
    db_session.flush()
    response = caller(make_user("organiser")).post(
        f"/api/v1/forums/{forum.id}/schedule/solve", json={"apply": "yes"}
    )
    assert response.status_code == 422
    assert "apply" in response.get_json()["errors"]["json"]
