"""The coverage and gap reports, assembled from the ledger's aggregates.

Each report is a plain dict: a ``summary`` and the rows of its main table, which the
routes answer as JSON, CSV or XLSX. The caller caches them (``app.reports.cache``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.centres.models import Centre, short_name
from app.core import provenance
from app.core.errors import DomainError
from app.core.provenance import Provenance
from app.experts.models import Affiliation
from app.extensions import db
from app.reference.models import Topic
from app.reports import ledger, notes, queries
from app.reports.models import CentreTie
from app.reports.queries import Window

# The report's two breaks in expert contact: the pandemic closed the borders in March 2020,
# and Russia invaded Ukraine on 24 February 2022.
PANDEMIC = dt.date(2020, 3, 1)
FEBRUARY_2022 = dt.date(2022, 2, 24)
# A pair is dormant, unless a cutoff is given, after this long without a tie: long enough
# for a pair cut in 2022 to show, short enough to leave out a quiet year.
DORMANT_AFTER_YEARS = 2
ERAS = (
    ("before_pandemic", "stopped before the pandemic (March 2020)"),
    ("pandemic", "were cut by the pandemic (March 2020 to February 2022)"),
    ("after_february_2022", "stopped after February 2022"),
)


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


def era(last: dt.date | str) -> str:
    """When a pair's ties stopped (its last day active), against the report's two breaks."""
    last = dt.date.fromisoformat(last) if isinstance(last, str) else last
    if last < PANDEMIC:
        return "before_pandemic"
    return "pandemic" if last < FEBRUARY_2022 else "after_february_2022"


def era_sql(day: sa.ColumnElement) -> sa.ColumnElement[str]:
    """:func:`era` in SQL, for counting by era in the database."""
    return sa.case(
        (day < PANDEMIC, "before_pandemic"),
        (day < FEBRUARY_2022, "pandemic"),
        else_="after_february_2022",
    )


def dormant_cutoff(w: Window) -> dt.date:
    """The default cutoff: ``DORMANT_AFTER_YEARS`` before the window's end."""
    end = w.end
    try:
        return end.replace(year=end.year - DORMANT_AFTER_YEARS)
    except ValueError:  # 29 February
        return end.replace(year=end.year - DORMANT_AFTER_YEARS, day=28)


def centre_rows(w: Window) -> dict[int, dict[str, Any]]:
    """Every Russian and Kazakh centre with its size (experts affiliated at the window's
    end), in one statement."""
    return {row.id: row._asdict() for row in db.session.execute(queries.centre_sizes(w.end))}


def centre_label(centre: dict[str, Any]) -> dict[str, Any]:
    """A centre as report rows name it; ``label`` is its full name when the acronym is coined."""
    keys = ("id", "name_en", "name_ru", "acronym", "country_code")
    label = short_name(centre["acronym"], centre["acronym_source"], centre["name_en"])
    return {key: centre[key] for key in keys} | {"label": label}


def organisations(centres: dict[int, dict[str, Any]]) -> dict[int, int]:
    """Each centre's organisation: its topmost parent. Centre counts count organisations,
    so a unit counts with its parent (the Caspian Institute once, not three times)."""

    def root(cid: int) -> int:
        seen = {cid}
        while (parent := centres.get(cid, {}).get("parent_id")) and parent not in seen:
            seen.add(parent)
            cid = parent
        return cid

    return {cid: root(cid) for cid in centres}


def per_country(centres: dict[int, dict[str, Any]], orgs: dict[int, int]) -> dict[str, set]:
    """The organisations of each side (:func:`organisations`)."""
    return {
        code: {orgs[c["id"]] for c in centres.values() if c["country_code"] == code}
        for code in ("RU", "KZ")
    }


def _organisation_pairs(centres: dict[int, dict[str, Any]], orgs: dict[int, int]) -> int:
    counted = per_country(centres, orgs)
    return len(counted["RU"]) * len(counted["KZ"])


def _tied_organisations(orgs: dict[int, int], pairs: sa.Select) -> set[tuple[int, int]]:
    """The organisations' pairs among the centre ``pairs`` (ru, kz) tied."""
    return {(orgs[r], orgs[k]) for r, k in db.session.execute(pairs)}


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def affiliated(day: dt.date) -> dict[str, int]:
    """Distinct experts affiliated on ``day`` with a Russian or a Kazakh centre."""
    rows = db.session.execute(
        sa.select(Centre.country_code, sa.func.count(sa.distinct(Affiliation.expert_id)))
        .join(Affiliation, Affiliation.centre_id == Centre.id)
        .where(
            Centre.country_code.in_(("RU", "KZ")),
            Affiliation.held_on_sql(day),
        )
        .group_by(Centre.country_code)
    ).all()
    return {"RU": 0, "KZ": 0} | dict(rows)


def coverage(w: Window, limit: int | None) -> dict[str, Any]:
    """The Russian × Kazakh centre matrix as a sparse list of tied pairs, strongest first."""
    ledger.sync(db.session)
    centres = centre_rows(w)
    rows = db.session.execute(queries.ranked_pairs(w, limit)).all()
    planned = db.session.scalar(
        sa.select(sa.func.count()).select_from(queries.planned_pairs(w).subquery())
    )
    people = affiliated(w.end)
    tied, weight = (rows[0].tied, rows[0].weight) if rows else (0, 0)
    sizes = {"RU": [], "KZ": []}
    for centre in centres.values():
        sizes[centre["country_code"]].append(centre["size"])
    orgs = organisations(centres)
    counted = per_country(centres, orgs)
    all_pairs = len(counted["RU"]) * len(counted["KZ"])
    tied_orgs = len(_tied_organisations(orgs, queries.tied_pairs(w)))
    enough = min(people.values()) >= current_app.config["REPORTS_MIN_AFFILIATED"]
    weighted = ratio(weight or 0, sum(sizes["RU"]) * sum(sizes["KZ"]))
    return {
        "window": describe(w),
        "summary": {
            "ru_centres": len(counted["RU"]),
            "kz_centres": len(counted["KZ"]),
            "pairs_total": all_pairs,
            "pairs_tied": tied_orgs,
            "coverage_ratio": ratio(tied_orgs, all_pairs),
            "weighted_coverage_ratio": weighted if enough else None,
            "ru_experts_affiliated": people["RU"],
            "kz_experts_affiliated": people["KZ"],
            "pairs_with_planned_ties": planned,
        },
        "pairs": [_pair(centres, r) for r in rows],
        "truncated": limit is not None and tied > len(rows),  # rows are centre pairs
        "notes": notes.coverage(w, people, enough, weighted),
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


@dataclasses.dataclass(frozen=True)
class Organisations:
    """The centres' organisations (:func:`organisations`) and which pairs of them were ever
    tied, through whichever of their units."""

    of: dict[int, int]
    tied: set[tuple[int, int]]

    def met(self, ru: int, kz: int) -> bool:
        return (self.of.get(ru, ru), self.of.get(kz, kz)) in self.tied

    def hidden(self) -> int:
        """At most how many never-tied centre pairs :meth:`met` rules out: in each tied
        pair of organisations, every pair of their centres but the one tied."""
        size = Counter(self.of.values())
        return sum(size[r] * size[k] - 1 for r, k in self.tied)


def organisation_ties(w: Window, centres: dict[int, dict[str, Any]]) -> Organisations:
    orgs = organisations(centres)
    ever = dataclasses.replace(w, since=None)
    return Organisations(orgs, _tied_organisations(orgs, queries.tied_pairs(ever)))


def gap_rows(w: Window, cutoff: dt.date, limit: int, orgs: Organisations) -> tuple[list, list, int]:
    """Never-tied and dormant pairs (up to ``limit`` each, best first) and the number of
    dormant ones: one statement, two if the never list is short. A centre pair whose
    organisations met through other units is no never-tied pair (a unit counts with its
    parent): as many more rows are read as that can rule out, so the list still holds the
    best ``limit``."""
    ever = dataclasses.replace(w, since=None)
    hidden = orgs.hidden()
    reach = limit + hidden
    rows = db.session.execute(queries.gap_pairs(ever, cutoff, reach)).all()
    never = sorted(
        (r for r in rows if r.gap == "never" and not orgs.met(r.ru_centre_id, r.kz_centre_id)),
        key=lambda r: (-r.shared, -r.size, r.ru_centre_id, r.kz_centre_id),
    )
    dormant = sorted(
        (r for r in rows if r.gap == "dormant"),
        key=lambda r: (-r.shared, -r.strength, r.ru_centre_id, r.kz_centre_id),
    )[:limit]
    if rows:
        dormant_count = rows[0].dormant_count
    else:
        dormant_count = db.session.scalar(queries.gap_counts(ever, cutoff))
    never = [(r.ru_centre_id, r.kz_centre_id, r.shared) for r in never[:limit]]
    if len(never) < limit:  # few pairs share topics: fill with the largest others
        wanted = limit - len(never)
        others = db.session.execute(queries.unrelated_pairs(ever, wanted + hidden))
        never += [r for r in others if not orgs.met(r[0], r[1])][:wanted]
    return never, dormant, dormant_count


def gaps(w: Window, cutoff: dt.date | None, limit: int) -> dict[str, Any]:
    """Pairs never tied, pairs dormant since ``cutoff`` (by default ``DORMANT_AFTER_YEARS``
    before the window's end) with when they stopped, and centres with no partner."""
    ledger.sync(db.session)
    cutoff = cutoff or dormant_cutoff(w)
    centres = centre_rows(w)
    met = organisation_ties(w, centres)
    orgs, tied_ever = met.of, met.tied
    never, dormant, dormant_count = gap_rows(w, cutoff, limit, met)
    # Organisations, as the summaries count them: a unit with a partner keeps its parent
    # and the other units off the isolated list.
    tied_now = {orgs.get(c, c) for c in db.session.scalars(queries.tied_centres(w))}
    isolated = [
        centre_label(c) | {"size": c["size"]}
        for c in centres.values()
        if orgs[c["id"]] not in tied_now
    ]
    isolated_orgs = {
        code: {orgs[c["id"]] for c in isolated if c["country_code"] == code}
        for code in ("RU", "KZ")
    }
    quiet = [
        _pair(centres, r)
        | {"shared_topics": r.shared, "active_until": r.active_until, "era": era(r.active_until)}
        for r in dormant
    ]
    return {
        "window": describe(w),
        "cutoff": cutoff,
        "summary": {
            # Organisations' pairs, as coverage counts them; the lists name centres.
            "never": _organisation_pairs(centres, orgs) - len(tied_ever),
            "dormant": dormant_count,
            "isolated_ru": len(isolated_orgs["RU"]),
            "isolated_kz": len(isolated_orgs["KZ"]),
        },
        "never": [
            {
                "ru_centre": centre_label(centres[r[0]]),
                "kz_centre": centre_label(centres[r[1]]),
                "shared_topics": r[2],
            }
            for r in never
        ],
        "dormant": quiet,
        "isolated": sorted(
            isolated, key=lambda c: (c["country_code"] != "RU", -c["size"], c["id"])
        ),
        "notes": notes.gaps(cutoff, dormant_count, [q["era"] for q in quiet], ERAS),
    }
