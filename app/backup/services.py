"""Exporting everything the service holds to an archive, and importing it into an empty
database of the same schema revision, on SQLite or PostgreSQL.

The services flush and never commit: the command that calls them commits once, so an
import that fails anywhere writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import orm

from app.backup import archive
from app.backup.codecs import row_codec
from app.backup.errors import CorruptArchive, Refused
from app.backup.loading import Loader
from app.backup.tables import DERIVED, EXCLUDED, archived, derived_names, in_order
from app.core.cache import mark_directory_changed
from app.core.models import Base, utcnow


@dataclass
class Summary:
    """Rows per archived table, and rows per rebuilt table after an import."""

    rows: dict[str, int]
    rebuilt: dict[str, int] = field(default_factory=dict)


def schema_head() -> str:
    """The migrations' head revision: the schema this code expects."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def database_revision(conn: sa.Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _check_schema(conn: sa.Connection, head: str) -> None:
    found = database_revision(conn)
    if found != head:
        raise Refused(
            f"the database is at schema revision {found or 'none'}, this code at {head}: "
            "run `flask db upgrade` first"
        )


# -- export ---------------------------------------------------------------------------------


def _snapshot(session: orm.Session) -> sa.Connection:
    """The session's connection, reading one consistent state of every table.

    A SQLite read transaction sees one snapshot from its first read (WAL); PostgreSQL's
    default READ COMMITTED would see each table as of its own SELECT.
    """
    if session.get_bind().dialect.name == "postgresql":
        return session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return session.connection()


def _encoded_rows(conn: sa.Connection, table: sa.Table) -> Iterator[list]:
    encode, _ = row_codec(table)
    order = list(table.primary_key.columns) or list(table.columns)
    stmt = sa.select(table).order_by(*order).execution_options(yield_per=2_000)
    for row in conn.execute(stmt):
        yield encode(row)


def _manifest(conn: sa.Connection, revision: str, tables: list[sa.Table], counts: dict) -> dict:
    return {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "schema_revision": revision,
        "created_at": utcnow().isoformat(),
        "source_database": conn.dialect.name,
        "tables": {
            t.name: {"columns": [c.name for c in t.columns], "rows": counts[t.name]} for t in tables
        },
        "derived": sorted(derived_names()),
        "excluded": sorted(EXCLUDED),
    }


def export_data(session: orm.Session, path: Path, head: str) -> Summary:
    """Write every archived table to ``path`` (the file appears only when complete)."""
    conn = _snapshot(session)
    _check_schema(conn, head)
    tables = archived(Base.metadata)
    counts: dict[str, int] = {}
    with archive.writing(path) as writer:
        for table in tables:
            counts[table.name] = writer.table(table.name, _encoded_rows(conn, table))
        writer.manifest(_manifest(conn, head, tables, counts))
    return Summary(counts)


# -- import ---------------------------------------------------------------------------------


def _check_archive(manifest: dict[str, Any], tables: list[sa.Table], head: str) -> None:
    """Refuse an archive of another schema revision, or with other tables or columns."""
    revision = manifest.get("schema_revision")
    if revision != head:
        raise Refused(
            f"the archive was made at schema revision {revision}, this code is at {head}: "
            "import it with the version of the service that made it, upgrade there, and "
            "export again"
        )
    held = manifest.get("tables")
    if not isinstance(held, dict):
        raise CorruptArchive("the manifest lists no tables")
    expected = {t.name for t in tables}
    if unknown := sorted(set(held) - expected):
        raise Refused(f"the archive holds tables this version does not know: {unknown}")
    if missing := sorted(expected - set(held)):
        raise CorruptArchive(f"the archive lacks tables: {missing}")
    for table in tables:
        if held[table.name].get("columns") != [c.name for c in table.columns]:
            raise CorruptArchive(f"table {table.name}: its columns differ from the schema's")


def _occupied(conn: sa.Connection) -> list[str]:
    return [
        t.name
        for t in in_order(Base.metadata)
        if conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()
    ]


def _make_room(conn: sa.Connection, replace: bool) -> None:
    """Refuse a database that holds anything, or (``replace``) empty it."""
    occupied = _occupied(conn)
    if occupied and not replace:
        named = ", ".join(occupied[:5]) + (", ..." if len(occupied) > 5 else "")
        raise Refused(
            f"the database is not empty ({len(occupied)} tables hold rows: {named}): import "
            "into an empty database, or pass --replace to delete everything it holds first"
        )
    if occupied:
        Loader(conn, in_order(Base.metadata)).empty()


def _load(loader: Loader, reader: archive.Reader, table: sa.Table) -> int:
    count = loader.load(table, reader.rows(table.name))
    listed = reader.manifest["tables"][table.name].get("rows")
    if count != listed:
        raise CorruptArchive(f"table {table.name}: {count} rows where the manifest lists {listed}")
    return count


def _rebuild(session: orm.Session) -> dict[str, int]:
    for derived in DERIVED:
        derived.rebuild(session)
    session.flush()
    conn = session.connection()
    counts = {}
    for name in sorted(derived_names()):
        table = Base.metadata.tables[name]
        counts[name] = conn.scalar(sa.select(sa.func.count()).select_from(table))
    return counts


def import_data(session: orm.Session, path: Path, head: str, *, replace: bool = False) -> Summary:
    """Load an archive into this database and rebuild the derived data.

    Refuses (:class:`Refused`) an archive of another format or schema revision, a damaged
    one, and a database that is not empty unless ``replace``.
    """
    tables = archived(Base.metadata)
    with archive.reading(path) as reader:
        _check_archive(reader.manifest, tables, head)
        conn = session.connection()
        _check_schema(conn, head)
        _make_room(conn, replace)
        loader = Loader(conn, tables)
        counts = {t.name: _load(loader, reader, t) for t in tables}
        loader.finish()
    rebuilt = _rebuild(session)
    mark_directory_changed(session)  # the ORM saw none of these writes
    loader.reset_sequences()  # last: PostgreSQL never rolls a sequence back
    return Summary(counts, rebuilt)
