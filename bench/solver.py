"""The timetable solver on a synthetic forum: time to a conflict-free plan, and how far the
soft goals improve within the time limit.

    .venv/bin/python -m bench.solver [--seed N] [--time-limit S] [--workers W]

200 sessions (about 10% fixed in advance), 600 experts (half RU, half KZ), 8 rooms of 40 to
400 seats, 3 days of 30-minute slots from 09:00 to 19:00. Target: a conflict-free plan in
under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time

from ortools import __version__ as ortools_version

from app.forums.solver import (
    WEIGHTS,
    ExpertSpec,
    Problem,
    Result,
    RoomSpec,
    SessionSpec,
    check,
    explain,
    solve,
)

DAYS, SLOTS_PER_DAY = 3, 20  # 09:00-19:00 in 30-minute slots
CAPACITIES = (40, 60, 80, 120, 150, 200, 300, 400)
# How often a session's audience falls in each room's size band: lighter at the top, where
# fewer rooms can take it (and the plenaries go).
BAND_WEIGHTS = (3, 3, 2.5, 2, 2, 1.5, 1, 0.5)
DURATIONS = {1: 0.2, 2: 0.7, 3: 0.1}  # slots: mostly 60-90 minutes
PLENARIES, SESSIONS, EXPERTS, TOPICS, FIXED_SHARE = 6, 200, 600, 15, 0.1
MAX_SESSIONS_PER_EXPERT = 6
DEMAND = [5 if i % 10 == 0 else 1 for i in range(EXPERTS)]  # weights for picking experts


def experts(rng: random.Random) -> list[ExpertSpec]:
    """Half Russian, half Kazakh; some miss a day or an afternoon, some are booked elsewhere."""
    grid = frozenset(range(DAYS * SLOTS_PER_DAY))
    made = []
    for i in range(EXPERTS):
        available, busy = None, frozenset()
        roll = rng.random()
        if roll < 0.10:
            missed = rng.randrange(DAYS) * SLOTS_PER_DAY
            available = grid - set(range(missed, missed + SLOTS_PER_DAY))
        elif roll < 0.15:
            afternoon = rng.randrange(DAYS) * SLOTS_PER_DAY + SLOTS_PER_DAY // 2
            available = grid - set(range(afternoon, afternoon + SLOTS_PER_DAY // 2))
        elif roll < 0.20:
            start = rng.randrange(DAYS * SLOTS_PER_DAY - 4)
            busy = frozenset(range(start, start + rng.randint(2, 4)))
        country = "RU" if i < EXPERTS // 2 else "KZ"
        made.append(ExpertSpec(i + 1, f"{country}-{i + 1}", country, available, busy))
    return made


def audience(rng: random.Random, plenary: bool) -> int | None:
    if plenary:
        return rng.randint(250, 400)
    if rng.random() < 0.1:
        return None  # not known yet
    band = rng.choices(range(len(CAPACITIES)), BAND_WEIGHTS)[0]
    low = CAPACITIES[band - 1] + 1 if band else 10
    return rng.randint(low, CAPACITIES[band])


def people(rng: random.Random, pool: list[ExpertSpec], load: dict[int, int]) -> tuple[int, ...]:
    """2-5 experts; a tenth of them are in demand and take part five times as often. Together
    they are free for at least a day (organisers do not invite people who never meet)."""
    chosen: list[int] = []
    common = frozenset(range(DAYS * SLOTS_PER_DAY))
    wanted = rng.randint(2, 5)
    while len(chosen) < wanted:
        pick = rng.choices(pool, DEMAND)[0]
        together = common & ((pick.available or common) - pick.busy)
        if pick.id in chosen or load[pick.id] >= MAX_SESSIONS_PER_EXPERT:
            continue
        if len(together) >= SLOTS_PER_DAY:
            chosen.append(pick.id)
            load[pick.id] += 1
            common = together
    return tuple(chosen)


def sessions(rng: random.Random, pool: list[ExpertSpec]) -> list[SessionSpec]:
    load = dict.fromkeys(range(1, EXPERTS + 1), 0)
    made = []
    for i in range(SESSIONS):
        plenary = i < PLENARIES
        fmt = "plenary" if plenary else rng.choice(["panel", "roundtable", "workshop"])
        slots = 3 if plenary else rng.choices(list(DURATIONS), list(DURATIONS.values()))[0]
        experts_ = people(rng, pool, load)
        topics = frozenset(rng.sample(range(1, TOPICS + 1), rng.randint(1, 2)))
        made.append(
            SessionSpec(
                id=i + 1,
                title=f"{fmt.title()} {i + 1}",
                format=fmt,
                slots=slots,
                audience=audience(rng, plenary),
                topic_ids=topics,
                expert_ids=experts_,
                moderator_ids=(rng.choice(experts_),),
            )
        )
    return made


def fix_some(rng: random.Random, problem: Problem) -> Problem:
    """Fix about a tenth of the sessions where they do not clash (as if scheduled by hand)."""
    fixed: dict[int, tuple[int, int]] = {}
    for s in rng.sample(problem.sessions, int(SESSIONS * FIXED_SHARE)):
        options = [(r.id, t) for r in problem.rooms for t in range(DAYS * SLOTS_PER_DAY)]
        rng.shuffle(options)
        chosen = tuple(x for x in problem.sessions if x.id in fixed or x.id == s.id)
        subset = Problem(DAYS, SLOTS_PER_DAY, problem.rooms, problem.experts, chosen)
        for option in options:
            if not check(subset, {**fixed, s.id: option}):
                fixed[s.id] = option
                break
    sessions_ = tuple(
        SessionSpec(**{**vars(s), "fixed": fixed.get(s.id)}) for s in problem.sessions
    )
    return Problem(DAYS, SLOTS_PER_DAY, problem.rooms, problem.experts, sessions_)


def synthetic(seed: int) -> Problem:
    rng = random.Random(seed)
    rooms = tuple(RoomSpec(i + 1, f"Hall {cap}", cap) for i, cap in enumerate(CAPACITIES))
    pool = experts(rng)
    problem = Problem(DAYS, SLOTS_PER_DAY, rooms, tuple(pool), tuple(sessions(rng, pool)))
    return fix_some(rng, problem)


def describe(problem: Problem) -> None:
    room_slots = len(problem.rooms) * problem.days * problem.slots_per_day
    need = sum(s.slots for s in problem.sessions)
    fixed = sum(s.fixed is not None for s in problem.sessions)
    print(
        f"problem       {len(problem.sessions)} sessions ({fixed} fixed), "
        f"{len(problem.experts)} experts, {len(problem.rooms)} rooms, "
        f"{problem.days} days x {problem.slots_per_day} slots"
    )
    print(f"room-slots    {need} of {room_slots} ({need / room_slots:.0%} load)")


def report(result: Result, violations: list[str]) -> None:
    print(f"status        {result.status}")
    print(f"wall time     {result.wall_seconds:.2f} s")
    if result.first_solution_seconds is None:
        print("reasons       " + "\n              ".join(result.reasons))
        return
    gain = 1 - result.objective / result.first_objective if result.first_objective else 0.0
    print(
        f"first plan    {result.first_solution_seconds:.2f} s, objective {result.first_objective:g}"
        "  (target: a conflict-free plan in under 10 s)"
    )
    print(f"final plan    objective {result.objective:g} ({gain:.0%} better than the first)")
    for goal, value in result.penalties.items():
        print(f"  {goal:22} {value:5}  ({value // WEIGHTS[goal]} x {WEIGHTS[goal]})")
    print(f"hard violations (check): {len(violations)}")
    for violation in violations[:10]:
        print(f"  {violation}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=10.0)
    # As many as the endpoint runs (app.forums.scheduling.WORKERS: the cores, 2 to 8).
    parser.add_argument("--workers", type=int, default=max(2, min(8, os.cpu_count() or 2)))
    opts = parser.parse_args()
    print(
        f"machine       {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OR-Tools {ortools_version}"
    )
    started = time.perf_counter()
    problem = synthetic(opts.seed)
    print(f"generated     in {time.perf_counter() - started:.2f} s (seed {opts.seed})")
    describe(problem)
    print(f"pre-checks    {len(explain(problem))} reasons")
    print(f"solving       time limit {opts.time_limit:g} s, {opts.workers} workers")
    result = solve(problem, time_limit_seconds=opts.time_limit, workers=opts.workers)
    report(result, check(problem, result.placements) if result.placements else [])


if __name__ == "__main__":
    main()
