"""Fixtures for the job tests: the counting kind, and a job of it owned by an expert."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.jobs import services
from tests.jobs import kinds


@pytest.fixture
def count_kind(app):
    kinds.install(app)
    yield kinds.COUNT
    kinds.uninstall(app)


@pytest.fixture
def submit(count_kind, make_user, db_session):
    """``submit(owner=None, **params)``: a committed, queued counting job (not yet run)."""

    def make(owner=None, **params):
        job = services.submit(count_kind, owner or make_user(), {"to": 3, **params})
        db.session.commit()
        return job

    return make
