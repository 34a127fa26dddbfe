"""A scratch database for app processes started under gunicorn: migrated, with the
report's data and the admin ``bench.hosts`` logs in as."""

from __future__ import annotations

from collections.abc import Iterator

import flask_migrate
import pytest

from app.accounts.models import Role
from app.accounts.services import create_user
from app.extensions import db
from bench.hosts import ADMIN_EMAIL, ADMIN_PASSWORD
from seeds.loader import load_report
from tests.conftest import scratch_app, scratch_database


def _prepare(url: str) -> None:
    with scratch_app(url) as scratch, scratch.app_context():
        flask_migrate.upgrade()
        load_report()
        create_user(ADMIN_EMAIL, ADMIN_PASSWORD, Role.ADMIN)
        db.session.commit()


@pytest.fixture(scope="module")
def scratch_url(app, tmp_path_factory) -> Iterator[str]:
    """A database beside the test database (a SQLite file, or a PostgreSQL schema) that
    the served processes share, dropped afterwards."""
    with app.app_context():
        base_url = db.engine.url
    with scratch_database(base_url, tmp_path_factory.mktemp("served"), "served") as url:
        _prepare(url)
        yield url
