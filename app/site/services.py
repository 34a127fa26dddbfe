"""Search across the directory for the pages, through each feature's own list query."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.centres import services as centres
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
    counted = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(counted)
    if not total:
        return Found()
    return Found(list(db.session.scalars(stmt.limit(limit))), total)


def search_directory(q: str, viewer: User | None = None, limit: int = PER_KIND) -> dict[str, Found]:
    """Experts, centres and publications matching ``q`` in any script that ``viewer`` may
    see, best first; the same filters and ranking as ``GET /api/v1/<kind>?q=``."""
    filters = {"q": q}
    return {
        "experts": _found(experts.list_query(filters, viewer), limit),
        "centres": _found(centres.list_query(filters), limit),
        "publications": _found(publications.list_query(filters), limit),
    }
