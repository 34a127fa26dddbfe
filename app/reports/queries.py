"""The SQL behind the reports: aggregates over the ledger, one statement each.

Every function returns a ``Select``; the services run them. Nothing here loads rows one by
one, so a report costs the same few statements whatever the size of the network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from app.centres.models import Centre, centre_topics
from app.core import provenance
from app.experts.models import Affiliation
from app.forums.models import session_topics
from app.projects.models import project_topics
from app.publications.models import publication_topics
from app.reference.models import Topic
from app.reports.models import CentreTie, TieKind

# How much one tie of each kind weighs in a pair's strength: a project binds two centres
# for years, a joint text is real joint work, a shared panel is a first contact.
WEIGHTS = {TieKind.PUBLICATION: 1.0, TieKind.SESSION: 0.5, TieKind.PROJECT: 2.0}


@dataclass(frozen=True)
class Window:
    """The filters every report takes."""

    since: dt.date | None
    until: dt.date | None
    topic_id: int | None
    kind: TieKind | None
    today: dt.date
    provenance: str = "all"  # report, public or all: the weakest kind of fact a tie may rest on

    @property
    def end(self) -> dt.date:
        """Where the window ends: ``until``, else today (later ties are only planned)."""
        return min(self.until or self.today, self.today)


def _source_topics(topic_id: int) -> sa.Select:
    """(kind, source_id) of the sources on a topic or one of its subtopics."""
    topics = sa.select(Topic.id).where(sa.or_(Topic.id == topic_id, Topic.parent_id == topic_id))
    parts = [
        sa.select(sa.literal(kind.value).label("kind"), table.c[column].label("source_id")).where(
            table.c.topic_id.in_(topics)
        )
        for kind, table, column in (
            (TieKind.PUBLICATION, publication_topics, "publication_id"),
            (TieKind.SESSION, session_topics, "session_id"),
            (TieKind.PROJECT, project_topics, "project_id"),
        )
    ]
    return sa.union_all(*parts)


def _kind_and_topic(window: Window) -> list[sa.ColumnElement[bool]]:
    conditions = []
    admitted = provenance.up_to(window.provenance)
    if admitted is not None:
        conditions.append(CentreTie.provenance.in_(admitted))
    if window.kind is not None:
        conditions.append(CentreTie.kind == window.kind)
    if window.topic_id is not None:
        on_topic = _source_topics(window.topic_id).subquery()
        conditions.append(
            sa.exists().where(
                on_topic.c.kind == CentreTie.kind, on_topic.c.source_id == CentreTie.source_id
            )
        )
    return conditions


def held(window: Window, *, since: dt.date | None = None) -> sa.ColumnElement[bool]:
    """Ties that happened within the window (so not planned ones), of its kind and topic."""
    start = since if since is not None else window.since
    conditions = [CentreTie.starts_on <= window.end, *_kind_and_topic(window)]
    if start is not None:
        conditions.append(sa.func.coalesce(CentreTie.ends_on, window.end) >= start)
    return sa.and_(*conditions)


def _count(kind: TieKind, *extra: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((sa.and_(CentreTie.kind == kind, *extra), 1), else_=0))


def pair_totals(window: Window) -> sa.Select:
    """Per tied pair: counts by kind, first and last tie, and strength (the aggregation
    every centre-pair report rests on)."""
    strength = sum(
        WEIGHTS[kind] * _count(kind)
        for kind in (TieKind.PUBLICATION, TieKind.SESSION, TieKind.PROJECT)
    )
    return (
        sa.select(
            CentreTie.ru_centre_id,
            CentreTie.kz_centre_id,
            _count(TieKind.PUBLICATION).label("publications"),
            _count(TieKind.SESSION).label("sessions"),
            _count(TieKind.PROJECT).label("projects"),
            sa.func.min(CentreTie.starts_on).label("first"),
            sa.func.max(CentreTie.starts_on).label("last"),
            # A project is active to its end, or to the window's end while open.
            sa.func.max(sa.func.coalesce(CentreTie.ends_on, window.end)).label("active_until"),
            strength.label("strength"),
        )
        .where(held(window))
        .group_by(CentreTie.ru_centre_id, CentreTie.kz_centre_id)
    )


def tied_pairs(window: Window) -> sa.Select:
    """Every centre pair with a tie in the window, once."""
    return sa.select(CentreTie.ru_centre_id, CentreTie.kz_centre_id).where(held(window)).distinct()


def planned_pairs(window: Window) -> sa.Select:
    """Pairs with ties still to come (sessions scheduled, projects not started)."""
    return (
        sa.select(CentreTie.ru_centre_id, CentreTie.kz_centre_id, sa.func.count().label("planned"))
        .where(CentreTie.starts_on > window.today, *_kind_and_topic(window))
        .group_by(CentreTie.ru_centre_id, CentreTie.kz_centre_id)
    )


def centre_sizes(day: dt.date) -> sa.Select:
    """Centres with their country and size: the experts affiliated on ``day``."""
    members = (
        sa.select(
            Affiliation.centre_id, sa.func.count(sa.distinct(Affiliation.expert_id)).label("n")
        )
        .where(Affiliation.held_on_sql(day))
        .group_by(Affiliation.centre_id)
        .subquery()
    )
    return (
        sa.select(
            Centre.id,
            Centre.name_en,
            Centre.name_ru,
            Centre.acronym,
            Centre.acronym_source,
            Centre.parent_id,
            Centre.country_code,
            Centre.region_id,
            Centre.studies_neighbour,
            Centre.visibility,
            sa.func.coalesce(members.c.n, 0).label("size"),
        )
        .outerjoin(members, members.c.centre_id == Centre.id)
        .where(Centre.country_code.in_(("RU", "KZ")))
        .order_by(Centre.id)
    )


def topic_overlap() -> sa.Select:
    """Shared topics of each Russian × Kazakh centre pair that has any."""
    ru, kz = centre_topics.alias("ru_t"), centre_topics.alias("kz_t")
    ru_c, kz_c = orm.aliased(Centre), orm.aliased(Centre)
    return (
        sa.select(
            ru.c.centre_id.label("ru_centre_id"),
            kz.c.centre_id.label("kz_centre_id"),
            sa.func.count().label("shared"),
        )
        .join(kz, kz.c.topic_id == ru.c.topic_id)
        .join(ru_c, ru_c.id == ru.c.centre_id)
        .join(kz_c, kz_c.id == kz.c.centre_id)
        .where(ru_c.country_code == "RU", kz_c.country_code == "KZ")
        .group_by(ru.c.centre_id, kz.c.centre_id)
    )


def ranked_pairs(window: Window, limit: int | None) -> sa.Select:
    """The tied pairs, strongest first, each row also carrying the number of tied pairs and
    their summed size weight (window functions: one pass over the aggregation)."""
    totals = pair_totals(window).subquery()
    sizes = centre_sizes(window.end).subquery()
    ru, kz = sizes.alias("ru_size"), sizes.alias("kz_size")
    stmt = (
        sa.select(
            totals,
            sa.func.count().over().label("tied"),
            # PostgreSQL sums bigints as numeric: cast, so the answer holds plain numbers.
            sa.cast(sa.func.sum(ru.c.size * kz.c.size).over(), sa.BigInteger).label("weight"),
        )
        .join(ru, ru.c.id == totals.c.ru_centre_id)
        .join(kz, kz.c.id == totals.c.kz_centre_id)
        .order_by(totals.c.strength.desc(), totals.c.ru_centre_id, totals.c.kz_centre_id)
    )
    return stmt if limit is None else stmt.limit(limit)


def gap_pairs(window: Window, cutoff: dt.date, limit: int) -> sa.Select:
    """One statement for the gaps: the top never-tied pairs that share topics, the top
    dormant pairs, and on every row the number of dormant ones.

    The pair totals and the topic overlap are CTEs, read by both halves (both databases
    compute a CTE read twice only once). A union keeps no
    order: the caller sorts each list again by the same keys (``size`` and ``strength``
    are there for that).
    """
    totals = pair_totals(window).cte("totals")
    overlap = topic_overlap().cte("overlap")
    sizes = centre_sizes(window.end).cte("sizes")
    counts = (
        sa.select(sa.func.count())
        .select_from(totals)
        .where(totals.c.active_until < cutoff)
        .scalar_subquery()
        .label("dormant_count"),
    )
    return sa.union_all(
        _never(totals, overlap, sizes, counts, limit).subquery().select(),
        _dormant(totals, overlap, counts, cutoff, limit).subquery().select(),
    )


def _never(totals, overlap, sizes, counts, limit: int) -> sa.Select:
    ru, kz = sizes.alias("ru_size"), sizes.alias("kz_size")
    order = (
        overlap.c.shared.desc(),
        (ru.c.size + kz.c.size).desc(),
        overlap.c.ru_centre_id,
        overlap.c.kz_centre_id,
    )
    nothing = sa.null()
    return (
        sa.select(
            sa.literal("never").label("gap"),
            (ru.c.size + kz.c.size).label("size"),
            overlap.c.ru_centre_id,
            overlap.c.kz_centre_id,
            overlap.c.shared,
            *(
                sa.cast(nothing, sa.BigInteger).label(c)
                for c in ("publications", "sessions", "projects")
            ),
            *(sa.cast(nothing, sa.Date).label(c) for c in ("first", "last", "active_until")),
            sa.cast(nothing, sa.Float).label("strength"),
            *counts,
        )
        .join(ru, ru.c.id == overlap.c.ru_centre_id)
        .join(kz, kz.c.id == overlap.c.kz_centre_id)
        .outerjoin(
            totals,
            sa.and_(
                totals.c.ru_centre_id == overlap.c.ru_centre_id,
                totals.c.kz_centre_id == overlap.c.kz_centre_id,
            ),
        )
        .where(totals.c.ru_centre_id.is_(None))
        .order_by(*order)
        .limit(limit)
    )


def _dormant(totals, overlap, counts, cutoff: dt.date, limit: int) -> sa.Select:
    shared = sa.func.coalesce(overlap.c.shared, 0)
    order = (shared.desc(), totals.c.strength.desc(), totals.c.ru_centre_id, totals.c.kz_centre_id)
    return (
        sa.select(
            sa.literal("dormant").label("gap"),
            sa.cast(sa.null(), sa.BigInteger).label("size"),
            totals.c.ru_centre_id,
            totals.c.kz_centre_id,
            shared.label("shared"),
            totals.c.publications,
            totals.c.sessions,
            totals.c.projects,
            totals.c.first,
            totals.c.last,
            totals.c.active_until,
            sa.cast(totals.c.strength, sa.Float).label("strength"),
            *counts,
        )
        .outerjoin(
            overlap,
            sa.and_(
                overlap.c.ru_centre_id == totals.c.ru_centre_id,
                overlap.c.kz_centre_id == totals.c.kz_centre_id,
            ),
        )
        .where(totals.c.active_until < cutoff)
        .order_by(*order)
        .limit(limit)
    )


def unrelated_pairs(window: Window, limit: int) -> sa.Select:
    """Never-tied pairs that share no topic either, largest first (to fill a short list)."""
    sizes = centre_sizes(window.end).subquery()
    ru, kz = sizes.alias("ru_size"), sizes.alias("kz_size")
    tied = pair_totals(window).subquery()
    overlap = topic_overlap().subquery()

    def absent(sub: sa.Subquery) -> sa.ColumnElement[bool]:
        return ~sa.exists().where(sub.c.ru_centre_id == ru.c.id, sub.c.kz_centre_id == kz.c.id)

    return (
        sa.select(ru.c.id, kz.c.id, sa.literal(0))
        .select_from(ru)
        .join(kz, sa.true())
        .where(ru.c.country_code == "RU", kz.c.country_code == "KZ", absent(tied), absent(overlap))
        .order_by((ru.c.size + kz.c.size).desc(), ru.c.id, kz.c.id)
        .limit(limit)
    )


def gap_counts(window: Window, cutoff: dt.date) -> sa.Select:
    """How many pairs ever tied were not tied since ``cutoff``."""
    ever = pair_totals(window).subquery()
    return sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((ever.c.active_until < cutoff, 1), else_=0)), 0),
    ).select_from(ever)


def tied_centres(window: Window) -> sa.Select:
    """Centres with at least one partner across the border within the window."""
    return sa.union(
        sa.select(CentreTie.ru_centre_id).where(held(window)),
        sa.select(CentreTie.kz_centre_id).where(held(window)),
    )
