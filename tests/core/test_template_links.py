"""Templates' url_for (app.core.pages.url_for): Flask's links, built once each."""

from __future__ import annotations

import flask
import pytest

from app.core.pages import url_for

CASES = [
    ("expert_pages.show", {"expert_id": 7}),
    ("expert_pages.index", {"q": "Шибутов", "page": 2}),
    ("accounts.login", {"next": None}),
    ("accounts.login", {"next": "/experts?q=a&b=c"}),
    ("experts.Experts", {"country": ["KZ", "RU"]}),  # not hashable: Flask's each time
    ("expert_pages.show", {"expert_id": 7, "_anchor": "topics"}),
    ("expert_pages.show", {"expert_id": 7, "_external": True}),
]


@pytest.mark.parametrize("root", ["", "/bridge"])
@pytest.mark.parametrize(("endpoint", "values"), CASES)
def test_the_same_link_as_flask_under_each_mount_point(app, root, endpoint, values):
    for _ in range(2):  # built, then kept
        with app.test_request_context("/", base_url=f"http://example.org{root}/"):
            assert url_for(endpoint, **values) == flask.url_for(endpoint, **values)
            assert url_for(endpoint, **values).startswith((f"{root}/", "http://"))


def test_a_link_relative_to_the_blueprint_follows_the_request(app):
    with app.test_request_context("/experts/3"):
        flask.request.url_rule = app.url_map.bind("localhost").match(
            "/experts/3", return_rule=True
        )[0]
        assert url_for(".index") == "/experts"
    with app.test_request_context("/centres/3"):
        flask.request.url_rule = app.url_map.bind("localhost").match(
            "/centres/3", return_rule=True
        )[0]
        assert url_for(".index") == "/centres"
