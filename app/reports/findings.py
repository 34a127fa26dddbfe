"""The roadmap report's findings beside what the records show of each.

A finding names its measure (``Finding.measure``): a key of ``MEASURES``, optionally with
an argument after a colon (``publications_on_topic:multi-vector-policy``). Each measure
asks the reports' own services and queries, so it moves with the data; a finding without
one is a claim the records cannot show (officials' ages, trade, population).

The ``provenance`` filter reaches the measures built on ties (the systematic, visibility and
coverage summaries, the ties by era); the others count catalogue records (regions, experts,
forum editions, publications on a topic) and read them all, as the directory does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core import provenance
from app.experts.models import Affiliation, Expert
from app.extensions import db
from app.forums.models import Forum, ForumSeries, ForumState
from app.publications.models import Publication, publication_topics
from app.reference.models import Region, Topic
from app.reports import breakdowns, ledger, notes, services
from app.reports.models import CentreTie, ExpertTie, Finding
from app.reports.queries import Window

NOT_MEASURABLE = "not measurable from the records"
# The report's two breaks, as the reports' dormant eras and trend markers date them.
PANDEMIC = services.PANDEMIC  # March 2020: borders closed
WAR = services.FEBRUARY_2022  # the start of the war in Ukraine, "la crisi ucraina"
COUNTRIES = ("RU", "KZ")


@dataclass(frozen=True)
class Reading:
    """What a measure found: its value, a sentence saying it, and the window it covers."""

    value: Any
    says: str
    since: dt.date | None
    until: dt.date


Measure = Callable[[Window, str | None], Reading]


def report(w: Window) -> dict[str, Any]:
    """Every finding in the report's order, each with what its measure reads (each measure
    is taken once, however many findings share it)."""
    found = db.session.scalars(sa.select(Finding).order_by(Finding.position)).all()
    readings = {f.measure: take(f.measure, w) for f in found if f.measure}
    rows = [_row(f, readings.get(f.measure)) for f in found]
    measured = sum(1 for r in rows if r["measurable"])
    return {
        "window": services.describe(w),
        "summary": {
            "findings": len(rows),
            "measurable": measured,
            "not_measurable": len(rows) - measured,
        },
        "rows": rows,
        "notes": notes.findings(len(rows), measured),
    }


def take(measure: str, w: Window) -> Reading | None:
    """The reading of ``name[:argument]``; None for a name no measure answers to."""
    name, _, argument = measure.partition(":")
    fn = MEASURES.get(name)
    return fn(w, argument or None) if fn else None


def _row(finding: Finding, reading: Reading | None) -> dict[str, Any]:
    return {
        "key": finding.key,
        "kind": finding.kind.value,
        "section": finding.section,
        "quote_it": finding.quote_it,
        "text_en": finding.text_en,
        "measure": finding.measure if reading else None,
        "measurable": reading is not None,
        "value": reading.value if reading else None,
        "data_show": reading.says if reading else NOT_MEASURABLE,
        "window": {"since": reading.since, "until": reading.until} if reading else None,
    }


def centres_studying_neighbour(w: Window, _arg: str | None) -> Reading:
    """Catalogued centres flagged as studying the neighbour, per country (the systematic
    report's summary; a unit counts with its parent)."""
    summary = breakdowns.systematic(w)["summary"]
    total = sum(summary[c]["studying_the_neighbour"] for c in COUNTRIES)
    says = f"{total} catalogued centres study the neighbour: " + ", ".join(
        f"{summary[c]['studying_the_neighbour']} of {summary[c]['centres']} in {c}"
        for c in COUNTRIES
    )
    return Reading(summary | {"total_studying": total}, says, None, w.end)


def output_visibility(w: Window, _arg: str | None) -> Reading:
    """Shares of public, departmental and closed centres and catalogued output per country
    (the visibility report's rows)."""
    rows = breakdowns.visibility(w)["rows"]
    value = {c: {r["of"]: _shares(r) for r in rows if r["country"] == c} for c in COUNTRIES}
    says = "; ".join(
        f"{c}: {_pct(value[c]['centres'])} of centres and "
        f"{_pct(value[c]['publications'])} of catalogued publications non-public"
        for c in COUNTRIES
    )
    return Reading(value, says, w.since, w.end)


def _shares(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("total", "public", "departmental", "closed")
    hidden = row["departmental"] + row["closed"]
    return {k: row[k] for k in keys} | {"non_public_share": services.ratio(hidden, row["total"])}


def _pct(shares: dict[str, Any]) -> str:
    share = shares["non_public_share"]
    return "none" if share is None else f"{round(share * 100)} %"


def ties_by_era(w: Window, _arg: str | None) -> Reading:
    """Cross-border joint works (a source tying a Russian and a Kazakh centre or expert)
    before March 2020, from then to February 2022, and after: counts and yearly rates."""
    ledger.sync(db.session)
    admitted = provenance.up_to(w.provenance)
    sources = sa.union(
        *(
            sa.select(t.kind, t.source_id, t.starts_on).where(
                t.starts_on <= w.end,
                *([t.starts_on >= w.since] if w.since else []),
                *([t.provenance.in_(admitted)] if admitted else []),
            )
            for t in (CentreTie, ExpertTie)
        )
    ).subquery()
    era = services.era_sql(sources.c.starts_on)
    counts = dict(db.session.execute(sa.select(era, sa.func.count()).group_by(era)).all())
    first = db.session.scalar(sa.select(sa.func.min(sources.c.starts_on)))
    day = dt.timedelta(days=1)
    eras = {
        "before_pandemic": (first, PANDEMIC - day),
        "pandemic": (PANDEMIC, WAR - day),
        "after_february_2022": (WAR, w.end),
    }
    # Each era as far as the window reaches: one that begins after its end is left out.
    spans = {
        name: (max(start, w.since) if start and w.since else start, min(end, w.end))
        for name, (start, end) in eras.items()
        if start is None or start <= w.end
    }
    value = {name: _era(counts.get(name, 0), *span) for name, span in spans.items()}
    says = "; ".join(
        f"{name.replace('_', ' ')}: {v['ties']} ({v['per_year']} a year)"
        for name, v in value.items()
    )
    return Reading(value, "joint works " + says, first, w.end)


def _era(ties: int, start: dt.date | None, end: dt.date) -> dict[str, Any]:
    years = ((end - start).days + 1) / 365.25 if start and end >= start else 0
    return {
        "from": start,
        "to": end,
        "ties": ties,
        "per_year": round(ties / years, 2) if years else None,
    }


def border_regions(w: Window, _arg: str | None) -> Reading:
    """Regions flagged as on the Russia–Kazakhstan border, per country."""
    counts = dict(
        db.session.execute(
            sa.select(Region.country_code, sa.func.count())
            .where(Region.is_border.is_(True), Region.country_code.in_(COUNTRIES))
            .group_by(Region.country_code)
        ).all()
    )
    value = {c: counts.get(c, 0) for c in COUNTRIES}
    says = f"{value['RU']} Russian regions border {value['KZ']} Kazakh regions"
    return Reading(value, says, None, w.end)


def average_age(w: Window, _arg: str | None) -> Reading:
    """The experts' average age at the window's end, per country, where the birth year is
    known (the directory holds experts, not officials: the report's figures are officials')."""
    age = w.end.year - Expert.birth_year
    rows = db.session.execute(
        sa.select(
            Expert.country_code,
            sa.func.count(),
            sa.func.count(Expert.birth_year),
            sa.func.avg(age),
        )
        .where(Expert.country_code.in_(COUNTRIES))
        .group_by(Expert.country_code)
    ).all()
    found = {c: (n, known, avg) for c, n, known, avg in rows}
    value = {c: _ages(*found.get(c, (0, 0, None))) for c in COUNTRIES}
    says = "; ".join(
        f"{c}: {v['average_age'] if v['average_age'] is not None else 'unknown'} "
        f"({v['with_birth_year']} of {v['experts']} experts with a birth year)"
        for c, v in value.items()
    )
    return Reading(value, "experts' average age " + says, None, w.end)


def _ages(n: int, known: int, average: Any) -> dict[str, Any]:
    mean = None if average is None else round(float(average), 1)
    return {"experts": n, "with_birth_year": known, "average_age": mean}


def experts(w: Window, _arg: str | None) -> Reading:
    """Experts per country, and how many have a centre at the window's end (as the reports
    read it: an undated affiliation only if assumed to hold)."""
    day = w.end
    current = sa.exists().where(Affiliation.expert_id == Expert.id, Affiliation.held_on_sql(day))
    rows = db.session.execute(
        sa.select(
            Expert.country_code,
            sa.func.count(),
            sa.func.sum(sa.case((current, 1), else_=0)),
        )
        .where(Expert.country_code.in_(COUNTRIES))
        .group_by(Expert.country_code)
    ).all()
    found = {c: (n, int(with_centre or 0)) for c, n, with_centre in rows}
    value = {c: _members(*found.get(c, (0, 0))) for c in COUNTRIES}
    says = "; ".join(
        f"{c}: {v['experts']} experts, {v['without_a_centre']} without a centre"
        for c, v in value.items()
    )
    return Reading(value, says, None, day)


def _members(n: int, with_centre: int) -> dict[str, int]:
    return {"experts": n, "with_a_centre": with_centre, "without_a_centre": n - with_centre}


def centre_pairs_tied(w: Window, _arg: str | None) -> Reading:
    """Russian × Kazakh centre pairs with any joint work in the window (coverage's summary)."""
    summary = services.coverage(w, 1)["summary"]
    keys = ("pairs_total", "pairs_tied", "coverage_ratio")
    value = {k: summary[k] for k in keys}
    says = f"{value['pairs_tied']} of {value['pairs_total']} centre pairs have worked together"
    return Reading(value, says, w.since, w.end)


def forum_editions(w: Window, slug: str | None) -> Reading:
    """The editions of a forum series (``slug``, default the Interregional Cooperation
    Forum) held, postponed and still to come, by year."""
    slug = slug or "interregional-cooperation-forum"
    rows = db.session.execute(
        sa.select(Forum.year, Forum.state, Forum.end_date)
        .join(ForumSeries, ForumSeries.id == Forum.series_id)
        .where(ForumSeries.slug == slug)
        .order_by(Forum.year, Forum.start_date)
    ).all()
    value = {"series": slug, "held": [], "postponed": [], "cancelled": [], "planned": []}
    for year, state, end in rows:
        if state != ForumState.ON_SCHEDULE:
            value[ForumState(state).value].append(year)
        else:
            value["held" if end <= w.end else "planned"].append(year)
    says = (
        f"{len(value['held'])} editions held"
        + (f" ({min(value['held'])}–{max(value['held'])})" if value["held"] else "")
        + f", {len(value['postponed'])} postponed"
        + (f" ({', '.join(map(str, value['postponed']))})" if value["postponed"] else "")
    )
    return Reading(value, says, None, w.end)


def publications_on_topic(w: Window, slug: str | None) -> Reading:
    """Catalogued publications on a topic (or its subtopics) up to the window's end."""
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == slug))
    if topic is None:
        return Reading(None, f"no topic {slug} in the records", None, w.end)
    on_topic = sa.select(Topic.id).where(sa.or_(Topic.id == topic.id, Topic.parent_id == topic.id))
    rows = db.session.execute(
        sa.select(Publication.year, sa.func.count(sa.distinct(Publication.id)))
        .join(publication_topics, publication_topics.c.publication_id == Publication.id)
        .where(publication_topics.c.topic_id.in_(on_topic), Publication.year <= w.end.year)
        .group_by(Publication.year)
        .order_by(Publication.year)
    ).all()
    by_year = [{"year": int(y), "publications": n} for y, n in rows]
    total = sum(r["publications"] for r in by_year)
    value = {"topic": slug, "publications": total, "by_year": by_year}
    says = f"{value['publications']} catalogued publications on {topic.name_en}"
    return Reading(value, says, None, w.end)


MEASURES: dict[str, Measure] = {
    "centres_studying_neighbour": centres_studying_neighbour,
    "output_visibility": output_visibility,
    "ties_by_era": ties_by_era,
    "border_regions": border_regions,
    "average_age": average_age,
    "experts": experts,
    "centre_pairs_tied": centre_pairs_tied,
    "forum_editions": forum_editions,
    "publications_on_topic": publications_on_topic,
}
