"""Anonymous exports are rate limited per address; logged-in callers are not counted."""

from __future__ import annotations

import pytest

from app.core.ratelimits import in_words
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
    assert f"try again in {in_words(seconds)}, or log in" in error["message"]


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


# -- slots: how many anonymous exports stream at once --------------------------------


@pytest.fixture
def pool(app, monkeypatch):
    """The process's slots, two of them, counted here (the suite's Redis is not shared)."""
    from app.core.export_slots import slots

    with app.app_context():
        pool = slots()
    monkeypatch.setattr(pool, "limit", 2)
    monkeypatch.setattr(pool, "_acquire", None)
    yield pool
    pool._local.clear()


def test_an_anonymous_export_waits_for_a_free_slot(caller, make_user, pool):
    taken = [pool.take() for _ in range(pool.limit)]
    assert None not in taken
    response = export(caller(), *EXPORTS[0])
    error = assert_error(response, 503)
    assert response.headers["Retry-After"] == "30"
    assert "Try again in 30 seconds" in error["message"]
    # Logged-in callers do not wait for a slot.
    assert export(caller(make_user("expert")), *EXPORTS[0]).status_code == 200
    pool.give_back(taken[0])
    assert export(caller(), *EXPORTS[0]).status_code == 200


def test_a_finished_export_gives_its_slot_back(caller, pool):
    for _ in range(pool.limit + 2):
        assert export(caller(), *EXPORTS[3]).status_code == 200
    assert pool._local == set()


def test_slots_count_in_the_process_while_redis_fails(caplog):
    import redis

    from app.core.export_slots import ExportSlots

    dead = redis.Redis(port=1, socket_connect_timeout=0.2)  # nothing listens on port 1
    slots = ExportSlots(dead, limit=1, seconds=60)
    first = slots.take()
    assert first is not None and slots.take() is None
    assert "counting in this process" in caplog.text
    slots.give_back(first)
    assert slots.take() is not None


@pytest.fixture
def redis_slots(app):
    import os

    import redis

    from app.core.export_slots import KEY, ExportSlots

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set (CI's PostgreSQL run sets it)")
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(KEY)
    yield lambda limit, seconds: ExportSlots(client, limit, seconds)
    client.delete(KEY)


def test_slots_in_redis_are_shared_and_lapse(redis_slots):
    import time

    one_host, another = redis_slots(2, 60), redis_slots(2, 60)
    a, b = one_host.take(), another.take()
    assert a and b and one_host.take() is None and another.take() is None
    another.give_back(b)
    assert one_host.take() is not None
    # A slot whose holder died (no give_back) lapses.
    lapsing = redis_slots(3, 0.2)
    assert lapsing.take() is not None and lapsing.take() is None
    time.sleep(0.3)
    assert lapsing.take() is not None
