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


def test_provenance_keeps_rows_that_point_at_rebuilt_tables(scratch):
    """The provenance revision rebuilds experts and centres on SQLite (batch mode): the
    authorships pointing at them keep their expert and centre, and a tie stays entered."""
    rows = {
        "countries": "INSERT INTO countries (code, name_en, name_ru, name_kk) "
        "VALUES ('KZ', 'K', 'К', 'Қ')",
        "centres": "INSERT INTO centres (id, name_en, country_code, kind, visibility, "
        "studies_neighbour, alt_names) VALUES (7, 'C', 'KZ', 'state', 'public', false, '[]')",
        "experts": "INSERT INTO experts (id, full_name, country_code, other_names, languages) "
        "VALUES (5, 'E', 'KZ', '[]', '[]')",
        "publications": "INSERT INTO publications (id, title, kind, year, visibility) "
        "VALUES (3, 'P', 'article', 2018, 'public')",
        "authorships": "INSERT INTO authorships (publication_id, position, expert_id, centre_id) "
        "VALUES (3, 1, 5, 7)",
        "affiliations": "INSERT INTO affiliations (expert_id, centre_id) VALUES (5, 7)",
    }
    with scratch.app_context():
        flask_migrate.upgrade(revision="5b7d2c9e4f13")
        with db.engine.begin() as conn:
            for statement in rows.values():
                conn.execute(sa.text(statement))
        flask_migrate.upgrade(revision="8e3f1a6c2d57")
        with db.engine.connect() as conn:
            author = conn.execute(
                sa.text("SELECT expert_id, centre_id, provenance FROM authorships")
            ).one()
            affiliation = conn.execute(
                sa.text("SELECT assumed, provenance FROM affiliations")
            ).one()
        assert tuple(author) == (5, 7, "entered")
        assert (bool(affiliation[0]), affiliation[1]) == (True, "entered")  # read as before
        flask_migrate.downgrade(revision="5b7d2c9e4f13")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT expert_id, centre_id FROM authorships")).one() == (
                5,
                7,
            )
