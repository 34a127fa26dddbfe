"""On PostgreSQL a reading request runs its SELECTs without BEGIN and COMMIT, and takes a
transaction from its first statement that writes or locks (app.core.db)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus
from sqlalchemy import event

from app.core.db import READING
from app.extensions import db
from tests.concurrency.conftest import stamp_token, token_stamp


@pytest.fixture(autouse=True)
def _postgresql_only(dialect):
    if dialect != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's transactions cost no round trip")


@contextlib.contextmanager
def statements(live):
    """(statement's first word, whether the server held a transaction open after it)."""
    seen: list[tuple[str, bool]] = []

    def after(conn, _cursor, statement, *_args):
        status = conn.connection.driver_connection.info.transaction_status
        seen.append((statement.split()[0].upper(), status != TransactionStatus.IDLE))

    with live.app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "after_cursor_execute", after)


def _get(live, path: str, token: str):
    client = live.app.test_client()
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_a_read_holds_no_transaction(live):
    token = live.admins[2]
    stamp_token(live, token, dt.datetime.now(dt.UTC))  # no stamp due: a pure read
    with statements(live) as seen:
        response = _get(live, "/api/v1/experts?country=KZ&page_size=5", token)
    assert response.status_code == 200 and response.get_json()
    assert seen and all(word == "SELECT" and not open_ for word, open_ in seen), seen


def test_a_read_that_writes_commits_in_one_transaction(live):
    """The token's stamp is a savepoint and an UPDATE: the transaction opens there, and the
    request edge commits it."""
    token = live.admins[3]
    stamp_token(live, token, None)
    with statements(live) as seen:
        response = _get(live, "/api/v1/auth/me", token)
    assert response.status_code == 200
    words = [word for word, _ in seen]
    first_write = words.index("SAVEPOINT")
    assert not any(open_ for _, open_ in seen[:first_write]), seen
    assert all(open_ for _, open_ in seen[first_write:]), seen
    assert "UPDATE" in words[first_write:]
    assert token_stamp(live, token)


def test_a_streamed_export_reads_in_a_transaction(live):
    """A server-side cursor needs one."""
    with statements(live) as seen:
        response = _get(live, "/api/v1/experts?format=csv", live.organiser)
        body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert body.count("\n") > 5
    assert any(open_ for word, open_ in seen if word == "SELECT"), seen


def test_connections_go_back_to_the_pool_as_they_came(live):
    _get(live, "/api/v1/experts?page_size=1", live.organiser)
    with live.app.app_context():
        connection = db.session.connection()
        try:
            assert connection.connection.driver_connection.autocommit is False
            assert connection.info.get(READING) is None
        finally:
            db.session.remove()
    with live.app.test_request_context("/api/v1/experts"):  # a reading request that fails
        with pytest.raises(sa.exc.ProgrammingError):
            db.session.execute(sa.text("SELECT * FROM no_such_table"))
        db.session.rollback()
        assert db.session.connection().connection.driver_connection.autocommit is True
        db.session.remove()
    with live.app.app_context():
        assert db.session.connection().connection.driver_connection.autocommit is False
        db.session.remove()


def test_a_lost_connection_rolls_back_and_the_next_read_works(live):
    """A connection lost in a reading request (a restart, a dropped network): its
    rollback reaches the handlers and teardown, and the pool's next one reads as new."""
    with live.app.test_request_context("/api/v1/experts"):
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1
        db.session.connection().invalidate()
        db.session.rollback()
        assert db.session.execute(sa.text("SELECT 2")).scalar() == 2
        assert db.session.connection().connection.driver_connection.autocommit is True
        db.session.remove()
    with live.app.app_context():
        assert db.session.connection().connection.driver_connection.autocommit is False
        db.session.remove()


def test_a_connection_given_its_own_isolation_keeps_it(live):
    with live.app.test_request_context("/api/v1/experts"):
        options = {"isolation_level": "REPEATABLE READ"}
        connection = db.session.connection(execution_options=options)
        connection.execute(sa.text("SELECT 1"))
        assert connection.connection.driver_connection.autocommit is False
        status = connection.connection.driver_connection.info.transaction_status
        assert status == TransactionStatus.INTRANS
        db.session.remove()
