"""On SQLite a writing request takes the write lock with its first statement; reads, and
the writes that read at length first (``app.core.db.reads_first``), begin as readers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests import factories as f

BIB = "@article{a, title={T}, author={Smith, John}, year={2020}, journal={J}}"


@pytest.fixture
def begins(live):
    """The BEGIN statements the live app's connections send, in order."""
    with live.app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL locks rows, not the database")
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", note)


def _auth(live):
    return {"Authorization": f"Bearer {live.organiser}"}


def test_a_write_takes_the_lock_first_and_a_read_does_not(live, begins):
    centre_id = live.commit(f.CentreFactory)
    client = live.app.test_client()
    begins.clear()
    client.patch(f"/api/v1/centres/{centre_id}", json={"city": "Aktau"}, headers=_auth(live))
    assert begins == ["BEGIN IMMEDIATE"]
    begins.clear()
    client.get(f"/api/v1/centres/{centre_id}", headers=_auth(live))
    assert begins == ["BEGIN"]


def test_an_import_begins_as_a_reader(live, begins):
    begins.clear()
    response = live.app.test_client().post(
        "/api/v1/publications/import?format=bibtex&dry_run=true",
        data=BIB,
        headers={**_auth(live), "Content-Type": "application/x-bibtex"},
    )
    assert response.status_code == 200, response.get_json()
    assert begins == ["BEGIN"]
