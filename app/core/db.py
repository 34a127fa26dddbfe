"""Engine-level settings that SQLAlchemy leaves to the application."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from app.core.requests import reading_request, view_marked


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN
    # itself (see _sqlite_on_begin), as SQLAlchemy's SQLite documentation recommends.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


BUSY_TIMEOUT_MS = 5000


@contextlib.contextmanager
def skipped_if_locked() -> Iterator[None]:
    """A savepoint for a write that is rather skipped (bookkeeping) than waits for a lock
    or fails its request: the lock error it meets is swallowed, the savepoint undone.

    On SQLite it neither waits for the write lock (``busy_timeout`` 0 meanwhile) nor
    survives another writer's commit under its snapshot ("database is locked").
    PostgreSQL locks rows: skip them with ``SKIP LOCKED`` in the statement."""
    from sqlalchemy.exc import OperationalError

    from app.extensions import db

    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        with db.session.begin_nested():
            yield
    except OperationalError:
        pass
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


READS_FIRST_ATTR = "reads_first"


def reads_first(view):
    """Mark a writing view that reads and computes at length before it writes (a solve,
    an import), so that on SQLite it does not hold every other writer back meanwhile.

    It begins as a reader and takes the write lock when it first writes; should another
    writer have committed in between, that write fails with "database is locked" and the
    caller gets 503 with ``Retry-After``, rather than every writer waiting on it.
    """
    setattr(view, READS_FIRST_ATTR, True)
    return view


WRITER_FLAG = "begins_as_writer"


def begin_as_writer() -> None:
    """Mark the transactions of this app context, outside any request (a background job),
    as writers: on SQLite they take the write lock at BEGIN, as a writing request does."""
    g.setdefault(WRITER_FLAG, True)


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Within a job begun as a writer, read at length as a reader: on SQLite the
    transactions begun inside start with BEGIN, so neither other writers nor the job's own
    progress reports wait for the read. Enter with nothing unwritten: the transaction is
    ended on entry and on leaving (a write after a long read could lose to a commit in
    between), and the next begins as a writer again."""
    from app.extensions import db

    before = g.get(WRITER_FLAG)
    db.session.rollback()
    setattr(g, WRITER_FLAG, False)
    try:
        yield
    finally:
        db.session.rollback()
        setattr(g, WRITER_FLAG, before)


def _writing_request() -> bool:
    if has_app_context() and g.get(WRITER_FLAG):
        return True
    return has_request_context() and not reading_request() and not view_marked(READS_FIRST_ATTR)


def _sqlite_on_begin(conn: Connection) -> None:
    # A request that may write takes SQLite's write lock with its first statement, so
    # writers queue (busy_timeout) and each reads what the one before it committed. A
    # deferred transaction that read first would fail on its first write with "database
    # is locked" once another writer committed under its snapshot, or overwrite a row
    # its If-Match check saw in an older state.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")


# -- PostgreSQL: reading requests without BEGIN and COMMIT -----------------------------------
#
# psycopg opens a transaction with a BEGIN of its own before a connection's first
# statement, and the request edge ends it with a COMMIT: two round trips of four in a
# logged-in API read (~0.25 ms of CPU, the server's share included). Under PostgreSQL's
# READ COMMITTED each statement reads its own snapshot whether or not a transaction
# holds them, so a request that only reads gains nothing from one. A reading request
# (GET, HEAD, OPTIONS) therefore begins in autocommit; its first statement that could
# write or lock (anything but a plain SELECT: INSERT, UPDATE, a SAVEPOINT, SELECT ... FOR
# UPDATE, a server-side cursor) first turns autocommit off, so psycopg opens the
# transaction there and the request edge commits it, as in any other request.

READING = "reads_without_transaction"
# A SELECT that locks rows, or calls what only lasts as long as its transaction (an
# advisory lock, a local setting), needs the transaction: taken for a write too.
_NEEDS_TRANSACTION = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|\bpg_advisory|\bset_config\b",
    re.I,
)


def _reading_request() -> bool:
    return reading_request() and not g.get(WRITER_FLAG)


def _pg_on_begin(conn: Connection) -> None:
    # A connection given an isolation level of its own (a backup's snapshot) keeps it.
    if _reading_request() and "isolation_level" not in conn.get_execution_options():
        conn.connection.driver_connection.autocommit = True
        conn.info[READING] = True


def _plain_read(statement: str, context: Any) -> bool:
    """A statement that neither writes, nor locks, nor needs a transaction to run in."""
    return not (context is not None and context._is_server_side) and _plain_select(statement)


# SQLAlchemy's compiled cache hands back the same statement texts, so each is read once
# (the regex took ~18 µs for a page's SELECT, on every statement of a reading request).
@functools.lru_cache(maxsize=1024)
def _plain_select(statement: str) -> bool:
    return (
        statement.lstrip()[:6].upper() == "SELECT" and _NEEDS_TRANSACTION.search(statement) is None
    )


def _pg_before_execute(conn: Connection, _cursor, statement, _params, context, _many) -> None:
    if conn.info.get(READING) and not _plain_read(statement, context):
        conn.info[READING] = False  # the transaction begins with this statement
        conn.connection.driver_connection.autocommit = False


def _pg_on_end(conn: Connection) -> None:
    # Before the commit or rollback itself, which then has nothing to end on the server.
    # A connection lost meanwhile (invalidated) has none to reset: the pool opens another,
    # and reading its info would raise (the transaction is still to be rolled back).
    if conn.invalidated:
        return
    if conn.info.pop(READING, None):
        conn.connection.driver_connection.autocommit = False


def _pg_on_checkin(dbapi_connection: Any, record: Any) -> None:
    # A connection given back without a commit or rollback (invalidated, say) leaves the
    # pool as every other does.
    reading = record.info.pop(READING, None)
    if reading and dbapi_connection is not None and not dbapi_connection.closed:
        dbapi_connection.autocommit = False


def register_engine_events(app: Flask) -> None:
    """Foreign keys, WAL and working savepoints on every SQLite connection; reading
    requests without a transaction on PostgreSQL."""
    from app.extensions import db

    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
        elif engine.dialect.name == "postgresql":
            event.listen(engine, "begin", _pg_on_begin)
            event.listen(engine, "before_cursor_execute", _pg_before_execute)
            event.listen(engine, "commit", _pg_on_end)
            event.listen(engine, "rollback", _pg_on_end)
            event.listen(engine, "checkin", _pg_on_checkin)
