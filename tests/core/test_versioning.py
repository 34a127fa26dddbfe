"""Versions behind the ETags: what bumps them, and a stale write that never wins.

The races themselves, with real concurrent transactions, are in tests/concurrency/.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.centres import services as centre_services
from app.models import Centre
from tests import factories as f


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


def test_the_etag_names_the_version(organiser, db_session):
    centre = f.CentreFactory()
    url = f"/api/v1/centres/{centre.id}"
    assert organiser.get(url).headers["ETag"] == f'"centres-{centre.id}-v1"'
    organiser.patch(url, json={"city": "Omsk"})
    assert organiser.get(url).headers["ETag"] == f'"centres-{centre.id}-v2"'


def test_changing_only_a_collection_moves_the_version(organiser, db_session):
    """Topics live in a link table; the centre's row alone would not change."""
    centre, topic = f.CentreFactory(), f.TopicFactory()
    url = f"/api/v1/centres/{centre.id}"
    etag = organiser.get(url).headers["ETag"]
    changed = organiser.patch(url, json={"topic_ids": [topic.id]}, headers={"If-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert organiser.patch(url, json={"city": "Ufa"}, headers={"If-Match": etag}).status_code == 412


def test_changing_a_collection_outside_the_representation_leaves_the_version(db_session):
    """A unit joining a centre changes the unit, not the parent's own fields."""
    parent = f.CentreFactory()
    db_session.flush()
    f.CentreFactory(parent=parent)
    db_session.flush()
    assert db_session.scalar(sa.select(Centre.version).where(Centre.id == parent.id)) == 1


@pytest.fixture
def moved_on_meanwhile(monkeypatch, db_session):
    """Another transaction writes the centre between this request's read and its write."""
    original = centre_services.update_centre

    def update_after_someone_else(centre, data):
        # On the connection, behind the ORM's back, as another client's commit would be.
        db_session.connection().execute(
            sa.update(Centre).where(Centre.id == centre.id).values(version=Centre.version + 1)
        )
        return original(centre, data)

    monkeypatch.setattr(centre_services, "update_centre", update_after_someone_else)


@pytest.mark.parametrize(
    ("if_match", "status"), [(False, 409), (True, 412)], ids=["unconditional", "if-match"]
)
def test_a_write_that_lost_a_race_is_refused(
    organiser, db_session, moved_on_meanwhile, if_match, status
):
    centre = f.CentreFactory(city="Omsk")
    url = f"/api/v1/centres/{centre.id}"
    headers = {"If-Match": organiser.get(url).headers["ETag"]} if if_match else {}
    response = organiser.patch(url, json={"city": "Tomsk"}, headers=headers)
    assert response.status_code == status
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
    db_session.expire_all()
    assert db_session.get(Centre, centre.id).city == "Omsk"


@pytest.mark.parametrize("cause", ["SerializationFailure", "DeadlockDetected"])
def test_a_transaction_postgresql_gave_up_is_a_409(organiser, db_session, monkeypatch, cause):
    """Under concurrency PostgreSQL may abort one of two transactions; nothing was written,
    so the caller gets a conflict to retry, not a 500 or a 503."""
    import psycopg.errors
    from sqlalchemy import exc

    def aborted(centre, data):
        raise exc.OperationalError("UPDATE centres …", {}, getattr(psycopg.errors, cause)())

    monkeypatch.setattr(centre_services, "update_centre", aborted)
    centre = f.CentreFactory()
    response = organiser.patch(f"/api/v1/centres/{centre.id}", json={"city": "Tomsk"})
    assert response.status_code == 409
    assert "Retry-After" not in response.headers


def test_if_match_is_compared_with_the_row_as_stored_not_as_read(
    organiser, db_session, monkeypatch
):
    """Another writer commits between this request's read and its If-Match check: the
    check re-reads the row (under a lock) and answers 412 with the newer ETag."""
    centre = f.CentreFactory()
    url = f"/api/v1/centres/{centre.id}"
    etag = organiser.get(url).headers["ETag"]
    original = centre_services.get_centre

    def read_then_someone_writes(centre_id):
        found = original(centre_id)
        db_session.connection().execute(
            sa.update(Centre).where(Centre.id == centre_id).values(version=Centre.version + 1)
        )
        return found

    monkeypatch.setattr(centre_services, "get_centre", read_then_someone_writes)
    response = organiser.patch(url, json={"city": "Atyrau"}, headers={"If-Match": etag})
    assert response.status_code == 412
    assert response.headers["ETag"] == f'"centres-{centre.id}-v2"'


def test_the_same_room_windows_again_leave_the_version(organiser, db_session):
    room = f.RoomFactory()
    url = f"/api/v1/rooms/{room.id}"
    windows = {"windows": [{"start": "2027-09-14T09:00", "end": "2027-09-14T13:00"}]}
    first = organiser.patch(url, json=windows)
    assert first.status_code == 200, first.get_json()
    again = organiser.patch(url, json=windows, headers={"If-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] == first.headers["ETag"]
    other = {"windows": [{"start": "2027-09-14T10:00", "end": "2027-09-14T13:00"}]}
    assert organiser.patch(url, json=other).headers["ETag"] != first.headers["ETag"]
