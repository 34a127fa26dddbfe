"""Fixtures: the schema is built from the migrations once per run, the report's data is
loaded once, and every test runs in a transaction that is rolled back afterwards.

``TEST_DATABASE_URL`` picks the database (default: a SQLite file in ``instance/``);
CI runs the same suite on PostgreSQL.
"""

from __future__ import annotations

import os

os.environ.setdefault("FLASK_CONFIG", "testing")

from collections.abc import Iterator

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
