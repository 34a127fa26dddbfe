"""A live database for tests that need real commits and real concurrent transactions.

The rest of the suite runs each test in one rolled-back transaction on one connection,
where two requests can never race. These tests get a scratch database of their own (a
SQLite file, or a PostgreSQL schema beside the test database), built from the migrations
and seeded with the report, and call the app from several threads at once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.accounts.auth import hash_token
from app.accounts.models import TokenScope
from app.accounts.services import create_token
from app.extensions import db
from app.models import ApiToken
from config import TestingConfig
from seeds.loader import load_report
from tests import factories as f
from tests.conftest import scratch_database

WRITERS = 10


@dataclass
class Live:
    """The live app, and bearer tokens for an organiser and for admins."""

    app: Flask
    organiser: str
    admins: list[str]

    def commit(self, make: Callable[[], object]) -> object:
        """Make objects with the factories and commit them; returns what ``make`` returns."""
        with self.app.app_context():
            made = make()
            db.session.commit()
            ids = _ids(made)
        return ids

    def race(self, calls: list[Callable]) -> list:
        """Run every call at once (as far as threads allow); their answers, in order."""
        start = threading.Barrier(len(calls))

        def run(call):
            client = self.app.test_client()
            start.wait()
            return call(client)

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(run, calls))

    def scalar(self, stmt):
        with self.app.app_context():
            try:
                return db.session.scalar(stmt)
            finally:
                db.session.remove()


def stamp_token(live: Live, token: str, value: dt.datetime | None) -> None:
    """Set the "last used" stamp of the token ``token`` (a secret), committed."""
    with live.app.app_context():
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.token_hash == hash_token(token))
            .values(last_used_at=value)
        )
        db.session.commit()
        db.session.remove()


def token_stamp(live: Live, token: str) -> dt.datetime | None:
    """The "last used" stamp of the token ``token`` (a secret), as committed."""
    return live.scalar(
        sa.select(ApiToken.last_used_at).where(ApiToken.token_hash == hash_token(token))
    )


def _ids(made):
    if isinstance(made, dict):
        return {k: _ids(v) for k, v in made.items()}
    return getattr(made, "id", made)


def _token(user) -> str:
    _, secret = create_token(user, "live", [TokenScope.READ, TokenScope.WRITE], 1)
    return secret


@pytest.fixture(scope="module")
def live(app: Flask, tmp_path_factory) -> Iterator[Live]:
    with app.app_context():
        base_url = db.engine.url
    with scratch_database(base_url, tmp_path_factory.mktemp("live"), "live") as url:

        class LiveConfig(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url
            SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": WRITERS + 2}

        live_app = create_app(LiveConfig)
        try:
            yield _prepare(live_app)
        finally:
            with live_app.app_context():
                db.session.remove()
                db.engine.dispose()


def _prepare(live_app: Flask) -> Live:
    """Schema, the report's data, an organiser and ``WRITERS`` admins with tokens."""
    with live_app.app_context():
        flask_migrate.upgrade()
        load_report()
        organiser = f.UserFactory(role="organiser")
        admins = [f.UserFactory(role="admin") for _ in range(WRITERS)]
        tokens = [_token(organiser), *(_token(a) for a in admins)]
        db.session.commit()
        db.session.remove()
    return Live(live_app, tokens[0], tokens[1:])
