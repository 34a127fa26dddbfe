"""A token's "last used" stamp is bookkeeping: requests racing to stamp it, or meeting
its row (PostgreSQL) or the database (SQLite) locked by another writer, answer at once and
normally; one of them stamps it."""

from __future__ import annotations

import datetime as dt
import threading
import time

import sqlalchemy as sa

from app.accounts.auth import hash_token
from app.extensions import db
from app.models import ApiToken
from tests.concurrency.conftest import stamp_token, token_stamp

READERS = 8


def _read(token: str):
    return lambda client: (
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code
    )


def test_requests_racing_to_stamp_a_token_all_answer_and_one_stamps_it(live):
    token = live.admins[0]
    stamp_token(live, token, None)
    before = dt.datetime.now(dt.UTC)
    assert live.race([_read(token)] * READERS) == [200] * READERS
    assert token_stamp(live, token) >= before - dt.timedelta(seconds=1)


def test_a_stamp_is_kept_for_a_minute(live):
    token = live.admins[1]
    old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    stamp_token(live, token, old)
    assert live.race([_read(token)]) == [200]
    assert abs(token_stamp(live, token) - old) < dt.timedelta(seconds=1)
    stamp_token(live, token, old - dt.timedelta(minutes=1))
    assert live.race([_read(token)]) == [200]
    assert token_stamp(live, token) > old


def test_a_locked_stamp_is_skipped_without_waiting(live):
    token = live.admins[2]
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    stamp_token(live, token, stale)
    with live.app.app_context():
        holder = db.engine.connect()
    # A request that waited would wait for SQLite's busy_timeout (5 s) or, on PostgreSQL,
    # for the holder: let go after 3 s, so that it fails, not hangs.
    release = threading.Timer(3, holder.rollback)
    try:
        # On PostgreSQL this locks the token's row, on SQLite the whole database.
        holder.begin()
        holder.execute(
            sa.update(ApiToken)
            .where(ApiToken.token_hash == hash_token(token))
            .values(name=ApiToken.name)
        )
        release.start()
        started = time.monotonic()
        assert live.race([_read(token)]) == [200]
        assert time.monotonic() - started < 2
    finally:
        release.cancel()
        release.join()
        holder.rollback()
        holder.close()
    assert abs(token_stamp(live, token) - stale) < dt.timedelta(seconds=1)
