"""Anonymous exports are rate limited per address; logged-in callers are not counted."""

from __future__ import annotations

import pytest

from tests.core.test_errors import assert_error

EXPORTS = [
    ("/api/v1/centres", "csv"),
    ("/api/v1/experts", "csv"),
    ("/api/v1/projects", "csv"),
    ("/api/v1/publications", "csv"),
    ("/api/v1/publications", "bibtex"),
    ("/api/v1/publications", "csl-json"),
]


@pytest.fixture
def limit(app, monkeypatch) -> int:
    monkeypatch.setitem(app.config, "RATE_LIMIT_EXPORTS", "3 per minute")
    return 3


def export(caller_, path: str, fmt: str, address: str = "203.0.113.7"):
    return caller_.get(path, query_string={"format": fmt}, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize(("path", "fmt"), EXPORTS)
def test_anonymous_exports_past_the_limit_get_429_saying_when(caller, limit, path, fmt):
    anonymous = caller()
    for _ in range(limit):
        assert export(anonymous, path, fmt).status_code == 200
    response = export(anonymous, path, fmt)
    error = assert_error(response, 429)
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 60
    assert f"Try again in {seconds} seconds" in error["message"]


def test_every_export_counts_towards_one_limit(caller, limit):
    anonymous = caller()
    for path, fmt in EXPORTS[:limit]:
        assert export(anonymous, path, fmt).status_code == 200
    assert export(anonymous, *EXPORTS[-1]).status_code == 429


def test_the_limit_is_per_address(caller, limit):
    anonymous = caller()
    for _ in range(limit):
        export(anonymous, *EXPORTS[0])
    assert export(anonymous, *EXPORTS[0]).status_code == 429
    assert export(anonymous, *EXPORTS[0], address="203.0.113.8").status_code == 200


def test_json_pages_are_not_counted(caller, limit):
    anonymous = caller()
    for _ in range(limit + 2):
        assert export(anonymous, "/api/v1/centres", "json").status_code == 200
    assert export(anonymous, *EXPORTS[0]).status_code == 200


@pytest.mark.parametrize("how", ["cookie", "token"])
def test_logged_in_callers_are_not_limited(caller, make_user, limit, how):
    from app.accounts.services import create_token
    from app.models import TokenScope

    user = make_user()
    if how == "cookie":
        signed_in = caller(user)
    else:
        _, secret = create_token(user, "exports", [TokenScope.READ], 1)
        signed_in = caller(token=secret)
    for _ in range(limit + 3):
        assert export(signed_in, *EXPORTS[0]).status_code == 200
    # ... and their exports leave the address's anonymous allowance untouched.
    assert export(caller(), *EXPORTS[0]).status_code == 200
