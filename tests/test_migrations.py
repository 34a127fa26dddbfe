"""The migrations build the schema the models describe, both ways, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask

from app.extensions import db
from app.models import Base
from tests.conftest import scratch_app, scratch_database


@pytest.fixture
def scratch(app: Flask, tmp_path) -> Iterator[Flask]:
    with app.app_context():
        base_url = db.engine.url
    with scratch_database(base_url, tmp_path, "roundtrip") as url, scratch_app(url) as app_on_it:
        yield app_on_it


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_downgrade_upgrade_round_trip(scratch):
    expected = set(Base.metadata.tables) | {"alembic_version"}
    with scratch.app_context():
        flask_migrate.upgrade()
        assert _tables(db.engine) == expected
        flask_migrate.downgrade(revision="base")
        assert _tables(db.engine) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert _tables(db.engine) == expected


def test_models_and_migrations_do_not_drift(app):
    """What ``flask db check`` runs: autogenerate must find nothing to add."""
    with app.app_context():
        flask_migrate.check()


def test_head_is_applied(app):
    with app.app_context():
        version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        config = app.extensions["migrate"].migrate.get_config()
    assert version == ScriptDirectory.from_config(config).get_current_head()
