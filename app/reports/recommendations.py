"""Who should meet: for the widest gaps, pairs of experts who could close them.

A proposal pairs a Russian and a Kazakh expert, each affiliated now with one centre of a
gap, sharing at least one topic, who have never written or sat in a session together; or,
for experts without a current centre (``app.reports.unaffiliated``), a colleague across
the border matched by topics and shared history. Its ``session`` is the body
``POST /api/v1/reports/recommendations/apply`` takes.
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
from app.reports import ledger, notes, unaffiliated
from app.reports.queries import Window
from app.reports.services import (
    centre_label,
    centre_rows,
    describe,
    dormant_cutoff,
    era,
    gap_rows,
    organisation_ties,
)

NEW_GENERATION = 1980  # born since: the Kazakh elites the report says Russia hardly knows
GAP_WEIGHT = {"never": 2.0, "dormant": 1.0, "without_centre": 1.0}
STOPPED = {
    "before_pandemic": "before the pandemic",
    "pandemic": "when the pandemic cut contacts",
    "after_february_2022": "after February 2022",
}


@dataclasses.dataclass(frozen=True)
class Gap:
    kind: str
    ru_centre: int
    kz_centre: int
    shared_topics: int
    last: dt.date | None = None  # dormant: the pair's last day active


def _gaps(w: Window, count: int, centres: dict[int, dict[str, Any]]) -> list[Gap]:
    # As the gaps report lists them: no pair whose organisations met through other units.
    met = organisation_ties(w, centres)
    never, dormant, _ = gap_rows(w, dormant_cutoff(w), count, met)
    return [Gap("never", r[0], r[1], r[2]) for r in never] + [
        Gap("dormant", r.ru_centre_id, r.kz_centre_id, r.shared, r.active_until) for r in dormant
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


def _seated(expert_ids: set[int], forum: Forum | None) -> set[tuple[int, int]]:
    """Pairs already together in a session of this forum."""
    if forum is None:
        return set()
    seats: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        sa.select(Participation.session_id, Participation.expert_id)
        .join(ForumSession, ForumSession.id == Participation.session_id)
        .where(ForumSession.forum_id == forum.id, Participation.expert_id.in_(expert_ids))
    )
    for session_id, expert_id in rows:
        seats[session_id].add(expert_id)
    return {(a, b) for people in seats.values() for a in people for b in people}


def recommend(w: Window, forum: Forum | None, gaps: int, per_gap: int) -> dict[str, Any]:
    """Proposals for the top ``gaps`` never-tied and dormant pairs, and for up to ``gaps``
    experts without a current centre, best first."""
    ledger.sync(db.session)
    centres = centre_rows(w)
    found = _gaps(w, gaps, centres)
    members = _members({c for g in found for c in (g.ru_centre, g.kz_centre)}, w.end)
    loose = unaffiliated.without_centre(w.end, gaps)
    matched = unaffiliated.matches(loose, _topics_of, dormant_cutoff(w))
    people = {e.id: e for group in members.values() for e in group}
    people |= _experts({i for m in matched for i in (m.ru_id, m.kz_id, *m.common)} - set(people))
    topics = _topics_of(set(people))
    seated = _seated(set(people), forum)
    met = set(unaffiliated.last_together(set(people))) | seated  # ever, planned too
    names = dict(db.session.execute(sa.select(Topic.id, Topic.name_en)).all())
    proposals = []
    for gap in found:
        pairs = _pairs(gap, members, topics, met)
        for ru, kz, shared in pairs[:per_gap]:
            proposals.append(_proposal(gap, centres, ru, kz, shared, names, forum))
    proposals += _loose_proposals(
        matched, _Context(set(loose), people, centres, seated, names, forum, w.end), per_gap
    )
    proposals.sort(key=lambda p: -p["score"])
    return {
        "window": describe(w) | {"forum": forum.id if forum else None},
        "summary": {
            "gaps_considered": len(found),
            "experts_without_centre_considered": len(loose),
            "proposals": len(proposals),
        },
        "rows": proposals,
        "notes": notes.recommendations(
            forum.id if forum else None,
            {people[i].full_name for p in proposals for i in _loose_ids(p, set(loose))},
        ),
    }


def _experts(ids: set[int]) -> dict[int, Expert]:
    if not ids:
        return {}
    return {e.id: e for e in db.session.scalars(sa.select(Expert).where(Expert.id.in_(ids)))}


def _loose_ids(proposal: dict[str, Any], loose: set[int]) -> list[int]:
    return [e["id"] for e in (proposal["ru_expert"], proposal["kz_expert"]) if e["id"] in loose]


def _affiliations(ids: set[int], day: dt.date) -> dict[int, int]:
    """A current centre of each of ``ids`` that has one (the lowest id)."""
    rows = db.session.execute(
        sa.select(Affiliation.expert_id, sa.func.min(Affiliation.centre_id))
        .where(
            Affiliation.expert_id.in_(ids),
            Affiliation.held_on_sql(day),
        )
        .group_by(Affiliation.expert_id)
    )
    return dict(rows.all())


@dataclasses.dataclass(frozen=True)
class _Context:
    loose: set[int]  # the experts without a centre considered
    people: dict[int, Expert]
    centres: dict[int, dict[str, Any]]
    seated: set[tuple[int, int]]  # already together in the forum
    names: dict[int, str]
    forum: Forum | None
    day: dt.date


def _loose_proposals(
    matched: list[unaffiliated.Match], ctx: _Context, per_gap: int
) -> list[dict[str, Any]]:
    """Up to ``per_gap`` proposals for each expert without a centre, in ``matched`` order."""
    seats = _affiliations({i for m in matched for i in (m.ru_id, m.kz_id)}, ctx.day)
    shown: dict[int, int] = defaultdict(int)
    proposals = []
    for match in matched:
        heads = [i for i in (match.ru_id, match.kz_id) if i in ctx.loose]
        if (match.ru_id, match.kz_id) in ctx.seated or all(shown[i] >= per_gap for i in heads):
            continue
        for i in heads:
            shown[i] += 1
        homes = {i: ctx.centres.get(seats.get(i, -1)) for i in (match.ru_id, match.kz_id)}
        proposals.append(_loose_proposal(match, homes, ctx))
    return proposals


def _loose_proposal(match: unaffiliated.Match, homes, ctx: _Context) -> dict[str, Any]:
    ru, kz, names, people = ctx.people[match.ru_id], ctx.people[match.kz_id], ctx.names, ctx.people
    young = kz.birth_year is not None and kz.birth_year >= NEW_GENERATION
    score = GAP_WEIGHT["without_centre"] + unaffiliated.weight(match) + (0.5 if young else 0)
    reasons = []
    for person in (ru, kz):
        home = homes[person.id]
        reasons.append(
            f"{person.full_name} is at {centre_label(home)['label']}"
            if home
            else f"{person.full_name} has no current centre, so no centre gap can propose them"
        )
    reasons.append(f"both work on {', '.join(names[t] for t in match.shared)}")
    if match.last_together is not None:
        reasons.append(
            f"{ru.full_name} and {kz.full_name} last worked together on "
            f"{match.last_together.isoformat()}, {STOPPED[era(match.last_together)]}"
        )
    else:
        reasons.append(
            f"{ru.full_name} and {kz.full_name} have never written or sat in a session together"
        )
    if match.common:
        common = ", ".join(people[i].full_name for i in match.common[:3])
        reasons.append(f"both have written or sat in sessions with {common}")
    if young:
        reasons.append(f"{kz.full_name} (born {kz.birth_year}) is of the new Kazakh generation")
    labels = [centre_label(homes[e.id]) if homes[e.id] else None for e in (ru, kz)]
    return _shape(
        "without_centre",
        score,
        labels,
        (ru, kz),
        list(match.shared),
        reasons,
        ctx.forum,
        f"{names[match.shared[0]]}: {ru.full_name} and {kz.full_name}",
    )


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
    labels = centre_label(ru_centre), centre_label(kz_centre)
    ru_name, kz_name = labels[0]["label"], labels[1]["label"]
    reasons = [
        f"{ru_name} and {kz_name} have never worked together"
        if gap.kind == "never"
        else f"{ru_name} and {kz_name} last worked together on {_day(gap.last)}, "
        f"{STOPPED[era(gap.last)]}",
        f"both work on {', '.join(names[t] for t in shared)}",
        f"{ru.full_name} and {kz.full_name} have never written or sat in a session together",
    ]
    if young:
        reasons.append(f"{kz.full_name} (born {kz.birth_year}) is of the new Kazakh generation")
    return _shape(
        gap.kind,
        score,
        labels,
        (ru, kz),
        shared,
        reasons,
        forum,
        f"{names[shared[0]]}: {ru_name} and {kz_name}",
    )


def _day(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


def _shape(kind, score, centres, experts, shared, reasons, forum, title) -> dict[str, Any]:
    """A proposal as the answer gives it: its ``session`` is the apply endpoint's body."""
    ru, kz = experts
    return {
        "score": round(score, 2),
        "gap": kind,
        "ru_centre": centres[0],
        "kz_centre": centres[1],
        "ru_expert": {"id": ru.id, "full_name": ru.full_name},
        "kz_expert": {"id": kz.id, "full_name": kz.full_name},
        "shared_topic_ids": shared,
        "reasons": reasons,
        "session": {
            "forum_id": forum.id if forum else None,
            "title": title,
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
