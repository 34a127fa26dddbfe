"""The reports that break the ledger down: by topic, border region, year, visibility,
generation, and the centres that study the neighbour. One or two statements each."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.centres.models import Centre, Visibility
from app.core import provenance
from app.experts.models import Expert
from app.extensions import db
from app.forums.models import (
    Forum,
    ForumSession,
    ForumState,
    Participation,
    ParticipationStatus,
    PublicationStatus,
    session_topics,
)
from app.projects.models import project_topics
from app.publications.models import Publication, publication_topics
from app.reference.models import Region, Topic
from app.reports import ledger, notes, queries
from app.reports.models import CentreTie, TieKind
from app.reports.queries import Window
from app.reports.services import (
    FEBRUARY_2022,
    PANDEMIC,
    centre_label,
    centre_rows,
    describe,
    organisations,
    per_country,
    ratio,
)

SMALLEST_GROUP = 5  # generations: a smaller group could single people out
TOPIC_LINKS = {
    TieKind.PUBLICATION: (publication_topics, "publication_id"),
    TieKind.SESSION: (session_topics, "session_id"),
    TieKind.PROJECT: (project_topics, "project_id"),
}
YEAR = sa.extract("year", CentreTie.starts_on)
# The report's two breaks, marked on the trend.
MARKERS = (
    (PANDEMIC, "pandemic", "the pandemic closes the borders"),
    (FEBRUARY_2022, "2022", "Russia invades Ukraine; contacts cut again"),
)


def _sources_on_topics() -> sa.Subquery:
    """(kind, source_id, topic_id) for every source of the ledger."""
    return sa.union_all(
        *(
            sa.select(
                sa.literal(kind.value).label("kind"),
                table.c[column].label("source_id"),
                table.c.topic_id,
            )
            for kind, (table, column) in TOPIC_LINKS.items()
        )
    ).subquery("on_topic")


def topics(w: Window) -> dict[str, Any]:
    """Joint output per topic and year, and the topics without any in the window."""
    ledger.sync(db.session)
    linked = _sources_on_topics()
    pairs = (
        sa.select(linked.c.topic_id, YEAR.label("year"), CentreTie.kind, CentreTie.source_id)
        .select_from(CentreTie)
        .join(
            linked,
            sa.and_(linked.c.kind == CentreTie.kind, linked.c.source_id == CentreTie.source_id),
        )
        .where(queries.held(w))
        .distinct()
        .subquery()
    )
    rows = db.session.execute(
        sa.select(pairs.c.topic_id, pairs.c.year, pairs.c.kind, sa.func.count())
        .group_by(pairs.c.topic_id, pairs.c.year, pairs.c.kind)
        .order_by(pairs.c.topic_id, pairs.c.year)
    ).all()
    names = db.session.execute(
        sa.select(Topic.id, Topic.slug, Topic.name_en, Topic.name_ru).order_by(Topic.id)
    ).all()
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(TieKind, 0))
    for topic_id, year, kind, n in rows:
        counts[(topic_id, int(year))][TieKind(kind)] = n
    by_topic = {t.id: t for t in names}
    table = [
        {
            "topic": {"id": t, "slug": by_topic[t].slug, "name_en": by_topic[t].name_en},
            "year": year,
            **{f"{k.value}s": v for k, v in kinds.items()},
        }
        for (t, year), kinds in sorted(counts.items())
    ]
    active = {t for t, _ in counts}
    return {
        "window": describe(w),
        "summary": {"topics": len(names), "topics_without_joint_work": len(names) - len(active)},
        "rows": table,
        "without_joint_work": [
            {"id": t.id, "slug": t.slug, "name_en": t.name_en, "name_ru": t.name_ru}
            for t in names
            if t.id not in active
        ],
        "notes": notes.topics(len(active)),
    }


def regions(w: Window) -> dict[str, Any]:
    """Every Russian × Kazakh border-region pair, with the ties of their centres."""
    ledger.sync(db.session)
    ru_centre, kz_centre = orm.aliased(Centre), orm.aliased(Centre)
    per_pair = (
        sa.select(
            ru_centre.region_id.label("ru_region"),
            kz_centre.region_id.label("kz_region"),
            sa.func.count().label("ties"),
        )
        .select_from(CentreTie)
        .join(ru_centre, ru_centre.id == CentreTie.ru_centre_id)
        .join(kz_centre, kz_centre.id == CentreTie.kz_centre_id)
        .where(queries.held(w), ru_centre.region_id.is_not(None), kz_centre.region_id.is_not(None))
        .group_by(
            ru_centre.region_id, kz_centre.region_id, CentreTie.ru_centre_id, CentreTie.kz_centre_id
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            per_pair.c.ru_region,
            per_pair.c.kz_region,
            sa.cast(sa.func.sum(per_pair.c.ties), sa.Integer),
            sa.func.count(),
        ).group_by(per_pair.c.ru_region, per_pair.c.kz_region)
    ).all()
    ties = {(r, k): (n, pairs) for r, k, n, pairs in rows}
    held_there = (
        sa.select(sa.func.count(Forum.id))
        .where(Forum.region_id == Region.id, Forum.state != ForumState.POSTPONED)
        .scalar_subquery()
    )
    border = db.session.execute(
        sa.select(
            Region.id,
            Region.code,
            Region.name_en,
            Region.name_ru,
            Region.country_code,
            held_there.label("forums"),
        )
        .where(Region.is_border.is_(True))
        .order_by(Region.id)
    ).all()
    ru = [r for r in border if r.country_code == "RU"]
    kz = [r for r in border if r.country_code == "KZ"]
    seated = _border_centres()
    cells = [
        {
            "ru_region": _region(r),
            "kz_region": _region(k),
            "ties": ties.get((r.id, k.id), (0, 0))[0],
            "centre_pairs": ties.get((r.id, k.id), (0, 0))[1],
        }
        for r in ru
        for k in kz
    ]
    tied = sum(1 for c in cells if c["ties"])
    # Without a centre on the border on both sides every cell is zero by construction.
    placed = seated["RU"] and seated["KZ"]
    return {
        "window": describe(w),
        "summary": {
            "ru_border_regions": len(ru),
            "kz_border_regions": len(kz),
            "region_pairs": len(cells),
            "region_pairs_tied": tied,
            "ru_centres_in_border_regions": seated["RU"],
            "kz_centres_in_border_regions": seated["KZ"],
            "forums_in_border_regions": sum(r.forums for r in border),
        },
        "rows": cells if placed else [],
        "notes": notes.regions(seated["RU"], seated["KZ"], len(cells)),
    }


def _border_centres() -> dict[str, int]:
    """Russian and Kazakh centres that sit in a border region."""
    rows = db.session.execute(
        sa.select(Centre.country_code, sa.func.count())
        .join(Region, Region.id == Centre.region_id)
        .where(Region.is_border.is_(True), Centre.country_code.in_(("RU", "KZ")))
        .group_by(Centre.country_code)
    ).all()
    return {"RU": 0, "KZ": 0} | dict(rows)


def _region(row: Any) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "name_en": row.name_en, "name_ru": row.name_ru}


def trend(w: Window) -> dict[str, Any]:
    """Joint publications, shared sessions and projects per year (held, and planned)."""
    ledger.sync(db.session)
    sources = (
        sa.select(YEAR.label("year"), CentreTie.kind, CentreTie.source_id)
        .where(queries.held(w))
        .distinct()
        .subquery()
    )
    rows = db.session.execute(
        sa.select(sources.c.year, sources.c.kind, sa.func.count())
        .group_by(sources.c.year, sources.c.kind)
        .order_by(sources.c.year)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    # A project that began before the window is filed under its start year: leave it out
    # of the rows, as the window's years are what the chart shows.
    rows = [r for r in rows if w.since is None or int(r[0]) >= w.since.year]
    for year, kind, n in rows:
        counts.setdefault(int(year), dict.fromkeys(SERIES, 0))[SERIES_OF[TieKind(kind)]] = n
    years = _years(w, counts)
    table = [{"year": y, **counts.get(y, dict.fromkeys(SERIES, 0))} for y in years]
    markers = [
        {"date": day, "year": day.year, "label": label, "what": what}
        for day, label, what in MARKERS
        if years and years[0] <= day.year <= years[-1]
    ]
    return {
        "window": describe(w),
        "summary": {name: sum(row[name] for row in table) for name in SERIES},
        "rows": table,
        "markers": markers,
        "notes": notes.trend(table, markers),
    }


def _years(w: Window, counts: dict[int, Any]) -> list[int]:
    """Every year of the window: from ``since`` (else the first year with ties) to its end,
    so the years after the last tie show as zeros."""
    first = w.since.year if w.since else min(counts, default=w.end.year)
    return list(range(first, w.end.year + 1))


SERIES_OF = {
    TieKind.PUBLICATION: "joint_publications",
    TieKind.SESSION: "shared_sessions",
    TieKind.PROJECT: "joint_projects",
}
SERIES = tuple(SERIES_OF.values())


def visibility(w: Window) -> dict[str, Any]:
    """Public, departmental and closed output per country: publications by the country of
    their authors' centres, and the centres themselves."""
    sides = ledger.publication_centres(None)
    day = sides.c.day
    window = [Publication.id == sides.c.source_id, day <= w.end]
    if w.since is not None:
        window.append(day >= w.since)
    if w.topic_id is not None:
        window.append(Publication.id.in_(_on_topic(publication_topics, "publication_id", w)))
    if w.kind not in (None, TieKind.PUBLICATION):
        window.append(sa.false())  # the kind filter leaves no publications to count
    if (admitted := provenance.up_to(w.provenance)) is not None:
        window.append(sides.c.rank <= provenance.RANK[admitted[-1]])  # the weakest admitted
    output = db.session.execute(
        sa.select(
            Centre.country_code, Publication.visibility, sa.func.count(sa.distinct(Publication.id))
        )
        .select_from(sides)
        .join(Centre, Centre.id == sides.c.centre_id)
        .join(Publication, sa.and_(*window))
        .where(Centre.country_code.in_(("RU", "KZ")))
        .group_by(Centre.country_code, Publication.visibility)
    ).all()
    centres = db.session.execute(
        sa.select(Centre.country_code, Centre.visibility, sa.func.count())
        .where(
            Centre.country_code.in_(("RU", "KZ")), Centre.parent_id.is_(None)
        )  # units: with their parent
        .group_by(Centre.country_code, Centre.visibility)
    ).all()
    rows = [_shares(country, "publications", output) for country in ("RU", "KZ")] + [
        _shares(country, "centres", centres) for country in ("RU", "KZ")
    ]
    return {
        "window": describe(w),
        "summary": {},
        "rows": rows,
        "notes": notes.visibility(rows),
    }


def _on_topic(table: sa.Table, column: str, w: Window) -> sa.Select:
    topics_ = sa.select(Topic.id).where(
        sa.or_(Topic.id == w.topic_id, Topic.parent_id == w.topic_id)
    )
    return sa.select(table.c[column]).where(table.c.topic_id.in_(topics_))


def _shares(country: str, of: str, rows: list[Any]) -> dict[str, Any]:
    counts = {v: 0 for v in Visibility}
    for code, vis, n in rows:
        if code == country:
            counts[Visibility(vis)] = n
    total = sum(counts.values())
    return {
        "country": country,
        "of": of,
        "total": total,
        **{v.value: counts[v] for v in Visibility},
        **{f"{v.value}_share": ratio(counts[v], total) for v in Visibility},
    }


def generations(w: Window) -> dict[str, Any]:
    """Forum participation by the experts' birth decade and country, only ever aggregated;
    a group of fewer than five experts is suppressed."""
    day = ledger.utc_day(ForumSession.starts_at)
    decade = (Expert.birth_year // 10) * 10
    conditions = [
        Participation.status == ParticipationStatus.ACCEPTED,
        ForumSession.status == PublicationStatus.PUBLISHED,
        ForumSession.starts_at.is_not(None),
        day <= w.end,
    ]
    if w.since is not None:
        conditions.append(day >= w.since)
    if w.topic_id is not None:
        conditions.append(ForumSession.id.in_(_on_topic(session_topics, "session_id", w)))
    if w.kind not in (None, TieKind.SESSION):
        conditions.append(sa.false())  # the kind filter leaves no sessions to count
    if provenance.up_to(w.provenance) is not None:
        conditions.append(sa.false())  # sessions are entered by users: no source states them
    rows = db.session.execute(
        sa.select(
            Expert.country_code,
            decade.label("decade"),
            sa.func.count(sa.distinct(Expert.id)),
            sa.func.count(),
        )
        .join(Participation, Participation.expert_id == Expert.id)
        .join(ForumSession, ForumSession.id == Participation.session_id)
        .where(*conditions)
        .group_by(Expert.country_code, decade)
        .order_by(Expert.country_code, decade)
    ).all()
    table = [_generation(country, decade, experts, n) for country, decade, experts, n in rows]
    return {
        "window": describe(w),
        "summary": {
            "smallest_group_shown": SMALLEST_GROUP,
            "groups_suppressed": sum(1 for r in table if r["suppressed"]),
        },
        "rows": table,
        "notes": notes.generations(table, SMALLEST_GROUP),
    }


def _generation(country: str, decade: int | None, experts: int, n: int) -> dict[str, Any]:
    hidden = experts < SMALLEST_GROUP
    return {
        "country": country,
        "birth_decade": f"{int(decade)}s" if decade is not None else "unknown",
        "experts": None if hidden else experts,
        "participations": None if hidden else n,
        "suppressed": hidden,
    }


def systematic(w: Window) -> dict[str, Any]:
    """The centres flagged as studying the neighbour, next to the ties they have."""
    ledger.sync(db.session)
    centres = centre_rows(w)
    per_centre = {}
    for side, other in (
        (CentreTie.ru_centre_id, CentreTie.kz_centre_id),
        (CentreTie.kz_centre_id, CentreTie.ru_centre_id),
    ):
        rows = db.session.execute(
            sa.select(
                side,
                sa.func.count(sa.distinct(other)),
                *(sa.func.sum(sa.case((CentreTie.kind == k, 1), else_=0)) for k in TieKind),
                sa.func.max(CentreTie.starts_on),
            )
            .where(queries.held(w))
            .group_by(side)
        ).all()
        per_centre.update({row[0]: row[1:] for row in rows})
    flagged = [c for c in centres.values() if c["studies_neighbour"]]
    table = [_systematic(c, per_centre.get(c["id"])) for c in flagged]
    orgs = organisations(centres)  # a unit counts with its parent
    every, studying = per_country(centres, orgs), per_country({c["id"]: c for c in flagged}, orgs)
    summary = {
        country: {"centres": len(every[country]), "studying_the_neighbour": len(studying[country])}
        for country in ("RU", "KZ")
    }
    return {
        "window": describe(w),
        "summary": summary,
        "rows": sorted(table, key=lambda r: (r["centre"]["country_code"] != "RU", -r["partners"])),
        "notes": notes.systematic(summary),
    }


def _systematic(centre: dict[str, Any], ties: tuple | None) -> dict[str, Any]:
    partners, publications, sessions, projects, last = ties or (0, 0, 0, 0, None)
    return {
        "centre": centre_label(centre) | {"size": centre["size"]},
        "partners": partners,
        "publications": publications,
        "sessions": sessions,
        "projects": projects,
        "last": last,
    }
