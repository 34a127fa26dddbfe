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
def pool(app, monkeypatch, tmp_path):
    """Two slots, as lock files of the test's own (the suite's Redis is shared)."""
    from app.core.export_slots import ExportSlots

    pool = ExportSlots(None, limit=2, seconds=60, directory=tmp_path)
    monkeypatch.setitem(app.extensions, "export_slots", pool)
    return pool


def test_an_anonymous_export_waits_for_a_free_slot(caller, make_user, pool):
    held = [pool.take() for _ in range(pool.limit)]
    assert None not in held
    response = export(caller(), *EXPORTS[0])
    error = assert_error(response, 503)
    assert response.headers["Retry-After"] == "30"
    assert "Try again in 30 seconds" in error["message"]
    # Logged-in callers do not wait for a slot.
    assert export(caller(make_user("expert")), *EXPORTS[0]).status_code == 200
    held[0]()
    assert export(caller(), *EXPORTS[0]).status_code == 200


def test_a_finished_export_gives_its_slot_back(caller, pool):
    for _ in range(pool.limit + 2):
        assert export(caller(), *EXPORTS[3]).status_code == 200
    assert pool.take() is not None


def test_an_export_that_fails_after_taking_its_slot_gives_it_back(app, pool, monkeypatch):
    import sqlite3

    from sqlalchemy import exc

    from app.core.transaction import TransactionalFlask

    def commit_fails(self):
        super(TransactionalFlask, self).dispatch_request()  # the export takes its slot
        raise exc.OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(TransactionalFlask, "dispatch_request", commit_fails)
    client = app.test_client()
    for _ in range(pool.limit + 1):
        response = client.get(EXPORTS[0][0], query_string={"format": "csv"}, buffered=True)
        assert response.status_code == 503
        assert "database" in response.get_json()["errors"]
    assert [pool.take() for _ in range(pool.limit)] != [None, None]


def test_slots_are_shared_by_the_processes_of_a_host(tmp_path):
    """Lock files: another process's slot counts, and is freed when that process dies."""
    import subprocess
    import sys

    from app.core.export_slots import ExportSlots

    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_A_SLOT.format(directory=str(tmp_path))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        here = ExportSlots(None, limit=1, seconds=60, directory=tmp_path)
        assert here.take() is None
        holder.kill()
        holder.wait(10)
        assert here.take() is not None
    finally:
        holder.kill()
        holder.wait(10)
        holder.stdout.close()


_HOLD_A_SLOT = """
import sys, time
from pathlib import Path
from app.core.export_slots import ExportSlots
assert ExportSlots(None, limit=1, seconds=60, directory=Path({directory!r})).take()
print("held", flush=True)
time.sleep(60)
"""


def test_slots_count_on_the_host_while_redis_fails(caplog, tmp_path):
    import redis

    from app.core.export_slots import ExportSlots

    dead = redis.Redis(port=1, socket_connect_timeout=0.2)  # nothing listens on port 1
    slots = ExportSlots(dead, limit=1, seconds=60, directory=tmp_path)
    release = slots.take()
    assert release is not None and slots.take() is None
    assert "counting on this host" in caplog.text
    release()
    assert slots.take() is not None


@pytest.fixture
def redis_slots(app, tmp_path):
    import os
    import uuid

    import redis

    from app.core.export_slots import ExportSlots

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set (CI's PostgreSQL run sets it)")
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    key = f"test:export-slots:{uuid.uuid4().hex}"
    yield lambda limit, seconds: ExportSlots(client, limit, seconds, tmp_path, key=key)
    client.delete(key)


def test_slots_in_redis_are_shared_and_lapse(redis_slots):
    import time

    one_host, another = redis_slots(2, 60), redis_slots(2, 60)
    first, second = one_host.take(), another.take()
    assert first and second and one_host.take() is None and another.take() is None
    second()
    assert one_host.take() is not None
    # A slot whose holder died (and never gave it back) lapses.
    lapsing = redis_slots(3, 0.2)
    assert lapsing.take() is not None and lapsing.take() is None
    time.sleep(0.3)
    assert lapsing.take() is not None
