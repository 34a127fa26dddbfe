"""Who should meet: for the widest gaps, pairs of experts who could close them.

A proposal pairs a Russian and a Kazakh expert, each affiliated now with one centre of a
gap, sharing at least one topic, who have never written or sat in a session together.
Its ``session`` is the body ``POST /api/v1/reports/recommendations/apply`` takes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from app.experts.models import Affiliation, Expert, expert_topics
from app.experts.services import visible_to
from app.extensions import db
from app.forums import invitations, sessions
from app.forums.models import Forum, ForumSession, Participation, ParticipationRole
from app.reference.models import Topic
from app.reports import ledger
from app.reports.models import ExpertTie
from app.reports.queries import Window
from app.reports.services import DORMANT_SINCE, centre_label, centre_rows, describe, gap_rows

NEW_GENERATION = 1980  # born since: the Kazakh elites the report says Russia hardly knows
GAP_WEIGHT = {"never": 2.0, "dormant": 1.0}


@dataclasses.dataclass(frozen=True)
class Gap:
    kind: str
    ru_centre: int
    kz_centre: int
    shared_topics: int


def _gaps(w: Window, count: int) -> list[Gap]:
    never, dormant, _, _ = gap_rows(w, DORMANT_SINCE, count)
    return [Gap("never", r[0], r[1], r[2]) for r in never] + [
        Gap("dormant", r.ru_centre_id, r.kz_centre_id, r.shared) for r in dormant
    ]


def _members(centre_ids: set[int], day: dt.date) -> dict[int, list[Expert]]:
    """Experts affiliated with these centres on ``day``, from the centre's country; not
    those whose registration is unverified (private: see ``visible_to``)."""
    rows = db.session.execute(
        sa.select(Affiliation.centre_id, Expert)
        .join(Expert, Expert.id == Affiliation.expert_id)
        .where(
            visible_to(None),
            Affiliation.centre_id.in_(centre_ids),
            Affiliation.held_on_sql(day),
        )
        .order_by(Expert.id)
    ).all()
    members: dict[int, list[Expert]] = defaultdict(list)
    for centre_id, expert in rows:
        members[centre_id].append(expert)
    return members


def _topics_of(expert_ids: set[int]) -> dict[int, set[int]]:
    topics: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        sa.select(expert_topics.c.expert_id, expert_topics.c.topic_id).where(
            expert_topics.c.expert_id.in_(expert_ids)
        )
    )
    for expert_id, topic_id in rows:
        topics[expert_id].add(topic_id)
    return topics


def _met(expert_ids: set[int], forum: Forum | None) -> set[tuple[int, int]]:
    """Pairs who wrote or sat together, or are already together in this forum."""
    met = set(
        db.session.execute(
            sa.select(ExpertTie.ru_expert_id, ExpertTie.kz_expert_id).where(
                ExpertTie.ru_expert_id.in_(expert_ids), ExpertTie.kz_expert_id.in_(expert_ids)
            )
        ).all()
    )
    if forum is not None:
        seats: dict[int, set[int]] = defaultdict(set)
        rows = db.session.execute(
            sa.select(Participation.session_id, Participation.expert_id)
            .join(ForumSession, ForumSession.id == Participation.session_id)
            .where(ForumSession.forum_id == forum.id, Participation.expert_id.in_(expert_ids))
        )
        for session_id, expert_id in rows:
            seats[session_id].add(expert_id)
        met |= {(a, b) for people in seats.values() for a in people for b in people}
    return met


def recommend(w: Window, forum: Forum | None, gaps: int, per_gap: int) -> dict[str, Any]:
    """Proposals for the top ``gaps`` never-tied and dormant pairs, best first."""
    ledger.sync(db.session)
    centres = centre_rows(w)
    found = _gaps(w, gaps)
    members = _members({c for g in found for c in (g.ru_centre, g.kz_centre)}, w.end)
    people = {e.id: e for group in members.values() for e in group}
    topics = _topics_of(set(people))
    met = _met(set(people), forum)
    names = dict(db.session.execute(sa.select(Topic.id, Topic.name_en)).all())
    proposals = []
    for gap in found:
        pairs = _pairs(gap, members, topics, met)
        for ru, kz, shared in pairs[:per_gap]:
            proposals.append(_proposal(gap, centres, ru, kz, shared, names, forum))
    proposals.sort(key=lambda p: -p["score"])
    return {
        "window": describe(w) | {"forum": forum.id if forum else None},
        "summary": {"gaps_considered": len(found), "proposals": len(proposals)},
        "rows": proposals,
    }


def _pairs(gap: Gap, members, topics, met) -> list[tuple[Expert, Expert, list[int]]]:
    pairs = []
    for ru in members.get(gap.ru_centre, []):
        for kz in members.get(gap.kz_centre, []):
            shared = sorted(topics[ru.id] & topics[kz.id])
            if (
                ru.country_code == "RU"
                and kz.country_code == "KZ"
                and shared
                and (ru.id, kz.id) not in met
            ):
                pairs.append((ru, kz, shared))
    return sorted(pairs, key=lambda p: (-len(p[2]), p[0].id, p[1].id))


def _proposal(gap, centres, ru, kz, shared, names, forum) -> dict[str, Any]:
    ru_centre, kz_centre = centres[gap.ru_centre], centres[gap.kz_centre]
    young = kz.birth_year is not None and kz.birth_year >= NEW_GENERATION
    score = (
        GAP_WEIGHT[gap.kind] + 1.0 * len(shared) + 0.5 * gap.shared_topics + (0.5 if young else 0)
    )
    ru_name = ru_centre["acronym"] or ru_centre["name_en"]
    kz_name = kz_centre["acronym"] or kz_centre["name_en"]
    reasons = [
        f"{ru_name} and {kz_name} have never worked together"
        if gap.kind == "never"
        else f"{ru_name} and {kz_name} have not worked together since {DORMANT_SINCE:%B %Y}",
        f"both work on {', '.join(names[t] for t in shared)}",
        f"{ru.full_name} and {kz.full_name} have never written or sat in a session together",
    ]
    if young:
        reasons.append(f"{kz.full_name} (born {kz.birth_year}) is of the new Kazakh generation")
    return {
        "score": round(score, 2),
        "gap": gap.kind,
        "ru_centre": centre_label(ru_centre),
        "kz_centre": centre_label(kz_centre),
        "ru_expert": {"id": ru.id, "full_name": ru.full_name},
        "kz_expert": {"id": kz.id, "full_name": kz.full_name},
        "shared_topic_ids": shared,
        "reasons": reasons,
        "session": {
            "forum_id": forum.id if forum else None,
            "title": f"{names[shared[0]]}: {ru_name} and {kz_name}",
            "format": "roundtable",
            "topic_ids": shared,
            "duration_minutes": 90,
            "participants": [
                {"expert_id": ru.id, "role": ParticipationRole.SPEAKER.value},
                {"expert_id": kz.id, "role": ParticipationRole.SPEAKER.value},
            ],
        },
    }


def apply(forum: Forum, data: dict[str, Any]) -> ForumSession:
    """A draft session from chosen pairs, its invitations sent: through the forum services."""
    body = {k: data[k] for k in ("title", "format", "topic_ids", "duration_minutes") if k in data}
    session = sessions.create_session(forum, body)
    for participant in data["participants"]:
        invitations.invite(session, participant)
    return session
