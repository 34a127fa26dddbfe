"""The CP-SAT model of a timetable: hard constraints as intervals and no-overlaps, soft
goals as weighted terms, and a hint from the first plan."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from app.forums.solver.facts import Facts, fixed_room, fixed_run, overlaps, people_of, side_of
from app.forums.solver.specs import SIDES, WEIGHTS, SessionSpec


def _runs(slots: frozenset[int]) -> list[tuple[int, int]]:
    """Consecutive slots as (start, length) runs."""
    runs: list[list[int]] = []
    for slot in sorted(slots):
        if runs and runs[-1][0] + runs[-1][1] == slot:
            runs[-1][1] += 1
        else:
            runs.append([slot, 1])
    return [(a, n) for a, n in runs]


class Timetable:
    """The CP-SAT model: for each unscheduled session a start, one literal per candidate
    room and one per possible day; soft terms are kept by goal for the breakdown."""

    def __init__(
        self, facts: Facts, hint: dict | None = None, *, core: bool = False, ignore: str = ""
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
        for p in people_of(s):
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
            keys = [("room", fixed_room(s)), *(("person", p) for p in people_of(s))]
            for key in keys:
                if key in self.intervals:
                    self.intervals[key].append(m.new_fixed_size_interval_var(*fixed_run(s), ""))
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
                self.model.new_fixed_size_interval_var(*fixed_run(s), "")
                for s in facts.fixed
                if fixed_room(s) in rooms
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
            if set(people_of(a)) & set(people_of(b)) or not self._on_day(a).keys() & self._on_day(
                b
            ):
                continue  # they can never run in parallel
            if a.fixed and b.fixed:
                self.constants["topic_overlap"] += overlaps(fixed_run(a), fixed_run(b))
            else:
                self.terms["topic_overlap"].append(self._parallel(a, b))

    def _parallel(self, a: SessionSpec, b: SessionSpec) -> cp_model.IntVar:
        """A literal that must hold unless one session ends before the other starts."""
        start_a, start_b = self._start_of(a), self._start_of(b)
        before = self._aux(1, lambda v: v(start_a) + a.slots <= v(start_b))
        after = self._aux(1, lambda v: v(start_b) + b.slots <= v(start_a))
        parallel = self._aux(1, lambda v: overlaps((v(start_a), a.slots), (v(start_b), b.slots)))
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
            for p in people_of(s):
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
                if (side := side_of(self.facts, s)) and (x := self._on_day(s).get(d)) is not None:
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
