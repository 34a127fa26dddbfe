"""Fixtures: the schema is built from the migrations once per run, the report's data is
loaded once, and every test runs in a transaction that is rolled back afterwards.

``TEST_DATABASE_URL`` picks the database (default: a SQLite file in ``instance/``);
CI runs the same suite on PostgreSQL.
"""

from __future__ import annotations

import os

os.environ.setdefault("FLASK_CONFIG", "testing")

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import orm

from app import create_app
from app.extensions import db, limiter
from config import TestingConfig
from seeds.loader import load_report


def drop_everything(engine: sa.Engine) -> None:
    """Drop every table (and Alembic's version table) the database holds."""
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        meta.drop_all(bind=conn)


@contextmanager
def scratch_database(base_url: sa.URL, tmp_dir: Path, name: str) -> Iterator[str]:
    """A database beside the test database that a test may fill, commit to or wreck: a
    SQLite file in ``tmp_dir``, or a PostgreSQL schema dropped afterwards."""
    if base_url.get_backend_name() == "sqlite":
        yield base_url.set(database=str(tmp_dir / f"{name}.sqlite")).render_as_string(False)
        return
    schema = f"{name}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = base_url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@contextmanager
def scratch_app(url: str, **settings: Any) -> Iterator[Flask]:
    """An app on the scratch database ``url``, with ``settings`` over the testing ones."""
    config = type("ScratchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings})
    scratch = create_app(config)
    try:
        yield scratch
    finally:
        with scratch.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    app = create_app(TestingConfig)
    with app.app_context():
        drop_everything(db.engine)
        flask_migrate.upgrade()
        load_report()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[orm.scoped_session]:
    """A session on one connection whose outer transaction is always rolled back.

    ``join_transaction_mode="create_savepoint"`` turns the code's own commits and
    rollbacks into savepoint operations, so nothing a test does outlives it.
    """
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        original = db.session
        db.session = orm.scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app: Flask) -> Iterator[None]:
    """Rate-limit counters start at zero in every test (they live in memory or Redis)."""
    with app.app_context():
        limiter.reset()
    yield


@pytest.fixture(autouse=True)
def _fresh_report_cache(app: Flask) -> None:
    """Cached reports outlive a test's rolled-back data: each test starts a new generation."""
    from app.reports.cache import invalidate

    with app.app_context():
        invalidate()


@pytest.fixture
def client(app: Flask, db_session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db_session) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


# -- users and how they call the API -------------------------------------------

PASSWORD = "steppe-caravan-2030"
CSRF = "test-csrf-token"


class Caller:
    """Calls the API as one actor: anonymous, a cookie session, or a bearer token.

    A session (anonymous too) sends the CSRF token a page's form would carry, as a browser
    does once it has loaded the form; tests of the check itself send none."""

    def __init__(self, client: FlaskClient, *, user=None, token: str | None = None):
        self.client, self.user, self.token = client, user, token
        if token is None:
            with client.session_transaction() as sess:
                if user is not None:
                    sess["_user_id"] = user.session_token
                    sess["_fresh"] = True
                sess["_csrf"] = CSRF

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {"X-CSRF-Token": CSRF}

    def open(self, method: str, url: str, **kwargs):
        # What the test set up is committed (to its savepoint) before the request runs,
        # as it would be in real use; a request's rollback then cannot undo it.
        db.session.commit()
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        # Read the whole answer and close it, as a server does (a streamed export then
        # gives back its slot).
        kwargs.setdefault("buffered", True)
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.open("POST", url, **kwargs)

    def patch(self, url: str, **kwargs):
        return self.open("PATCH", url, **kwargs)

    def put(self, url: str, **kwargs):
        return self.open("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self.open("DELETE", url, **kwargs)


@pytest.fixture
def make_user(db_session):
    """A user with a real (cheap, in tests) password hash and, for experts, a profile."""
    from app.accounts.passwords import hash_password
    from tests import factories as f

    def make(role: str = "expert", *, email: str | None = None, profile: bool = True):
        user = f.UserFactory(
            role=role, password_hash=hash_password(PASSWORD), **({"email": email} if email else {})
        )
        if role == "expert" and profile:
            f.ExpertFactory(user=user, full_name=f"Profile of {user.email}")
        db_session.flush()
        return user

    return make


@pytest.fixture
def caller(app: Flask, db_session):
    """``caller(user)`` for a cookie session, ``caller(token=…)``, or ``caller()`` anonymous."""

    def make(user=None, *, token: str | None = None) -> Caller:
        return Caller(app.test_client(), user=user, token=token)

    return make


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask, db_session):
    """``with count_queries() as counter:`` counts the SQL statements run inside."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting
