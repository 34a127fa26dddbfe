"""A problem indexed once, for the checks, the first plan and the model alike, and the
small helpers on sessions and slots they share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from app.forums.solver.specs import SIDES, Problem, SessionSpec


def span(start: int, length: int) -> range:
    return range(start, start + length)


def people_of(session: SessionSpec) -> tuple[int, ...]:
    return tuple(dict.fromkeys(session.expert_ids + session.moderator_ids))


def fixed_room(session: SessionSpec) -> int | None:
    room_id = session.fixed[0]
    return None if room_id is None or room_id < 0 else room_id


def fixed_run(s: SessionSpec) -> tuple[int, int]:
    return s.fixed[1], s.slots


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[0] + b[1] and b[0] < a[0] + a[1]


def side_of(facts: Facts, s: SessionSpec) -> str | None:
    """The country of the first moderator, if it is one of the two sides."""
    side = facts.experts[s.moderator_ids[0]].country.upper() if s.moderator_ids else None
    return side if side in SIDES else None


def _by_id(items: Sequence, kind: str) -> dict:
    found = {item.id: item for item in items}
    if len(found) != len(items):
        raise ValueError(f"Duplicate {kind} ids.")
    return found


class Facts:
    """A problem indexed once: lookups, what fixed sessions hold, candidate starts."""

    def __init__(self, problem: Problem) -> None:
        self.problem, self.spd = problem, problem.slots_per_day
        self.experts = _by_id(problem.experts, "expert")
        self.rooms = _by_id(problem.rooms, "room")
        self.sessions = _by_id(problem.sessions, "session")
        self.fixed = [s for s in problem.sessions if s.fixed is not None]
        self.open = [s for s in problem.sessions if s.fixed is None]
        self._validate()
        self.grid = grid = frozenset(range(problem.days * self.spd))
        held: dict[tuple[str, int], set[int]] = defaultdict(set)
        for s in self.fixed:
            keys = [("room", fixed_room(s)), *(("person", p) for p in people_of(s))]
            for key in keys:
                held[key].update(span(s.fixed[1], s.slots))
        self.person_free = {
            e.id: (grid if e.available is None else grid & e.available)
            - e.busy
            - held[("person", e.id)]
            for e in problem.experts
        }
        self.room_free = {
            r.id: (grid if r.open_slots is None else grid & r.open_slots) - held[("room", r.id)]
            for r in problem.rooms
        }
        self.starts = {s.id: self._starts(s) for s in self.open}

    def _validate(self) -> None:
        for s in self.problem.sessions:
            if s.slots < 1 or not set(people_of(s)) <= self.experts.keys():
                raise ValueError(f"Session {s.id} has no duration or names an unknown expert.")
            if s.fixed is not None and fixed_room(s) not in {None, *self.rooms}:
                raise ValueError(f"Session {s.id} is fixed in an unknown room.")

    def _starts(self, s: SessionSpec) -> dict[int, list[int]]:
        """Starts per large enough room where everyone is free and the room open and empty."""
        free = frozenset.intersection(*(self.person_free[p] for p in people_of(s)), self.grid)
        fits = [t for t in self.day_starts(s.slots) if free.issuperset(span(t, s.slots))]
        return {
            r.id: [t for t in fits if self.room_free[r.id].issuperset(span(t, s.slots))]
            for r in self.problem.rooms
            if s.audience is None or r.capacity >= s.audience
        }

    def day_starts(self, length: int) -> list[int]:
        return [
            d * self.spd + k for d in range(self.problem.days) for k in range(self.spd - length + 1)
        ]

    def largest_room(self) -> int:
        return max((r.capacity for r in self.problem.rooms), default=0)
