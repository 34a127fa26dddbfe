"""Which tables an archive carries, the order rows go in, and the values' codecs."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pytest
import sqlalchemy as sa

from app.backup.codecs import UnknownType, codec_for, row_codec
from app.backup.loading import Loader
from app.backup.tables import EXCLUDED, archived, deferred_keys, derived_names
from app.core.models import UTCDateTime
from app.models import Base


def test_classified_tables_exist_and_never_overlap():
    assert derived_names() <= set(Base.metadata.tables)
    assert not derived_names() & EXCLUDED
    assert not {t.name for t in archived(Base.metadata)} & (derived_names() | EXCLUDED)


def test_a_new_table_is_archived_and_jobs_are_left_out():
    meta = sa.MetaData()
    for name in ("users", "jobs", "search_keys", "brand_new"):
        sa.Table(name, meta, sa.Column("id", sa.Integer, primary_key=True))
    assert {t.name for t in archived(meta)} == {"brand_new", "users"}


def test_parents_come_before_children():
    names = [t.name for t in archived(Base.metadata)]
    for table in archived(Base.metadata):
        for fk in table.foreign_keys:
            if fk.column.table is not table and fk.column.table.name in names:
                assert names.index(fk.column.table.name) < names.index(table.name)


def test_late_keys_are_nullable():
    """Keys filled in after the insert (a centre's parent) must accept NULL meanwhile."""
    late = deferred_keys(archived(Base.metadata))
    assert set(late) == {"centres", "topics"}
    for constraints in late.values():
        assert all(c.nullable for fkc in constraints for c in fkc.columns)


def test_every_column_has_a_codec():
    for table in archived(Base.metadata):
        for column in table.columns:
            codec_for(column)


VALUES = [
    (UTCDateTime(), dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC)),
    (sa.DateTime(), dt.datetime(2026, 3, 1, 12, 0)),
    (sa.Date(), dt.date(1999, 12, 31)),
    (sa.Time(), dt.time(7, 30, 0, 5)),
    (sa.Numeric(12, 4), decimal.Decimal("12345678.1000")),
    (sa.LargeBinary(), bytes(range(256))),
    (sa.Boolean(), False),
    (sa.Float(), 0.1 + 0.2),
    (sa.JSON(), {"a": [1, None, "ё"], "b": {"c": True}}),
    (sa.Text(), "Қазақстан\n\x00 и Россия"),
]


@pytest.mark.parametrize(("type_", "value"), VALUES, ids=[repr(t) for t, _ in VALUES])
def test_values_come_back_equal_and_of_their_type(type_, value):
    table = sa.Table("t", sa.MetaData(), sa.Column("v", type_))
    encode, decode = row_codec(table)
    back = decode(json.loads(json.dumps(encode([value]))))["v"]
    assert back == value and type(back) is type(value)
    assert getattr(back, "tzinfo", None) == getattr(value, "tzinfo", None)


def test_a_type_without_a_codec_is_refused():
    table = sa.Table("t", sa.MetaData(), sa.Column("v", sa.PickleType()))
    with pytest.raises(UnknownType, match=r"t\.v"):
        row_codec(table)


def _cycle() -> tuple[sa.MetaData, sa.Engine]:
    """Two tables that point at each other, one also at itself, with an updated_at that
    Core would overwrite on any UPDATE."""
    meta = sa.MetaData()
    a = sa.Table(
        "a",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("b_id", sa.ForeignKey("b.id")),
        sa.Column("updated_at", sa.Integer, onupdate=lambda: -1),
    )
    sa.Table(
        "b",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a_id", sa.ForeignKey("a.id")),
        sa.Column("parent_id", sa.ForeignKey("b.id")),
    )
    engine = sa.create_engine("sqlite://")
    sa.event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA foreign_keys=ON"))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id), updated_at INT)"
        )
        conn.exec_driver_sql(
            "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id), "
            "parent_id INTEGER REFERENCES b(id))"
        )
    assert a is meta.tables["a"]
    return meta, engine


def test_rows_in_a_cycle_load_with_their_keys():
    meta, engine = _cycle()
    tables = [
        t for t, _ in sa.schema.sort_tables_and_constraints(meta.tables.values()) if t is not None
    ]
    rows = {"a": [[1, 2, 7], [2, None, 8]], "b": [[1, 2, 2], [2, 1, None]]}
    with engine.begin() as conn:
        loader = Loader(conn, tables)
        for table in tables:
            loader.load(table, rows[table.name])
        loader.finish()
        for table in tables:
            got = conn.execute(sa.select(table).order_by(table.c.id)).all()
            assert [list(r) for r in got] == rows[table.name]
        loader.empty()
        assert not any(conn.execute(sa.select(t)).first() for t in tables)
