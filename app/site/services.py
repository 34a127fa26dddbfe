"""Search across the directory for the pages, through each feature's own list query."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.centres import services as centres
from app.core.pagination import page_total
from app.experts import services as experts
from app.extensions import db
from app.publications import services as publications

# How many of each kind the search page shows (the API's lists give them all).
PER_KIND = 5


@dataclass
class Found:
    """One kind's best matches, and how many matched in all."""

    items: list[Any] = field(default_factory=list)
    total: int = 0


def _found(stmt: sa.Select, limit: int) -> Found:
    """The first ``limit`` rows of a list's select, as rows of its table's columns: the page
    shows names and titles only, so the list's eager loads (topics, affiliations, authors)
    would be read for nothing."""
    table = stmt.column_descriptions[0]["entity"].__table__
    items = list(db.session.execute(stmt.with_only_columns(*table.c).limit(limit)))
    return Found(items, page_total(0, limit, len(items), stmt))


def search_directory(q: str, viewer: User | None = None, limit: int = PER_KIND) -> dict[str, Found]:
    """Experts, centres and publications matching ``q`` in any script that ``viewer`` may
    see, best first; the same filters and ranking as ``GET /api/v1/<kind>?q=``."""
    filters = {"q": q}
    return {
        "experts": _found(experts.list_query(filters, viewer), limit),
        "centres": _found(centres.list_query(filters), limit),
        "publications": _found(publications.list_query(filters), limit),
    }
