"""The first plan, found greedily, that the CP-SAT search starts from."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

from app.forums.solver.facts import Facts, fixed_room, people_of, side_of, span
from app.forums.solver.specs import (
    EXPERT_SAME_DAY_WEIGHT,
    MODERATOR_IMBALANCE_WEIGHT,
    PLENARY_OFFSET_WEIGHT,
    SIDES,
    TOPIC_OVERLAP_WEIGHT,
    SessionSpec,
)


class FirstFit:
    """A quick plan to start the search from (CP-SAT alone is slow to a first plan): most
    constrained sessions first, each where it adds least to the soft goals, then earliest,
    in the smallest room. A session that finds no free place is left out."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.taken: dict[tuple[str, int], set[int]] = defaultdict(set)
        self.topics: dict[tuple[int, int], set[int]] = defaultdict(set)  # (topic, slot)
        self.days: Counter[tuple[int, int]] = Counter()  # (person, day) and (side, day)
        for s in facts.fixed:
            self._record(s, fixed_room(s), s.fixed[1])

    def plan(self) -> dict[int, tuple[int, int]]:
        plan, starts = {}, self.facts.starts
        for s in sorted(self.facts.open, key=lambda s: sum(map(len, starts[s.id].values()))):
            held = set().union(*(self.taken[("person", p)] for p in people_of(s)))
            free = [
                (room_id, t)
                for room_id, t in _options(self.facts, s)
                if held.isdisjoint(span(t, s.slots))
                and self.taken[("room", room_id)].isdisjoint(span(t, s.slots))
            ]
            if free:  # min keeps the first of equals: _options lists small rooms first
                costs = {t: self._cost(s, t) for t in {t for _, t in free}}
                plan[s.id] = min(free, key=lambda option: (costs[option[1]], option[1]))
                self._record(s, *plan[s.id])
        return plan

    def _record(self, s: SessionSpec, room_id: int | None, start: int) -> None:
        day, run = start // self.facts.spd, span(start, s.slots)
        self.taken[("room", room_id)].update(run)
        for p in people_of(s):
            self.taken[("person", p)].update(run)
            self.days[(p, day)] += 1
        for topic, slot in itertools.product(s.topic_ids, run):
            self.topics[(topic, slot)].add(s.id)
        if side := side_of(self.facts, s):
            self.days[(side, day)] += 1

    def _cost(self, s: SessionSpec, start: int) -> int:
        """What placing ``s`` at ``start`` adds to the objective, given the plan so far."""
        day, run = start // self.facts.spd, span(start, s.slots)
        clashes = set().union(*(self.topics[(t, x)] for t in s.topic_ids for x in run))
        crowded = sum(self.days[(p, day)] > 0 for p in people_of(s))
        cost = TOPIC_OVERLAP_WEIGHT * len(clashes) + EXPERT_SAME_DAY_WEIGHT * crowded
        if s.format == "plenary":
            cost += PLENARY_OFFSET_WEIGHT * (start % self.facts.spd)
        if side := side_of(self.facts, s):
            lead = self.days[(side, day)] - sum(self.days[(o, day)] for o in SIDES if o != side)
            cost += MODERATOR_IMBALANCE_WEIGHT * (1 if lead >= 0 else -1)
        return cost


def _options(facts: Facts, s: SessionSpec) -> list[tuple[int, int]]:
    by_size = sorted(facts.starts[s.id].items(), key=lambda item: facts.rooms[item[0]].capacity)
    return [(room_id, start) for room_id, starts in by_size for start in starts]
