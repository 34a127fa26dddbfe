"""Solving: the first plan, the CP-SAT search from it, and when no plan exists, the
sessions that cannot all be placed and what they compete for."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from ortools.sat.python import cp_model

from app.core.priority import at_idle_priority
from app.forums.solver.checks import obstacles
from app.forums.solver.facts import Facts, people_of
from app.forums.solver.greedy import FirstFit
from app.forums.solver.model import Timetable
from app.forums.solver.specs import Problem, Result, SessionSpec

T = TypeVar("T")
Run = Callable[[Callable[[], T]], T]  # how a CP-SAT run is called: here, or idle
RANDOM_SEED = 1
STATUSES = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}


class _FirstPlan(cp_model.CpSolverSolutionCallback):
    """Remembers the objective and time of the first feasible plan."""

    def __init__(self, clock: float) -> None:
        super().__init__()
        self.clock, self.objective, self.seconds = clock, None, None

    def on_solution_callback(self) -> None:
        if self.seconds is None:
            self.seconds = time.perf_counter() - self.clock
            self.objective = round(self.objective_value, 6)  # CP-SAT's sums carry float noise


def _solver(deadline: float, workers: int) -> cp_model.CpSolver:
    """A CP-SAT solver that stops by ``deadline`` (a ``perf_counter`` time)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.0, deadline - time.perf_counter())
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = RANDOM_SEED
    # Probing this interval-heavy model cost 7 of 10 s of wall time on the benchmark, before
    # any search; the first-fit hint gets the search going faster.
    solver.parameters.cp_model_probing_level = 0
    return solver


def solve(
    problem: Problem, time_limit_seconds: float = 10.0, workers: int = 8, idle: bool = False
) -> Result:
    """Place every unscheduled session, or say what is in the way, within
    ``time_limit_seconds`` in all: the runs that explain an infeasible problem included.

    With ``idle``, CP-SAT's runs (the search, and those that explain an infeasible
    problem) run at the idle priority (:mod:`app.core.priority`), the Python around them
    at the caller's: on a host that serves requests too, they take only the CPU the
    requests leave. A starved search stops at the deadline all the same, and the first
    fit then holds."""
    clock = time.perf_counter()
    deadline = clock + time_limit_seconds
    facts = Facts(problem)
    run = at_idle_priority if idle else _here
    if reasons := obstacles(facts):
        return _failure("infeasible", reasons, clock)
    fit = FirstFit(facts).plan()
    fit_seconds = time.perf_counter() - clock
    timetable = Timetable(facts, hint=fit)
    solver, first = _solver(deadline, workers), _FirstPlan(clock)
    status = run(lambda: solver.solve(timetable.model, first))
    if status in STATUSES:
        return _success(STATUSES[status], timetable, solver, first, clock)
    if status == cp_model.INFEASIBLE:
        return _failure("infeasible", _core(facts, deadline, run), clock)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"Invalid timetable model: {timetable.model.validate()}")
    if timetable.hinted is not None:  # time ran out before the search began: the first fit holds
        return _first_fit(timetable, fit, fit_seconds, clock)
    reason = f"No plan found within {time_limit_seconds:g} s; try a longer time limit."
    return _failure("unknown", [reason], clock)


def _here(fn: Callable[[], T]) -> T:
    """Call ``fn`` in this thread, at its priority (``at_idle_priority``'s counterpart)."""
    return fn()


def _success(
    status: str, timetable: Timetable, solver: cp_model.CpSolver, first: _FirstPlan, clock: float
) -> Result:
    placements = {}
    for sid, rooms in timetable.room.items():
        room_id = next(r for r, lit in rooms.items() if solver.boolean_value(lit))
        placements[sid] = (room_id, solver.value(timetable.start[sid]))
    penalties = timetable.breakdown(solver.value)
    # A plan proved optimal in presolve may never reach the callback.
    found = first.seconds is not None
    objective = round(solver.objective_value, 6)  # CP-SAT's sums carry float noise
    return Result(
        status=status,
        placements=placements,
        objective=objective,
        first_objective=first.objective if found else objective,
        first_solution_seconds=first.seconds if found else time.perf_counter() - clock,
        wall_seconds=time.perf_counter() - clock,
        reasons=[],
        penalties=penalties,
    )


def _first_fit(timetable: Timetable, fit: dict, fit_seconds: float, clock: float) -> Result:
    penalties = timetable.breakdown(lambda var: timetable.hinted[var.index])
    objective = float(sum(penalties.values()))
    elapsed = time.perf_counter() - clock
    return Result("feasible", fit, objective, objective, fit_seconds, elapsed, [], penalties)


def _failure(status: str, reasons: list[str], clock: float) -> Result:
    return Result(status, {}, None, None, None, time.perf_counter() - clock, reasons, {})


def _core(facts: Facts, deadline: float, run: Run) -> list[str]:
    """Name the sessions that cannot all be placed, and what they compete for."""
    core = _failing_sessions(facts, deadline, run)
    if not core:
        return ["No plan exists, but the sessions in the way could not be singled out in time."]
    titles = ", ".join(f"'{s.title}'" for s in core)
    reasons = [f"Sessions {titles} cannot all be placed together."]
    # Drop one kind of clash at a time: whatever still blocks the sessions alone is named.
    by_people = not _placeable(facts, core, deadline, run, ignore="room")
    by_rooms = not _placeable(facts, core, deadline, run, ignore="person")
    people = Counter(p for s in core for p in people_of(s))
    rooms = Counter(r for s in core for r, starts in facts.starts[s.id].items() if starts)
    shared = [facts.experts[p].name for p, n in people.items() if n > 1]
    contested = [facts.rooms[r].name for r, n in rooms.items() if n > 1]
    if shared and (by_people or not by_rooms):
        reasons.append(f"They compete for experts {', '.join(shared)}.")
    if contested and (by_rooms or not by_people):
        reasons.append(f"They compete for rooms {', '.join(contested)}.")
    return reasons


def _failing_sessions(facts: Facts, deadline: float, run: Run) -> list[SessionSpec]:
    """Assume each session is placed, and ask CP-SAT which assumptions it needed to fail."""
    timetable = Timetable(facts, core=True)
    session_of = {lit.index: sid for sid, lit in timetable.placed.items()}
    timetable.model.add_assumptions(list(timetable.placed.values()))
    solver = _solver(deadline, workers=1)  # a single worker reports its core
    if run(lambda: solver.solve(timetable.model)) != cp_model.INFEASIBLE:
        return []
    found = {session_of[i] for i in solver.sufficient_assumptions_for_infeasibility()}
    return [facts.sessions[sid] for sid in sorted(found)]


def _placeable(
    facts: Facts, sessions: list[SessionSpec], deadline: float, run: Run, ignore: str
) -> bool:
    timetable = Timetable(facts, core=True, ignore=ignore)
    for s in sessions:
        timetable.model.add(timetable.placed[s.id] == 1)
    solver = _solver(deadline, workers=1)
    return run(lambda: solver.solve(timetable.model)) != cp_model.INFEASIBLE
