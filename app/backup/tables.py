"""Which tables an archive carries, which are rebuilt, which are left out, and in what order.

Every table of the metadata is carried unless it is named here: a new table is archived
by default, and a test fails until the round trip's data fills it (or it is listed below).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.reports import ledger
from app.reports.models import CentreTie, ExpertTie
from app.search.models import SearchKey
from app.search.services import reindex


@dataclass(frozen=True)
class Derived:
    """Tables that ``rebuild`` fills from the archived records."""

    tables: tuple[str, ...]
    rebuild: Callable[[orm.Session], Any]


DERIVED = (
    Derived((SearchKey.__tablename__,), reindex),
    Derived((CentreTie.__tablename__, ExpertTie.__tablename__), ledger.rebuild),
)
# Transient state that belongs to the deployment, not its data; listed by name, so a
# table that another branch adds is left out from the day it arrives.
EXCLUDED = frozenset({"jobs", "job_files"})


def derived_names() -> frozenset[str]:
    return frozenset(name for d in DERIVED for name in d.tables)


def in_order(metadata: sa.MetaData) -> list[sa.Table]:
    """Every table, parents before children; the keys that close a cycle (none today) are
    left to :func:`deferred_keys`, where ``sorted_tables`` would only warn."""
    return [
        t
        for t, _ in sa.schema.sort_tables_and_constraints(metadata.tables.values())
        if t is not None
    ]


def archived(metadata: sa.MetaData) -> list[sa.Table]:
    """The tables an archive carries, parents before children."""
    skip = derived_names() | EXCLUDED
    return [t for t in in_order(metadata) if t.name not in skip]


def deferred_keys(tables: list[sa.Table]) -> dict[str, list[sa.ForeignKeyConstraint]]:
    """Foreign keys whose rows may not yet exist when a row is inserted: a table's keys to
    itself (a centre's parent) and keys that close a cycle. They are filled in after every
    insert, so their columns must be nullable."""
    out: dict[str, list[sa.ForeignKeyConstraint]] = {}
    for table, fkcs in sa.schema.sort_tables_and_constraints(tables):
        late = fkcs if table is None else [f for f in fkcs if f.referred_table is table]
        for fkc in late:
            out.setdefault(fkc.table.name, []).append(fkc)
    return out
