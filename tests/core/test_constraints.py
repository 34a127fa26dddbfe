"""The database itself refuses rows that break the model's invariants."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from app.extensions import db
from app.models import Country
from tests import factories as f

UTC = dt.UTC


def _session_times(hours: int):
    start = dt.datetime(2027, 9, 14, 9, tzinfo=UTC)
    return {"starts_at": start, "ends_at": start + dt.timedelta(hours=hours)}


BROKEN = [
    ("session ends before it starts", lambda: f.SessionFactory(**_session_times(-1))),
    ("session ends when it starts", lambda: f.SessionFactory(**_session_times(0))),
    (
        "session start without end",
        lambda: f.SessionFactory(starts_at=dt.datetime(2027, 9, 14, 9, tzinfo=UTC)),
    ),
    ("session with zero duration", lambda: f.SessionFactory(duration_minutes=0)),
    (
        "forum ends before it starts",
        lambda: f.ForumFactory(start_date=dt.date(2027, 9, 14), end_date=dt.date(2027, 9, 13)),
    ),
    ("forum year implausible", lambda: f.ForumFactory(year=1066)),
    ("room without seats", lambda: f.RoomFactory(capacity=0)),
    ("expert born in 1850", lambda: f.ExpertFactory(birth_year=1850)),
    ("expert born in 2024", lambda: f.ExpertFactory(birth_year=2024)),
    ("ORCID with letters", lambda: f.ExpertFactory(orcid="0000-000A-0000-0000")),
    ("ORCID too short", lambda: f.ExpertFactory(orcid="0000-0002-1825-009")),
    ("DOI without prefix", lambda: f.PublicationFactory(doi="doi.org/10.1000/xyz")),
    ("DOI with spaces", lambda: f.PublicationFactory(doi="10.1000/has space")),
    ("publication year implausible", lambda: f.PublicationFactory(year=1812)),
    ("publication with empty title", lambda: f.PublicationFactory(title="")),
    ("centre founded in the future", lambda: f.CentreFactory(founded_year=2500)),
    ("unknown country", lambda: f.CentreFactory(country_code="ZZ")),
    (
        "lower-case country code",
        lambda: db.session.add(Country(code="xx", name_en="X", name_ru="X", name_kk="X")),
    ),
    (
        "affiliation ends before it starts",
        lambda: f.AffiliationFactory(start_date=dt.date(2020, 1, 1), end_date=dt.date(2019, 1, 1)),
    ),
    (
        "authorship with neither expert nor name",
        lambda: f.AuthorshipFactory(expert=None, raw_name=None),
    ),
    ("authorship at position zero", lambda: f.AuthorshipFactory(position=0)),
    (
        "project ends before it starts",
        lambda: f.ProjectFactory(start_date=dt.date(2020, 1, 1), end_date=dt.date(2019, 1, 1)),
    ),
    ("alternating series with one country", lambda: f.ForumSeriesFactory(country_b=None)),
    ("email in capitals", lambda: f.UserFactory(email="Someone@Example.org")),
]


@pytest.mark.parametrize("build", [b for _, b in BROKEN], ids=[name for name, _ in BROKEN])
def test_database_refuses(db_session, build):
    with pytest.raises((IntegrityError, StatementError)):
        build()
        db_session.flush()


def test_one_participation_per_expert_and_session(db_session):
    first = f.ParticipationFactory()
    with pytest.raises(IntegrityError):
        f.ParticipationFactory(session=first.session, expert=first.expert)


def test_authorship_positions_are_unique_per_publication(db_session):
    first = f.AuthorshipFactory()
    with pytest.raises(IntegrityError):
        f.AuthorshipFactory(publication=first.publication, position=1)


def test_valid_identifiers_are_accepted(db_session):
    expert = f.ExpertFactory(orcid="0000-0002-1825-0097")
    publication = f.PublicationFactory(doi="10.1000/xyz-123(4)")
    db_session.flush()
    assert expert.id and publication.id


def test_datetimes_come_back_in_utc(db_session):
    almaty = dt.timezone(dt.timedelta(hours=5))
    start = dt.datetime(2027, 9, 14, 14, 0, tzinfo=almaty)
    session = f.SessionFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    db_session.flush()
    db_session.expire_all()
    stored = db_session.get(type(session), session.id)
    assert stored.starts_at == start
    assert stored.starts_at.tzinfo == dt.UTC
    assert stored.starts_at.hour == 9


def test_foreign_keys_are_enforced(db_session):
    with pytest.raises(IntegrityError):
        db_session.execute(
            sa.text("INSERT INTO rooms (forum_id, name, capacity) VALUES (999999, 'x', 10)")
        )
