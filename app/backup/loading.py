"""Inserting archived rows with their own ids, parents before children, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import sqlalchemy as sa

from app.backup.codecs import row_codec
from app.backup.errors import CorruptArchive
from app.backup.tables import deferred_keys

BATCH = 1_000
# Errors that mean the rows break the schema's rules (a key to nothing, a value too long);
# Core's own (an unknown enum value) are StatementErrors that are no DBAPIError.
_REJECTED = (sa.exc.IntegrityError, sa.exc.DataError)


def _batches(rows: Iterable[list]) -> Iterator[list[list]]:
    it = iter(rows)
    while batch := list(islice(it, BATCH)):
        yield batch


class Loader:
    """Loads tables in the given (dependency) order on one connection.

    A row's keys to its own table (or closing a cycle) are inserted empty and filled in
    by :meth:`finish`, once every row they may point to exists.
    """

    def __init__(self, conn: sa.Connection, tables: list[sa.Table]) -> None:
        self.conn = conn
        self.tables = tables
        self.late = deferred_keys(tables)
        self.pending: dict[str, list[dict]] = {}

    def _late_columns(self, table: sa.Table) -> list[str]:
        return [c.name for fkc in self.late.get(table.name, []) for c in fkc.columns]

    def _filled_later(self, table: sa.Table) -> list[str]:
        """The late keys, and the onupdate columns (updated_at), which Core would otherwise
        set to now on the UPDATE that fills the keys in: they keep their archived values."""
        late = self._late_columns(table)
        return [
            *late,
            *(c.name for c in table.columns if c.onupdate is not None and c.name not in late),
        ]

    def load(self, table: sa.Table, rows: Iterable[list]) -> int:
        """Insert one table's archived rows; returns how many."""
        _, decode = row_codec(table)
        late = self._late_columns(table)
        count = 0
        for batch in _batches(rows):
            params = [self._decode(table, decode, row, count + n) for n, row in enumerate(batch)]
            if late:
                params = [self._hold_back(table, p, late) for p in params]
            self._insert(table, params)
            count += len(params)
        return count

    @staticmethod
    def _decode(table: sa.Table, decode, row: list, n: int) -> dict:
        try:
            return decode(row)
        except (ValueError, TypeError) as exc:
            raise CorruptArchive(f"table {table.name}, row {n + 1}: {exc}") from exc

    def _hold_back(self, table: sa.Table, params: dict, late: list[str]) -> dict:
        """Insert the row with its late keys empty, and note them for :meth:`finish`."""
        if any(params[name] is not None for name in late):
            keys = {f"key_{c.name}": params[c.name] for c in table.primary_key.columns}
            new = {f"new_{name}": params[name] for name in self._filled_later(table)}
            self.pending.setdefault(table.name, []).append(keys | new)
        return params | dict.fromkeys(late)

    def _insert(self, table: sa.Table, params: list[dict]) -> None:
        self._execute(table, table.insert(), params)

    def _execute(self, table: sa.Table, stmt: sa.Executable, params: list[dict]) -> None:
        """Run ``stmt``; rows the schema rejects are the archive's fault, named as such."""
        try:
            self.conn.execute(stmt, params)
        except sa.exc.StatementError as exc:
            if isinstance(exc, sa.exc.DBAPIError) and not isinstance(exc, _REJECTED):
                raise  # the database failed (a lost connection), not the rows
            reason = exc.orig if exc.orig is not None else exc
            raise CorruptArchive(f"table {table.name}: rows break the schema ({reason})") from exc

    def finish(self) -> None:
        """Fill in the keys held back by :meth:`load`."""
        for table in self.tables:
            params = self.pending.pop(table.name, [])
            if params:
                stmt = (
                    sa.update(table)
                    .where(*(c == sa.bindparam(f"key_{c.name}") for c in table.primary_key))
                    .values({n: sa.bindparam(f"new_{n}") for n in self._filled_later(table)})
                )
                self._execute(table, stmt, params)

    def empty(self) -> None:
        """Delete every row of the tables, children first (late keys cleared first)."""
        for table in self.tables:
            late = self._late_columns(table)
            if late:
                self.conn.execute(sa.update(table).values(dict.fromkeys(late)))
        for table in reversed(self.tables):
            self.conn.execute(table.delete())

    def reset_sequences(self) -> None:
        """PostgreSQL: each table's id sequence continues after its highest id."""
        if self.conn.dialect.name != "postgresql":
            return  # SQLite's rowids follow the highest id by themselves
        quote = self.conn.dialect.identifier_preparer
        for table in self.tables:
            column = table.autoincrement_column
            if column is None:
                continue
            name, col = quote.format_table(table), quote.quote(column.name)
            self.conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"coalesce(max({col}), 0) + 1, false) FROM {name}"
                ),
                {"table": name, "column": column.name},
            )
