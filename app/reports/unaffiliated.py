"""Who could meet among experts without a current centre, whom the centre gaps never reach.

The report names Kazakh analysts who publish regularly and evenly on Russia but hold no post
at a centre; a gap between two centres can never propose them. Here each such expert is
matched with colleagues across the border by topics and by shared history: work together
before the dormant cutoff (a contact to renew) and people both have written or sat with.
A few statements, whatever the size of the network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import orm

from app.experts.models import Affiliation, Expert, expert_topics
from app.experts.services import visible_to
from app.extensions import db
from app.forums.models import (
    ForumSession,
    Participation,
    ParticipationStatus,
    PublicationStatus,
)
from app.publications.models import Authorship
from app.reports.models import ExpertTie

# Partners read per expert before history is weighed: a few more than any answer shows.
CANDIDATES = 12


@dataclasses.dataclass(frozen=True)
class Match:
    """A Russian and a Kazakh expert, at least one without a centre, and why they fit."""

    ru_id: int
    kz_id: int
    shared: tuple[int, ...]
    last_together: dt.date | None  # before the cutoff: a contact to renew
    common: tuple[int, ...]  # people both have written or sat with


def without_centre(day: dt.date, count: int) -> list[int]:
    """Up to ``count`` visible Russian and Kazakh experts with topics and no centre on
    ``day``, those with most ties across the border first."""
    # Two counts, not one with OR: each side of the ledger has its own index.
    ties = sum(
        sa.select(sa.func.count()).where(column == Expert.id).scalar_subquery()
        for column in (ExpertTie.ru_expert_id, ExpertTie.kz_expert_id)
    )
    return list(
        db.session.scalars(
            sa.select(Expert.id)
            .where(
                visible_to(None),
                Expert.country_code.in_(("RU", "KZ")),
                sa.exists().where(expert_topics.c.expert_id == Expert.id),
                ~sa.exists().where(
                    Affiliation.expert_id == Expert.id, Affiliation.held_on_sql(day)
                ),
            )
            .order_by(ties.desc(), Expert.id)
            .limit(count)
        )
    )


def _partners(ids: list[int]) -> list[tuple[int, int]]:
    """(Russian, Kazakh) pairs of each of ``ids`` with a partner across the border: the
    ``CANDIDATES`` sharing most topics with each."""
    mine, theirs = expert_topics.alias("mine"), expert_topics.alias("theirs")
    me, them = orm.aliased(Expert), orm.aliased(Expert)
    visible = sa.select(Expert.id).where(visible_to(None))
    pairs = (
        sa.select(
            mine.c.expert_id.label("expert"),
            theirs.c.expert_id.label("partner"),
            me.country_code.label("country"),
            sa.func.count().label("shared"),
        )
        .join(theirs, theirs.c.topic_id == mine.c.topic_id)
        .join(me, me.id == mine.c.expert_id)
        .join(them, them.id == theirs.c.expert_id)
        .where(
            mine.c.expert_id.in_(ids),
            them.country_code.in_(("RU", "KZ")),
            them.country_code != me.country_code,
            theirs.c.expert_id.in_(visible),
        )
        .group_by(mine.c.expert_id, theirs.c.expert_id, me.country_code)
        .subquery()
    )
    rank = sa.func.row_number().over(
        partition_by=pairs.c.expert, order_by=(pairs.c.shared.desc(), pairs.c.partner)
    )
    ranked = sa.select(
        pairs.c.expert, pairs.c.partner, pairs.c.country, rank.label("rank")
    ).subquery()
    rows = db.session.execute(
        sa.select(ranked.c.expert, ranked.c.partner, ranked.c.country).where(
            ranked.c.rank <= CANDIDATES
        )
    )
    return [(me, them) if country == "RU" else (them, me) for me, them, country in rows]


def last_together(ids: set[int]) -> dict[tuple[int, int], dt.date]:
    """The last day each Russian × Kazakh pair among ``ids`` wrote or sat together."""
    rows = db.session.execute(
        sa.select(ExpertTie.ru_expert_id, ExpertTie.kz_expert_id, sa.func.max(ExpertTie.starts_on))
        .where(ExpertTie.ru_expert_id.in_(ids), ExpertTie.kz_expert_id.in_(ids))
        .group_by(ExpertTie.ru_expert_id, ExpertTie.kz_expert_id)
    )
    return {(ru, kz): day for ru, kz, day in rows}


def _collaborators(ids: set[int]) -> dict[int, set[int]]:
    """Everyone each of ``ids`` has written with or sat with in a published session."""
    a, b = orm.aliased(Authorship), orm.aliased(Authorship)
    p, q = orm.aliased(Participation), orm.aliased(Participation)
    wrote = (
        sa.select(a.expert_id, b.expert_id)
        .join(b, sa.and_(b.publication_id == a.publication_id, b.expert_id != a.expert_id))
        .where(a.expert_id.in_(ids))
    )
    sat = (
        sa.select(p.expert_id, q.expert_id)
        .join(q, sa.and_(q.session_id == p.session_id, q.expert_id != p.expert_id))
        .join(ForumSession, ForumSession.id == p.session_id)
        .where(
            p.expert_id.in_(ids),
            ForumSession.status == PublicationStatus.PUBLISHED,
            p.status == ParticipationStatus.ACCEPTED,
            q.status == ParticipationStatus.ACCEPTED,
        )
    )
    known: dict[int, set[int]] = defaultdict(set)
    for me, other in db.session.execute(sa.union(wrote, sat)):
        known[me].add(other)
    return known


def matches(
    ids: list[int], topics_of: Callable[[set[int]], dict[int, set[int]]], cutoff: dt.date
) -> list[Match]:
    """For each of ``ids`` (experts without a centre), the partners across the border who
    share a topic and have not worked with them since ``cutoff``, best first."""
    candidates = set(_partners(ids))
    people = {person for pair in candidates for person in pair}
    topics, together, known = topics_of(people), last_together(people), _collaborators(people)
    found = []
    for ru, kz in candidates:
        last = together.get((ru, kz))
        shared = tuple(sorted(topics[ru] & topics[kz]))
        if (last is not None and last >= cutoff) or not shared:
            continue
        common = tuple(sorted((known[ru] & known[kz]) - {ru, kz}))
        found.append(Match(ru, kz, shared, last, common))
    return sorted(found, key=lambda m: (-weight(m), m.ru_id, m.kz_id))


def weight(match: Match) -> float:
    """Topics shared, a contact to renew, and people in common: what makes a meeting likely
    to take."""
    renew = 1.0 if match.last_together is not None else 0.0
    return len(match.shared) + renew + 0.5 * min(len(match.common), 2)
