"""The coverage and gap reports, assembled from the ledger's aggregates.

Each report is a plain dict: a ``summary`` and the rows of its main table, which the
routes answer as JSON, CSV or XLSX. The caller caches them (``app.reports.cache``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.core import provenance
from app.core.errors import DomainError
from app.core.provenance import Provenance
from app.extensions import db
from app.reference.models import Topic
from app.reports import ledger, queries
from app.reports.models import CentreTie
from app.reports.queries import Window

DORMANT_SINCE = dt.date(2020, 3, 1)  # the pandemic closed the borders in March 2020


def window(args: dict[str, Any]) -> Window:
    """The filters of a report; an unknown topic is refused rather than reported as no work."""
    topic_id = args.get("topic")
    if topic_id is not None and db.session.get(Topic, topic_id) is None:
        raise DomainError("Unknown topic.", {"query": {"topic": [f"No topic {topic_id}."]}})
    return Window(
        since=args.get("since"),
        until=args.get("until"),
        topic_id=args.get("topic"),
        kind=args.get("kind"),
        today=dt.date.today(),
        provenance=args.get("provenance") or "all",
    )


def describe(w: Window) -> dict[str, Any]:
    return {
        "since": w.since,
        "until": w.end,
        "topic": w.topic_id,
        "kind": w.kind.value if w.kind else None,
        "provenance": w.provenance,
    }


def with_provenance(report: dict[str, Any], w: Window) -> dict[str, Any]:
    """The report with how many of the ledger's ties in its window rest on each kind of
    fact (each tie counted by its weakest), ``editorial`` among them; one statement."""
    counts = dict.fromkeys((kind.value for kind in provenance.ORDER), 0)
    rows = db.session.execute(
        sa.select(CentreTie.provenance, sa.func.count())
        .where(queries.held(w))
        .group_by(CentreTie.provenance)
    )
    for kind, n in rows:
        counts[Provenance(kind).value] = n
    report["provenance"] = {
        "filter": w.provenance,
        "ties": counts,
        "editorial": counts[Provenance.EDITORIAL.value],
    }
    return report


def centre_rows(w: Window) -> dict[int, dict[str, Any]]:
    """Every Russian and Kazakh centre with its size (experts affiliated at the window's
    end), in one statement."""
    return {row.id: row._asdict() for row in db.session.execute(queries.centre_sizes(w.end))}


def centre_label(centre: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name_en", "name_ru", "acronym", "country_code")
    return {key: centre[key] for key in keys}


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def coverage(w: Window, limit: int | None) -> dict[str, Any]:
    """The Russian × Kazakh centre matrix as a sparse list of tied pairs, strongest first."""
    ledger.sync(db.session)
    centres = centre_rows(w)
    rows = db.session.execute(queries.ranked_pairs(w, limit)).all()
    planned = db.session.scalar(
        sa.select(sa.func.count()).select_from(queries.planned_pairs(w).subquery())
    )
    tied, weight = (rows[0].tied, rows[0].weight) if rows else (0, 0)
    sizes = {"RU": [], "KZ": []}
    for centre in centres.values():
        sizes[centre["country_code"]].append(centre["size"])
    all_pairs = len(sizes["RU"]) * len(sizes["KZ"])
    return {
        "window": describe(w),
        "summary": {
            "ru_centres": len(sizes["RU"]),
            "kz_centres": len(sizes["KZ"]),
            "pairs_total": all_pairs,
            "pairs_tied": tied,
            "coverage_ratio": ratio(tied, all_pairs),
            "weighted_coverage_ratio": ratio(weight or 0, sum(sizes["RU"]) * sum(sizes["KZ"])),
            "pairs_with_planned_ties": planned,
        },
        "pairs": [_pair(centres, r) for r in rows],
        "truncated": limit is not None and tied > len(rows),
    }


def _pair(centres: dict[int, dict[str, Any]], row: Any) -> dict[str, Any]:
    return {
        "ru_centre": centre_label(centres[row.ru_centre_id]),
        "kz_centre": centre_label(centres[row.kz_centre_id]),
        "publications": row.publications,
        "sessions": row.sessions,
        "projects": row.projects,
        "first": row.first,
        "last": row.last,
        "strength": round(float(row.strength), 2),
    }


def gap_rows(w: Window, cutoff: dt.date, limit: int) -> tuple[list, list, int, int]:
    """Never-tied and dormant pairs (up to ``limit`` each, best first), the number of
    pairs ever tied and of dormant ones: one statement, two if the never list is short."""
    ever = dataclasses.replace(w, since=None)
    rows = db.session.execute(queries.gap_pairs(ever, cutoff, limit)).all()
    never = sorted(
        (r for r in rows if r.gap == "never"),
        key=lambda r: (-r.shared, -r.size, r.ru_centre_id, r.kz_centre_id),
    )
    dormant = sorted(
        (r for r in rows if r.gap == "dormant"),
        key=lambda r: (-r.shared, -r.strength, r.ru_centre_id, r.kz_centre_id),
    )
    if rows:
        tied_ever, dormant_count = rows[0].tied_ever, rows[0].dormant_count
    else:
        tied_ever, dormant_count = db.session.execute(queries.gap_counts(ever, cutoff)).one()
    never = [(r.ru_centre_id, r.kz_centre_id, r.shared) for r in never]
    if len(never) < limit:  # few pairs share topics: fill with the largest others
        never += db.session.execute(queries.unrelated_pairs(ever, limit - len(never))).all()
    return never, dormant, tied_ever, dormant_count


def gaps(w: Window, cutoff: dt.date, limit: int) -> dict[str, Any]:
    """Pairs never tied, pairs dormant since ``cutoff``, and centres with no partner."""
    ledger.sync(db.session)
    centres = centre_rows(w)
    never, dormant, tied_ever, dormant_count = gap_rows(w, cutoff, limit)
    tied_now = set(db.session.scalars(queries.tied_centres(w)))
    isolated = [
        centre_label(c) | {"size": c["size"]} for c in centres.values() if c["id"] not in tied_now
    ]
    ru = sum(1 for c in centres.values() if c["country_code"] == "RU")
    return {
        "window": describe(w),
        "cutoff": cutoff,
        "summary": {
            "never": ru * (len(centres) - ru) - tied_ever,
            "dormant": dormant_count,
            "isolated_ru": sum(1 for c in isolated if c["country_code"] == "RU"),
            "isolated_kz": sum(1 for c in isolated if c["country_code"] == "KZ"),
        },
        "never": [
            {
                "ru_centre": centre_label(centres[r[0]]),
                "kz_centre": centre_label(centres[r[1]]),
                "shared_topics": r[2],
            }
            for r in never
        ],
        "dormant": [_pair(centres, r) | {"shared_topics": r.shared} for r in dormant],
        "isolated": sorted(
            isolated, key=lambda c: (c["country_code"] != "RU", -c["size"], c["id"])
        ),
    }
