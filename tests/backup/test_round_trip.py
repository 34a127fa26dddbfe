"""SQLite → the test database → SQLite through ``flask data export/import``: every table's
rows and every report's JSON are the same in all three databases."""

from __future__ import annotations

import zipfile

import pytest
import sqlalchemy as sa

from app.backup.tables import EXCLUDED, derived_names
from app.extensions import db
from app.models import Base, Topic
from tests.backup.conftest import archived_names, report_urls

HOPS = [1, 2]  # the middle database (the test database's kind), and SQLite again


def test_every_archived_table_holds_rows_in_the_source(trip):
    """A table added to the schema is archived by default; this fails until the round
    trip's data fills it, or it is listed as derived or excluded in app.backup.tables."""
    empty = [name for name in archived_names() if not trip.contents[0][name]]
    assert empty == []


def test_every_table_is_archived_or_derived(trip):
    assert set(archived_names()) | derived_names() | EXCLUDED == set(Base.metadata.tables)


@pytest.mark.parametrize("hop", HOPS)
@pytest.mark.parametrize("table", sorted(Base.metadata.tables))
def test_table_content_survives(trip, hop, table):
    assert len(trip.contents[hop][table]) == len(trip.contents[0][table])
    assert trip.contents[hop][table] == trip.contents[0][table]


@pytest.mark.parametrize(
    ("table", "column", "values"),
    [("authorships", "organisation", {True, False}), ("publications", "csl_type", {"chapter"})],
)
def test_what_an_import_reads_is_carried(trip, table, column, values):
    """The source holds these values, so the tables' comparison covers their columns."""
    index = Base.metadata.tables[table].columns.keys().index(column)
    for hop in [0, *HOPS]:
        assert {row[index] for row in trip.contents[hop][table]} - {None} == values


@pytest.mark.parametrize(
    ("table", "column", "values"),
    [
        ("authorships", "provenance", {"report", "public"}),
        ("authorships", "centre_provenance", {"report", "public", "editorial"}),
        ("affiliations", "provenance", {"report", "public", "editorial"}),
        ("affiliations", "assumed", {True, False}),
        ("centres", "topics_provenance", {"editorial"}),
        ("forums", "provenance", {"public", "placeholder"}),
    ],
)
def test_provenance_is_carried(trip, table, column, values):
    """The seeds give these kinds, so the tables' comparison covers the provenance columns."""
    index = Base.metadata.tables[table].columns.keys().index(column)
    for hop in [0, *HOPS]:
        held = {getattr(row[index], "value", row[index]) for row in trip.contents[hop][table]}
        assert values <= held


def test_derived_data_is_rebuilt(trip):
    for name in derived_names():
        assert trip.contents[0][name], f"the source has no {name}: the check proves nothing"


def test_values_keep_their_types(trip):
    """Datetimes come back aware in UTC with their microseconds, on every database."""
    sessions = Base.metadata.tables["sessions"]
    starts = sessions.columns.keys().index("starts_at")
    for hop in [0, *HOPS]:
        values = [r[starts] for r in trip.contents[hop]["sessions"] if r[starts] is not None]
        assert values and all(v.utcoffset().total_seconds() == 0 for v in values)
        assert any(v.microsecond == 123456 for v in values)


def test_the_middle_database_is_the_test_databases_kind(trip, dialect):
    with trip.apps[1].app_context():
        assert db.engine.dialect.name == dialect
    for hop in (0, 2):
        with trip.apps[hop].app_context():
            assert db.engine.dialect.name == "sqlite"


@pytest.mark.parametrize("hop", HOPS)
def test_every_report_answers_the_same(trip, hop):
    assert len(trip.reports[0]) == len(report_urls(trip.apps[0])) >= 8
    assert trip.reports[hop] == trip.reports[0]


def test_archives_hold_the_same_rows(trip):
    """The second archive, made from the middle database, is the first one line for line."""
    first, second = (zipfile.ZipFile(path) for path in trip.archives)
    with first, second:
        for name in archived_names():
            member = f"tables/{name}.jsonl"
            assert first.read(member) == second.read(member), name


@pytest.mark.parametrize("hop", HOPS)
def test_new_rows_continue_after_the_highest_id(trip, hop):
    """PostgreSQL's sequences are moved past the imported ids."""
    with trip.apps[hop].app_context():
        highest = db.session.scalar(sa.select(sa.func.max(Topic.id)))
        topic = Topic(slug="after-import", name_en="After", name_ru="После")
        db.session.add(topic)
        db.session.flush()
        assert topic.id == highest + 1
        db.session.rollback()
        db.session.remove()


def test_import_prints_a_summary(trip):
    imported = trip.outputs[1]
    assert "table" in imported and "rows" in imported
    assert "search_keys" in imported and "(rebuilt)" in imported
    for name in archived_names():
        assert name in imported
