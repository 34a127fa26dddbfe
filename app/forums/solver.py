"""A CP-SAT timetable for the sessions of a bilateral forum, on integer slot indices.

Pure: no Flask, no database. Slot ``k`` of day ``d`` has the global index
``d * slots_per_day + k``; a session occupies ``[start, start + slots)`` and never crosses
a day boundary. Hard constraints hold in every returned plan (``check`` verifies them
independently); the soft goals are a weighted sum, minimised. A session's moderators are
people too: they are held to the same constraints as its experts.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

# Soft goals, per unit. A topic clash splits an audience, so it outweighs the rest.
TOPIC_OVERLAP_WEIGHT = 10  # per pair of parallel sessions sharing a topic
PLENARY_OFFSET_WEIGHT = 4  # per slot a plenary starts after its day's first slot
EXPERT_SAME_DAY_WEIGHT = 3  # per session of an expert beyond their first on one day
MODERATOR_IMBALANCE_WEIGHT = 2  # per session of difference between RU and KZ moderators a day
WEIGHTS = {
    "topic_overlap": TOPIC_OVERLAP_WEIGHT,
    "plenary_offset": PLENARY_OFFSET_WEIGHT,
    "expert_same_day": EXPERT_SAME_DAY_WEIGHT,
    "moderator_imbalance": MODERATOR_IMBALANCE_WEIGHT,
}
SIDES = ("RU", "KZ")
RANDOM_SEED = 1
STATUSES = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}


@dataclass(frozen=True)
class RoomSpec:
    id: int
    name: str
    capacity: int
    open_slots: frozenset[int] | None = None  # None: always open


@dataclass(frozen=True)
class ExpertSpec:
    id: int
    name: str
    country: str  # "RU", "KZ", ...
    available: frozenset[int] | None = None  # None: any slot
    busy: frozenset[int] = frozenset()  # booked outside this problem (other forums)


@dataclass(frozen=True)
class SessionSpec:
    id: int
    title: str
    format: str  # "plenary" | "panel" | "roundtable" | "workshop"
    slots: int
    audience: int | None
    topic_ids: frozenset[int]
    expert_ids: tuple[int, ...]
    moderator_ids: tuple[int, ...] = ()
    fixed: tuple[int, int] | None = None  # (room_id, start); room_id -1: a time but no room


@dataclass(frozen=True)
class Problem:
    days: int
    slots_per_day: int
    rooms: tuple[RoomSpec, ...]
    experts: tuple[ExpertSpec, ...]
    sessions: tuple[SessionSpec, ...]


@dataclass
class Result:
    status: str  # "optimal" | "feasible" | "infeasible" | "unknown"
    placements: dict[int, tuple[int, int]]  # unscheduled session id -> (room_id, start)
    objective: float | None
    first_objective: float | None
    first_solution_seconds: float | None
    wall_seconds: float
    reasons: list[str]
    penalties: dict[str, int]


def _run(start: int, length: int) -> range:
    return range(start, start + length)


def _people(session: SessionSpec) -> tuple[int, ...]:
    return tuple(dict.fromkeys(session.expert_ids + session.moderator_ids))


def _fixed_room(session: SessionSpec) -> int | None:
    room_id = session.fixed[0]
    return None if room_id is None or room_id < 0 else room_id


def _fixed_run(s: SessionSpec) -> tuple[int, int]:
    return s.fixed[1], s.slots


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[0] + b[1] and b[0] < a[0] + a[1]


def _runs(slots: frozenset[int]) -> list[tuple[int, int]]:
    """Consecutive slots as (start, length) runs."""
    runs: list[list[int]] = []
    for slot in sorted(slots):
        if runs and runs[-1][0] + runs[-1][1] == slot:
            runs[-1][1] += 1
        else:
            runs.append([slot, 1])
    return [(a, n) for a, n in runs]


def _side(facts: _Facts, s: SessionSpec) -> str | None:
    """The country of the first moderator, if it is one of the two sides."""
    side = facts.experts[s.moderator_ids[0]].country.upper() if s.moderator_ids else None
    return side if side in SIDES else None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _by_id(items: Sequence, kind: str) -> dict:
    found = {item.id: item for item in items}
    if len(found) != len(items):
        raise ValueError(f"Duplicate {kind} ids.")
    return found


class _Facts:
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
            keys = [("room", _fixed_room(s)), *(("person", p) for p in _people(s))]
            for key in keys:
                held[key].update(_run(s.fixed[1], s.slots))
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
            if s.slots < 1 or not set(_people(s)) <= self.experts.keys():
                raise ValueError(f"Session {s.id} has no duration or names an unknown expert.")
            if s.fixed is not None and _fixed_room(s) not in {None, *self.rooms}:
                raise ValueError(f"Session {s.id} is fixed in an unknown room.")

    def _starts(self, s: SessionSpec) -> dict[int, list[int]]:
        """Starts per large enough room where everyone is free and the room open and empty."""
        free = frozenset.intersection(*(self.person_free[p] for p in _people(s)), self.grid)
        fits = [t for t in self.day_starts(s.slots) if free.issuperset(_run(t, s.slots))]
        return {
            r.id: [t for t in fits if self.room_free[r.id].issuperset(_run(t, s.slots))]
            for r in self.problem.rooms
            if s.audience is None or r.capacity >= s.audience
        }

    def day_starts(self, length: int) -> list[int]:
        return [
            d * self.spd + k for d in range(self.problem.days) for k in range(self.spd - length + 1)
        ]

    def largest_room(self) -> int:
        return max((r.capacity for r in self.problem.rooms), default=0)


# ---------------------------------------------------------------- pre-checks and verification


def explain(problem: Problem) -> list[str]:
    """Cheap necessary conditions for a plan; each message names what is in the way."""
    return _explain(_Facts(problem))


def _explain(facts: _Facts) -> list[str]:
    fixed_plan = {s.id: (_fixed_room(s), s.fixed[1]) for s in facts.fixed}
    return [
        *_clashes(facts, fixed_plan, "Fixed session"),
        *_audiences_too_large(facts),
        *_overcommitted_experts(facts),
        *_sessions_without_start(facts),
        *_room_slot_shortages(facts),
    ]


def _clashes(facts: _Facts, plan: dict, label: str = "Session") -> list[str]:
    """Two sessions in one room or with one person at once, or a person booked elsewhere."""
    taken: dict[tuple, int] = {}
    found: dict[tuple, str] = {}  # keyed to report each clash once, in plan order
    for sid, (room_id, start) in plan.items():
        s = facts.sessions[sid]
        keys = [("room", room_id)] if room_id is not None else []
        keys += [("person", p) for p in _people(s)]
        for slot, key in itertools.product(_run(start, s.slots), keys):
            other = taken.setdefault((*key, slot), sid)
            if other != sid:
                found.setdefault((*key, other, sid), _clash(facts, key, other, sid, label))
            elif key[0] == "person" and slot in facts.experts[key[1]].busy:
                name = facts.experts[key[1]].name
                found.setdefault(
                    (*key, sid),
                    f"{label} '{s.title}' needs Expert {name} at slot {slot}, "
                    "when they are booked elsewhere.",
                )
    return list(found.values())


def _clash(facts: _Facts, key: tuple, a: int, b: int, label: str) -> str:
    pair = f"{label}s '{facts.sessions[a].title}' and '{facts.sessions[b].title}' overlap"
    if key[0] == "room":
        return f"{pair} in room {facts.rooms[key[1]].name}."
    return f"{pair} and share Expert {facts.experts[key[1]].name}."


def _audiences_too_large(facts: _Facts) -> list[str]:
    largest = facts.largest_room()
    return [
        f"Session '{s.title}' expects {s.audience} people but the largest room holds {largest}."
        for s in facts.open
        if s.audience is not None and s.audience > largest
    ]


def _overcommitted_experts(facts: _Facts) -> list[str]:
    needs: dict[int, list[int]] = defaultdict(list)
    for s in facts.open:
        for p in _people(s):
            needs[p].append(s.slots)
    return [
        f"Expert {facts.experts[p].name} is in {_count(len(lengths), 'session')} needing "
        f"{_count(sum(lengths), 'slot')} but is available for "
        f"{_count(len(facts.person_free[p]), 'slot')}."
        for p, lengths in needs.items()
        if sum(lengths) > len(facts.person_free[p])
    ]


def _sessions_without_start(facts: _Facts) -> list[str]:
    largest = facts.largest_room()
    return [
        f"Session '{s.title}' ({_count(s.slots, 'slot')}) has no start where all its experts "
        "and a large enough room are free."
        for s in facts.open
        if (s.audience or 0) <= largest and not any(facts.starts[s.id].values())
    ]


def _room_slot_shortages(facts: _Facts) -> list[str]:
    """Room-slots needed against offered, overall and for each audience size rooms must hold."""
    largest, messages = facts.largest_room(), []
    fitting = [s for s in facts.open if (s.audience or 0) <= largest]
    for level in sorted({0} | {s.audience or 0 for s in fitting}):
        need = sum(s.slots for s in fitting if (s.audience or 0) >= level)
        offer = sum(len(facts.room_free[r.id]) for r in facts.problem.rooms if r.capacity >= level)
        if need <= offer:
            continue
        whom = f" for {level} or more people" if level else ""
        rooms = f" holding {level} or more" if level else ""
        messages.append(
            f"The sessions{whom} need {need} room-slots but the rooms{rooms} offer {offer}."
        )
    return messages


def check(problem: Problem, placements: dict[int, tuple[int, int]]) -> list[str]:
    """Every hard constraint the plan breaks; an empty list means a valid plan."""
    facts = _Facts(problem)
    errors = [f"Placement for unknown session {sid}." for sid in placements.keys() - facts.sessions]
    plan: dict[int, tuple[int | None, int]] = {}
    for s in problem.sessions:
        if s.fixed is not None:
            if tuple(placements.get(s.id, s.fixed)) != tuple(s.fixed):
                errors.append(f"Fixed session '{s.title}' was moved.")
            plan[s.id] = (_fixed_room(s), s.fixed[1])
        elif s.id not in placements:
            errors.append(f"Session '{s.title}' is not placed.")
        elif placements[s.id][0] not in facts.rooms:
            errors.append(f"Session '{s.title}' is in unknown room {placements[s.id][0]}.")
        else:
            errors += _placement_errors(facts, s, *placements[s.id])
            plan[s.id] = placements[s.id]
    return errors + _clashes(facts, plan)


def _placement_errors(facts: _Facts, s: SessionSpec, room_id: int, start: int) -> list[str]:
    room, (day, offset) = facts.rooms[room_id], divmod(start, facts.spd)
    run, errors = set(_run(start, s.slots)), []
    if not 0 <= day < facts.problem.days:
        errors.append(f"Session '{s.title}' starts outside the forum's days.")
    elif offset + s.slots > facts.spd:
        errors.append(f"Session '{s.title}' runs past the end of day {day + 1}.")
    if s.audience is not None and s.audience > room.capacity:
        errors.append(
            f"Session '{s.title}' expects {s.audience} people but room {room.name} "
            f"holds {room.capacity}."
        )
    if room.open_slots is not None and not run <= room.open_slots:
        errors.append(f"Room {room.name} is closed during session '{s.title}'.")
    for p in _people(s):
        expert = facts.experts[p]
        if expert.available is not None and not run <= expert.available:
            errors.append(f"Expert {expert.name} is not available during session '{s.title}'.")
    return errors


# ---------------------------------------------------------------- the model


class _Timetable:
    """The CP-SAT model: for each unscheduled session a start, one literal per candidate
    room and one per possible day; soft terms are kept by goal for the breakdown."""

    def __init__(
        self, facts: _Facts, hint: dict | None = None, *, core: bool = False, ignore: str = ""
    ) -> None:
        """``core``: placements are left to assumptions and there is no objective; ``ignore``
        ("room" or "person") drops that kind's no-overlap, to see whether it is in the way."""
        self.facts, self.model = facts, cp_model.CpModel()
        self.start: dict[int, cp_model.IntVar] = {}
        self.room: dict[int, dict[int, cp_model.IntVar]] = {}
        self.day: dict[int, dict[int, cp_model.IntVar]] = {}
        self.placed: dict[int, cp_model.IntVar] = {}
        self.intervals: dict[tuple[str, int], list] = defaultdict(list)
        self.terms: dict[str, list] = {goal: [] for goal in WEIGHTS}
        self.constants = dict.fromkeys(WEIGHTS, 0)
        self.derived: list[tuple[cp_model.IntVar, Callable]] = []  # how to hint each aux var
        self.hinted: dict[int, int] | None = None  # every variable's value, if hint is a plan
        for s in facts.open:
            self._place(s)
            if not core:  # the core search assumes placements instead
                self.model.add(self.placed[s.id] == 1)
        self._no_overlaps(ignore)
        if ignore != "room":
            self._room_bands()
        if not core:
            self._topic_overlaps()
            self._plenary_offsets()
            self._expert_days()
            self._moderator_balance()
            self.model.minimize(sum(WEIGHTS[g] * self._total(g) for g in WEIGHTS))
        if hint is not None:
            self._hint(hint)

    def _place(self, s: SessionSpec) -> None:
        m, starts = self.model, {r: v for r, v in self.facts.starts[s.id].items() if v}
        union = sorted(set().union(*starts.values()))
        start = self.start[s.id] = m.new_int_var_from_domain(
            cp_model.Domain.FromValues(union), f"start_{s.id}"
        )
        self.room[s.id] = {}
        for room_id, values in starts.items():
            lit = self.room[s.id][room_id] = m.new_bool_var(f"room_{s.id}_{room_id}")
            if len(values) < len(union):
                m.add_linear_expression_in_domain(
                    start, cp_model.Domain.FromValues(values)
                ).only_enforce_if(lit)
            interval = m.new_optional_fixed_size_interval_var(start, s.slots, lit, "")
            self.intervals[("room", room_id)].append(interval)
        placed = self.placed[s.id] = m.new_bool_var(f"placed_{s.id}")
        m.add(sum(self.room[s.id].values()) == placed)
        interval = m.new_optional_fixed_size_interval_var(start, s.slots, placed, "")
        for p in _people(s):
            self.intervals[("person", p)].append(interval)
        self._days(s, {t // self.facts.spd for t in union})

    def _days(self, s: SessionSpec, days: set[int]) -> None:
        """Day literals keep the soft goals linear: exactly one holds, and pins the start."""
        spd, self.day[s.id] = self.facts.spd, {}
        for d in sorted(days):
            lit = self.day[s.id][d] = self.model.new_bool_var(f"day_{s.id}_{d}")
            self.model.add_linear_constraint(
                self.start[s.id], d * spd, d * spd + spd - s.slots
            ).only_enforce_if(lit)
        self.model.add_exactly_one(self.day[s.id].values())

    def _no_overlaps(self, ignore: str) -> None:
        """One session at a time per room and person; fixed sessions and outside bookings
        enter as fixed intervals (start domains already avoid them: this is the contract)."""
        m, facts = self.model, self.facts
        for s in facts.fixed:
            keys = [("room", _fixed_room(s)), *(("person", p) for p in _people(s))]
            for key in keys:
                if key in self.intervals:
                    self.intervals[key].append(m.new_fixed_size_interval_var(*_fixed_run(s), ""))
        for (kind, ident), intervals in list(self.intervals.items()):
            if kind == ignore:
                continue
            if kind == "person":
                busy = facts.experts[ident].busy & facts.grid
                intervals += [m.new_fixed_size_interval_var(a, n, "") for a, n in _runs(busy)]
            m.add_no_overlap(intervals)

    def _room_bands(self) -> None:
        """Redundant, but it speeds the search up: at any time the sessions that need a room
        of at least ``c`` seats are no more than the rooms that have them."""
        facts = self.facts
        for c in sorted({r.capacity for r in facts.problem.rooms}):
            rooms = {r.id for r in facts.problem.rooms if r.capacity >= c}
            intervals = [
                self.model.new_optional_fixed_size_interval_var(
                    self.start[s.id], s.slots, self.placed[s.id], ""
                )
                for s in facts.open
                if self.room[s.id].keys() <= rooms
            ]
            intervals += [
                self.model.new_fixed_size_interval_var(*_fixed_run(s), "")
                for s in facts.fixed
                if _fixed_room(s) in rooms
            ]
            if intervals:
                self.model.add_cumulative(intervals, [1] * len(intervals), len(rooms))

    def _hint(self, plan: dict[int, tuple[int, int]]) -> None:
        """Start the search from a first-fit plan. When it places every session the hint is
        complete, auxiliary variables too, and CP-SAT takes it as its first solution."""
        hints: list[tuple[cp_model.IntVar, int]] = []
        for sid, (room_id, start) in plan.items():
            hints += [(self.start[sid], start), (self.placed[sid], 1)]
            hints += [(lit, int(r == room_id)) for r, lit in self.room[sid].items()]
            day = start // self.facts.spd
            hints += [(lit, int(d == day)) for d, lit in self.day[sid].items()]
        known = {var.index: value for var, value in hints}
        if len(plan) == len(self.start):
            for var, rule in self.derived:
                known[var.index] = int(rule(lambda x: x if isinstance(x, int) else known[x.index]))
                hints.append((var, known[var.index]))
            self.hinted = known
        for var, value in hints:
            self.model.add_hint(var, value)

    def _aux(self, upper: int, rule: Callable) -> cp_model.IntVar:
        """A variable in [0, upper] whose value in a plan ``rule(value_of)`` computes."""
        var = self.model.new_int_var(0, upper, "")
        self.derived.append((var, rule))
        return var

    def _on_day(self, s: SessionSpec) -> dict[int, cp_model.IntVar | int]:
        return {s.fixed[1] // self.facts.spd: 1} if s.fixed else self.day[s.id]

    def _start_of(self, s: SessionSpec) -> cp_model.IntVar | int:
        return s.fixed[1] if s.fixed else self.start[s.id]

    def _topic_overlaps(self) -> None:
        by_topic = defaultdict(list)
        for s in self.facts.problem.sessions:
            for topic in s.topic_ids:
                by_topic[topic].append(s)
        pairs = {
            (a, b) if a.id < b.id else (b, a)
            for group in by_topic.values()
            for a, b in itertools.combinations(group, 2)
        }
        for a, b in sorted(pairs, key=lambda pair: (pair[0].id, pair[1].id)):
            if set(_people(a)) & set(_people(b)) or not self._on_day(a).keys() & self._on_day(b):
                continue  # they can never run in parallel
            if a.fixed and b.fixed:
                self.constants["topic_overlap"] += _overlaps(_fixed_run(a), _fixed_run(b))
            else:
                self.terms["topic_overlap"].append(self._parallel(a, b))

    def _parallel(self, a: SessionSpec, b: SessionSpec) -> cp_model.IntVar:
        """A literal that must hold unless one session ends before the other starts."""
        start_a, start_b = self._start_of(a), self._start_of(b)
        before = self._aux(1, lambda v: v(start_a) + a.slots <= v(start_b))
        after = self._aux(1, lambda v: v(start_b) + b.slots <= v(start_a))
        parallel = self._aux(1, lambda v: _overlaps((v(start_a), a.slots), (v(start_b), b.slots)))
        self.model.add(start_a + a.slots <= start_b).only_enforce_if(before)
        self.model.add(start_b + b.slots <= start_a).only_enforce_if(after)
        self.model.add_bool_or([parallel, before, after])
        return parallel

    def _plenary_offsets(self) -> None:
        spd = self.facts.spd
        for s in self.facts.problem.sessions:
            if s.format != "plenary":
                continue
            if s.fixed:
                self.constants["plenary_offset"] += s.fixed[1] % spd
            else:
                start = self.start[s.id]
                offset = self._aux(spd, lambda v, start=start: v(start) % spd)
                first = sum(d * spd * lit for d, lit in self.day[s.id].items())
                self.model.add(offset == start - first)
                self.terms["plenary_offset"].append(offset)

    def _expert_days(self) -> None:
        """Per person and day, the sessions beyond the first."""
        sessions_of = defaultdict(list)
        for s in self.facts.problem.sessions:
            for p in _people(s):
                sessions_of[p].append(s)
        for group in sessions_of.values():
            for d in range(self.facts.problem.days):
                on_day = [x for s in group if (x := self._on_day(s).get(d)) is not None]
                if len(on_day) < 2:
                    continue
                if all(isinstance(x, int) for x in on_day):  # fixed sessions only
                    self.constants["expert_same_day"] += len(on_day) - 1
                    continue
                excess = self._aux(
                    len(on_day) - 1, lambda v, xs=on_day: max(0, sum(map(v, xs)) - 1)
                )
                self.model.add(excess >= sum(on_day) - 1)
                self.terms["expert_same_day"].append(excess)

    def _moderator_balance(self) -> None:
        """Per day, |sessions with a Russian moderator - sessions with a Kazakh one|."""
        for d in range(self.facts.problem.days):
            sides: dict[str, list] = {side: [] for side in SIDES}
            for s in self.facts.problem.sessions:
                if (side := _side(self.facts, s)) and (x := self._on_day(s).get(d)) is not None:
                    sides[side].append(x)
            ru, kz = sides.values()
            if all(isinstance(x, int) for x in ru + kz):  # fixed sessions only
                self.constants["moderator_imbalance"] += abs(sum(ru) - sum(kz))
                continue
            gap = self._aux(
                len(ru + kz), lambda v, ru=ru, kz=kz: abs(sum(map(v, ru)) - sum(map(v, kz)))
            )
            self.model.add(gap >= sum(ru) - sum(kz))
            self.model.add(gap >= sum(kz) - sum(ru))
            self.terms["moderator_imbalance"].append(gap)

    def _total(self, goal: str):
        return sum(self.terms[goal]) + self.constants[goal]

    def breakdown(self, value: Callable[[cp_model.IntVar], int]) -> dict[str, int]:
        """Each soft goal's weighted share of the objective, given the variables' values."""
        return {
            goal: WEIGHTS[goal] * (sum(map(value, terms)) + self.constants[goal])
            for goal, terms in self.terms.items()
        }


class _FirstFit:
    """A quick plan to start the search from (CP-SAT alone is slow to a first plan): most
    constrained sessions first, each where it adds least to the soft goals, then earliest,
    in the smallest room. A session that finds no free place is left out."""

    def __init__(self, facts: _Facts) -> None:
        self.facts = facts
        self.taken: dict[tuple[str, int], set[int]] = defaultdict(set)
        self.topics: dict[tuple[int, int], set[int]] = defaultdict(set)  # (topic, slot)
        self.days: Counter[tuple[int, int]] = Counter()  # (person, day) and (side, day)
        for s in facts.fixed:
            self._record(s, _fixed_room(s), s.fixed[1])

    def plan(self) -> dict[int, tuple[int, int]]:
        plan, starts = {}, self.facts.starts
        for s in sorted(self.facts.open, key=lambda s: sum(map(len, starts[s.id].values()))):
            held = set().union(*(self.taken[("person", p)] for p in _people(s)))
            free = [
                (room_id, t)
                for room_id, t in _options(self.facts, s)
                if held.isdisjoint(_run(t, s.slots))
                and self.taken[("room", room_id)].isdisjoint(_run(t, s.slots))
            ]
            if free:  # min keeps the first of equals: _options lists small rooms first
                costs = {t: self._cost(s, t) for t in {t for _, t in free}}
                plan[s.id] = min(free, key=lambda option: (costs[option[1]], option[1]))
                self._record(s, *plan[s.id])
        return plan

    def _record(self, s: SessionSpec, room_id: int | None, start: int) -> None:
        day, run = start // self.facts.spd, _run(start, s.slots)
        self.taken[("room", room_id)].update(run)
        for p in _people(s):
            self.taken[("person", p)].update(run)
            self.days[(p, day)] += 1
        for topic, slot in itertools.product(s.topic_ids, run):
            self.topics[(topic, slot)].add(s.id)
        if side := _side(self.facts, s):
            self.days[(side, day)] += 1

    def _cost(self, s: SessionSpec, start: int) -> int:
        """What placing ``s`` at ``start`` adds to the objective, given the plan so far."""
        day, run = start // self.facts.spd, _run(start, s.slots)
        clashes = set().union(*(self.topics[(t, x)] for t in s.topic_ids for x in run))
        crowded = sum(self.days[(p, day)] > 0 for p in _people(s))
        cost = TOPIC_OVERLAP_WEIGHT * len(clashes) + EXPERT_SAME_DAY_WEIGHT * crowded
        if s.format == "plenary":
            cost += PLENARY_OFFSET_WEIGHT * (start % self.facts.spd)
        if side := _side(self.facts, s):
            lead = self.days[(side, day)] - sum(self.days[(o, day)] for o in SIDES if o != side)
            cost += MODERATOR_IMBALANCE_WEIGHT * (1 if lead >= 0 else -1)
        return cost


def _options(facts: _Facts, s: SessionSpec) -> list[tuple[int, int]]:
    by_size = sorted(facts.starts[s.id].items(), key=lambda item: facts.rooms[item[0]].capacity)
    return [(room_id, start) for room_id, starts in by_size for start in starts]


# ---------------------------------------------------------------- solving


class _FirstPlan(cp_model.CpSolverSolutionCallback):
    """Remembers the objective and time of the first feasible plan."""

    def __init__(self, clock: float) -> None:
        super().__init__()
        self.clock, self.objective, self.seconds = clock, None, None

    def on_solution_callback(self) -> None:
        if self.seconds is None:
            self.seconds = time.perf_counter() - self.clock
            self.objective = self.objective_value


def _solver(time_limit_seconds: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = RANDOM_SEED
    # Probing this interval-heavy model cost 7 of 10 s of wall time on the benchmark, before
    # any search; the first-fit hint gets the search going faster.
    solver.parameters.cp_model_probing_level = 0
    return solver


def solve(problem: Problem, time_limit_seconds: float = 10.0, workers: int = 8) -> Result:
    """Place every unscheduled session, or say what is in the way."""
    clock = time.perf_counter()
    facts = _Facts(problem)
    if reasons := _explain(facts):
        return _failure("infeasible", reasons, clock)
    fit = _FirstFit(facts).plan()
    fit_seconds = time.perf_counter() - clock
    timetable = _Timetable(facts, hint=fit)
    solver, first = _solver(time_limit_seconds, workers), _FirstPlan(clock)
    status = solver.solve(timetable.model, first)
    if status in STATUSES:
        return _success(STATUSES[status], timetable, solver, first, clock)
    if status == cp_model.INFEASIBLE:
        return _failure("infeasible", _core(facts, time_limit_seconds), clock)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"Invalid timetable model: {timetable.model.validate()}")
    if timetable.hinted is not None:  # time ran out before the search began: the first fit holds
        return _first_fit(timetable, fit, fit_seconds, clock)
    reason = f"No plan found within {time_limit_seconds:g} s; try a longer time limit."
    return _failure("unknown", [reason], clock)


def _success(
    status: str, timetable: _Timetable, solver: cp_model.CpSolver, first: _FirstPlan, clock: float
) -> Result:
    placements = {}
    for sid, rooms in timetable.room.items():
        room_id = next(r for r, lit in rooms.items() if solver.boolean_value(lit))
        placements[sid] = (room_id, solver.value(timetable.start[sid]))
    penalties = timetable.breakdown(solver.value)
    # A plan proved optimal in presolve may never reach the callback.
    found = first.seconds is not None
    return Result(
        status=status,
        placements=placements,
        objective=solver.objective_value,
        first_objective=first.objective if found else solver.objective_value,
        first_solution_seconds=first.seconds if found else time.perf_counter() - clock,
        wall_seconds=time.perf_counter() - clock,
        reasons=[],
        penalties=penalties,
    )


def _first_fit(timetable: _Timetable, fit: dict, fit_seconds: float, clock: float) -> Result:
    penalties = timetable.breakdown(lambda var: timetable.hinted[var.index])
    objective = float(sum(penalties.values()))
    elapsed = time.perf_counter() - clock
    return Result("feasible", fit, objective, objective, fit_seconds, elapsed, [], penalties)


def _failure(status: str, reasons: list[str], clock: float) -> Result:
    return Result(status, {}, None, None, None, time.perf_counter() - clock, reasons, {})


def _core(facts: _Facts, time_limit_seconds: float) -> list[str]:
    """Name the sessions that cannot all be placed, and what they compete for."""
    core = _failing_sessions(facts, time_limit_seconds)
    if not core:
        return ["No plan exists, but the sessions in the way could not be singled out in time."]
    titles = ", ".join(f"'{s.title}'" for s in core)
    reasons = [f"Sessions {titles} cannot all be placed together."]
    # Drop one kind of clash at a time: whatever still blocks the sessions alone is named.
    by_people = not _placeable(facts, core, time_limit_seconds, ignore="room")
    by_rooms = not _placeable(facts, core, time_limit_seconds, ignore="person")
    people = Counter(p for s in core for p in _people(s))
    rooms = Counter(r for s in core for r, starts in facts.starts[s.id].items() if starts)
    shared = [facts.experts[p].name for p, n in people.items() if n > 1]
    contested = [facts.rooms[r].name for r, n in rooms.items() if n > 1]
    if shared and (by_people or not by_rooms):
        reasons.append(f"They compete for experts {', '.join(shared)}.")
    if contested and (by_rooms or not by_people):
        reasons.append(f"They compete for rooms {', '.join(contested)}.")
    return reasons


def _failing_sessions(facts: _Facts, time_limit_seconds: float) -> list[SessionSpec]:
    """Assume each session is placed, and ask CP-SAT which assumptions it needed to fail."""
    timetable = _Timetable(facts, core=True)
    session_of = {lit.index: sid for sid, lit in timetable.placed.items()}
    timetable.model.add_assumptions(list(timetable.placed.values()))
    solver = _solver(time_limit_seconds, workers=1)  # a single worker reports its core
    if solver.solve(timetable.model) != cp_model.INFEASIBLE:
        return []
    found = {session_of[i] for i in solver.sufficient_assumptions_for_infeasibility()}
    return [facts.sessions[sid] for sid in sorted(found)]


def _placeable(
    facts: _Facts, sessions: list[SessionSpec], time_limit_seconds: float, ignore: str
) -> bool:
    timetable = _Timetable(facts, core=True, ignore=ignore)
    for s in sessions:
        timetable.model.add(timetable.placed[s.id] == 1)
    solver = _solver(time_limit_seconds, workers=1)
    return solver.solve(timetable.model) != cp_model.INFEASIBLE
