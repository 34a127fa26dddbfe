"""The timetable solver: hard constraints always hold, soft goals are met when they can be,
and an impossible problem is explained. Pure: no database."""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.forums.solver import (
    EXPERT_SAME_DAY_WEIGHT,
    MODERATOR_IMBALANCE_WEIGHT,
    PLENARY_OFFSET_WEIGHT,
    TOPIC_OVERLAP_WEIGHT,
    WEIGHTS,
    ExpertSpec,
    Problem,
    Result,
    RoomSpec,
    SessionSpec,
    check,
    explain,
    problem_from_json,
    problem_to_json,
    solve,
)

IVAN = 1


def room(id: int, capacity: int = 100, open_slots=None, name: str | None = None) -> RoomSpec:
    return RoomSpec(id, name or f"Room {id}", capacity, _frozen(open_slots))


def expert(id: int, country: str = "RU", available=None, busy=(), name: str | None = None):
    default = "Ivan Petrov" if id == IVAN else f"P{id}"
    return ExpertSpec(id, name or default, country, _frozen(available), frozenset(busy))


def session(id: int, experts=(), slots: int = 1, **fields) -> SessionSpec:
    return SessionSpec(
        id=id,
        title=fields.pop("title", f"S{id}"),
        format=fields.pop("format", "panel"),
        slots=slots,
        audience=fields.pop("audience", None),
        topic_ids=frozenset(fields.pop("topics", ())),
        expert_ids=tuple(experts),
        **fields,
    )


def problem(sessions, experts=(), rooms=None, days: int = 1, per_day: int = 4) -> Problem:
    """People the sessions name but ``experts`` leaves out are Russian and always free."""
    known = {e.id: e for e in experts}
    named = [p for s in sessions for p in (*s.expert_ids, *s.moderator_ids)]
    people = tuple(known.get(p) or expert(p) for p in dict.fromkeys([*named, *known]))
    return Problem(days, per_day, tuple(rooms or [room(1)]), people, tuple(sessions))


def _frozen(slots):
    return None if slots is None else frozenset(slots)


def solved(p: Problem, **options) -> Result:
    result = solve(p, **{"time_limit_seconds": 10.0, "workers": 2, **options})
    assert result.status in {"optimal", "feasible"}, result.reasons
    assert check(p, result.placements) == []
    return result


def starts(result: Result) -> list[int]:
    return sorted(start for _, start in result.placements.values())


# ---------------------------------------------------------------- hard constraints


def test_a_small_forum_is_placed_with_every_hard_constraint_holding():
    p = problem(
        [
            session(1, [1, 2], slots=2, topics=[1], moderator_ids=(1,)),
            session(2, [2, 3], topics=[1]),
            session(3, [3, 4], slots=2, audience=150, topics=[2]),
            session(4, [1, 4], slots=3, format="plenary", audience=80),
            session(5, [5], slots=2, fixed=(2, 0)),
            session(6, [5, 6], topics=[2]),
        ],
        rooms=[room(1, 100), room(2, 200)],
        days=2,
    )
    result = solved(p)
    assert result.status == "optimal"
    assert sorted(result.placements) == [1, 2, 3, 4, 6]
    assert result.placements[3][0] == 2  # only room 2 holds 150
    assert result.objective == sum(result.penalties.values())
    assert result.first_objective >= result.objective
    assert 0 < result.first_solution_seconds <= result.wall_seconds
    assert result.reasons == []


def test_a_fixed_session_holds_its_room_and_experts():
    p = problem([session(1, [9], fixed=(1, 1)), session(2, [9]), session(3, [2])], per_day=3)
    result = solved(p)
    assert sorted(result.placements) == [2, 3]
    assert starts(result) == [0, 2]


def test_a_fixed_session_without_a_room_blocks_only_its_experts():
    p = problem(
        [session(1, [9], fixed=(-1, 1)), session(2, [9]), session(3, [2]), session(4, [3])],
        per_day=3,
    )
    result = solved(p)
    assert starts(result) == [0, 1, 2]  # the room is free at slot 1...
    assert result.placements[2][1] != 1  # ...but expert 9 is not


def test_check_reports_a_moved_fixed_session_and_an_unplaced_one():
    p = problem([session(1, [1], fixed=(1, 1)), session(2, [2])], per_day=3)
    assert check(p, {1: (1, 0)}) == ["Fixed session 'S1' was moved.", "Session 'S2' is not placed."]


@pytest.mark.parametrize(
    ("audiences", "rooms"),
    [
        ((150, 40), {1: 2, 2: 1}),  # 150 only fits the large room
        ((40, 150), {1: 1, 2: 2}),
        ((None, 150), {1: 1, 2: 2}),  # an unknown audience goes anywhere
        ((50, 200), {1: 1, 2: 2}),  # a room holding exactly the audience will do
    ],
)
def test_capacity_keeps_sessions_out_of_small_rooms(audiences, rooms):
    sessions = [session(i + 1, [i + 1], audience=a) for i, a in enumerate(audiences)]
    p = problem(sessions, rooms=[room(1, 50), room(2, 200)], per_day=1)  # both run at once
    result = solved(p)
    assert {sid: room_id for sid, (room_id, _) in result.placements.items()} == rooms


@pytest.mark.parametrize(
    ("person", "open_slots", "start"),
    [
        (expert(1, available={2, 3}), None, 2),
        (expert(1, busy={0, 1}), None, 2),
        (expert(1, available={1, 2, 3}, busy={3}), None, 1),
        (expert(1), {1, 2}, 1),
    ],
    ids=["available", "busy elsewhere", "available but busy", "room opening hours"],
)
def test_a_session_runs_only_when_its_experts_are_free_and_its_room_open(person, open_slots, start):
    p = problem(
        [session(1, [1], slots=2)], experts=[person], rooms=[room(1, open_slots=open_slots)]
    )
    assert solved(p).placements == {1: (1, start)}


def test_a_moderator_is_held_to_their_availability_too():
    p = problem(
        [session(1, [1], moderator_ids=(2,))], experts=[expert(2, available={3})], per_day=4
    )
    assert solved(p).placements == {1: (1, 3)}


def test_no_session_crosses_a_day_boundary():
    p = problem([session(1, [1], slots=2), session(2, [2], slots=2)], days=2, per_day=3)
    result = solved(p)
    for _, start in result.placements.values():
        assert start % 3 + 2 <= 3
    assert sorted(start // 3 for start in starts(result)) == [0, 1]
    assert check(p, {1: (1, 2), 2: (1, 5)}) == [
        "Session 'S1' runs past the end of day 1.",
        "Session 'S2' runs past the end of day 2.",
    ]


# ---------------------------------------------------------------- soft goals


def test_sessions_sharing_a_topic_run_apart_when_rooms_allow():
    sessions = [session(i, [i], topics=[1 if i <= 2 else 2]) for i in range(1, 5)]
    result = solved(problem(sessions, rooms=[room(1), room(2)], per_day=2))
    at = {sid: start for sid, (_, start) in result.placements.items()}
    assert at[1] != at[2]
    assert at[3] != at[4]
    assert result.penalties["topic_overlap"] == 0


def test_sessions_sharing_a_topic_that_must_run_together_cost_one_overlap():
    sessions = [session(1, [1], topics=[1, 2]), session(2, [2], topics=[2, 1])]
    result = solved(problem(sessions, rooms=[room(1), room(2)], per_day=1))
    assert result.status == "optimal"
    assert result.penalties["topic_overlap"] == TOPIC_OVERLAP_WEIGHT  # one pair, not two


@pytest.mark.parametrize(
    ("days", "per_day", "expected"),
    [
        (1, 4, {2: 0}),  # the plenary opens the day, the panel follows
        (2, 3, {2: 0, 3: 3}),  # two plenaries sharing an expert open one day each
    ],
)
def test_plenaries_open_the_day(days, per_day, expected):
    sessions = [
        session(1, [1]),
        session(2, [2], slots=2, format="plenary"),
        session(3, [2], slots=2, format="plenary") if days == 2 else session(3, [3]),
    ]
    result = solved(problem(sessions, days=days, per_day=per_day))
    at = {sid: start for sid, (_, start) in result.placements.items()}
    assert {sid: at[sid] for sid in expected} == expected
    assert result.penalties["plenary_offset"] == 0


def test_a_fixed_plenary_late_in_the_day_is_a_constant_penalty():
    p = problem([session(1, [1], format="plenary", fixed=(1, 2)), session(2, [2])])
    result = solved(p)
    assert result.penalties["plenary_offset"] == 2 * PLENARY_OFFSET_WEIGHT
    assert result.objective == 2 * PLENARY_OFFSET_WEIGHT


@pytest.mark.parametrize(("days", "penalty"), [(2, 0), (1, EXPERT_SAME_DAY_WEIGHT)])
def test_an_experts_sessions_spread_over_days_when_possible(days, penalty):
    sessions = [session(1, [1]), session(2, [1, 2]), session(3, [3])]
    p = problem(sessions, rooms=[room(1), room(2)], days=days, per_day=2)
    result = solved(p)
    first, second = (result.placements[sid][1] // 2 for sid in (1, 2))
    assert (first != second) == (days == 2)
    assert result.penalties["expert_same_day"] == penalty


def test_russian_and_kazakh_moderators_balance_each_day_counting_fixed_sessions():
    p = problem(
        [
            session(1, [1], moderator_ids=(1,), fixed=(1, 0)),  # RU, day 1
            session(2, [2], moderator_ids=(2,)),  # RU
            session(3, [3], moderator_ids=(3,)),  # KZ
            session(4, [4], moderator_ids=(4,)),  # KZ
        ],
        experts=[expert(1), expert(2), expert(3, "KZ"), expert(4, "KZ")],
        rooms=[room(1), room(2)],
        days=2,
        per_day=1,
    )
    result = solved(p)
    assert result.placements[2][1] == 1  # the second Russian moderator waits for day 2
    assert result.penalties["moderator_imbalance"] == 0


def test_moderators_from_one_side_only_cost_the_imbalance():
    p = problem(
        [session(1, [1], moderator_ids=(1,)), session(2, [2], moderator_ids=(2,))],
        days=2,
        per_day=1,
    )
    assert solved(p).penalties["moderator_imbalance"] == 2 * MODERATOR_IMBALANCE_WEIGHT


# ---------------------------------------------------------------- explanations

MAIN_HALL = room(1, 200, name="Main hall")
EXPLAINED = [
    pytest.param(
        problem(
            [session(1, [IVAN], fixed=(1, 0))] + [session(i, [IVAN], slots=2) for i in (2, 3, 4)],
            experts=[expert(IVAN, available=range(6), busy={5})],
            rooms=[room(1), room(2), room(3)],
            per_day=8,
        ),
        "Expert Ivan Petrov is in 3 sessions needing 6 slots but is available for 4 slots.",
        id="expert over-committed",
    ),
    pytest.param(
        problem([session(1, [1], title="Energy", audience=300)], rooms=[MAIN_HALL]),
        "Session 'Energy' expects 300 people but the largest room holds 200.",
        id="audience too large",
    ),
    pytest.param(
        problem([session(i, [i]) for i in (1, 2, 3)], per_day=2),
        "The sessions need 3 room-slots but the rooms offer 2.",
        id="room-slot shortage",
    ),
    pytest.param(
        problem(
            [session(i, [i], audience=150) for i in (1, 2)],
            rooms=[room(1, 50), room(2, 200)],
            per_day=1,
        ),
        "The sessions for 150 or more people need 2 room-slots but the rooms holding 150 or "
        "more offer 1.",
        id="large-room shortage",
    ),
    pytest.param(
        problem(
            [session(1, [1, 2], title="Joint")],
            experts=[expert(1, available={0}), expert(2, available={1})],
        ),
        "Session 'Joint' (1 slot) has no start where all its experts and a large enough room "
        "are free.",
        id="experts never free together",
    ),
    pytest.param(
        problem([session(1, [1], slots=3, title="Long")], days=2, per_day=2),
        "Session 'Long' (3 slots) has no start where all its experts and a large enough room "
        "are free.",
        id="longer than a day",
    ),
    pytest.param(
        problem(
            [
                session(1, [1], slots=2, title="A", fixed=(1, 0)),
                session(2, [2], title="B", fixed=(1, 1)),
            ],
            rooms=[MAIN_HALL],
        ),
        "Fixed sessions 'A' and 'B' overlap in room Main hall.",
        id="fixed sessions share a room",
    ),
    pytest.param(
        problem(
            [
                session(1, [IVAN], title="A", fixed=(1, 0)),
                session(2, [IVAN], title="B", fixed=(2, 0)),
            ],
            rooms=[room(1), room(2)],
        ),
        "Fixed sessions 'A' and 'B' overlap and share Expert Ivan Petrov.",
        id="fixed sessions share an expert",
    ),
    pytest.param(
        problem([session(1, [IVAN], title="A", fixed=(1, 1))], experts=[expert(IVAN, busy={1})]),
        "Fixed session 'A' needs Expert Ivan Petrov at slot 1, when they are booked elsewhere.",
        id="fixed session meets a booking elsewhere",
    ),
]


@pytest.mark.parametrize(("p", "reason"), EXPLAINED)
def test_pre_checks_name_what_is_in_the_way_and_solve_stops_there(p, reason):
    assert explain(p) == [reason]
    result = solve(p)
    assert (result.status, result.reasons, result.placements) == ("infeasible", [reason], {})


UNRELATED = [session(4, [4]), session(5, [5, 6])]
TRIANGLE = [("Ivan Petrov", "RU"), ("Aigul Serikova", "KZ"), ("Dmitry Orlov", "RU")]
CORES = [
    pytest.param(
        # Each pair shares an expert, so three sessions need three times; there are two.
        # Every expert needs 2 of 2 slots and the rooms offer 6: the pre-checks pass.
        problem(
            [session(1, [1, 2]), session(2, [2, 3]), session(3, [1, 3]), *UNRELATED],
            experts=[expert(i + 1, c, name=n) for i, (n, c) in enumerate(TRIANGLE)],
            rooms=[room(1), room(2), room(3)],
            per_day=2,
        ),
        [
            "Sessions 'S1', 'S2', 'S3' cannot all be placed together.",
            "They compete for experts Ivan Petrov, Aigul Serikova, Dmitry Orlov.",
        ],
        id="experts",
    ),
    pytest.param(
        # Both large sessions can only meet at slot 0, and only the main hall holds them.
        problem(
            [session(1, [1], audience=150), session(2, [2], audience=150), session(3, [3])],
            experts=[expert(1, available={0}), expert(2, available={0})],
            rooms=[MAIN_HALL, room(2, 50)],
            per_day=2,
        ),
        ["Sessions 'S1', 'S2' cannot all be placed together.", "They compete for rooms Main hall."],
        id="room",
    ),
    pytest.param(
        # 6 room-slots for 6 slots of sessions, but a 3-slot day holds one 2-slot session.
        problem(
            [session(i, [i], slots=2) for i in (1, 2, 3)], rooms=[MAIN_HALL], days=2, per_day=3
        ),
        [
            "Sessions 'S1', 'S2', 'S3' cannot all be placed together.",
            "They compete for rooms Main hall.",
        ],
        id="day boundaries",
    ),
]


@pytest.mark.parametrize(("p", "reasons"), CORES)
def test_an_infeasibility_past_the_pre_checks_names_the_sessions_and_what_they_share(p, reasons):
    assert explain(p) == []
    result = solve(p, workers=2)
    assert (result.status, result.reasons, result.placements) == ("infeasible", reasons, {})


# ---------------------------------------------------------------- statuses


def test_no_plan_within_the_time_limit_is_unknown():
    # The first-fit plan places S1 at slot 1 and strands S3, so only the search finds a plan.
    p = problem(
        [session(i, [i]) for i in (1, 2, 3)],
        experts=[
            expert(1, available={1, 2}),
            expert(2, available={0, 1}),
            expert(3, available={0, 1}),
        ],
        per_day=3,
    )
    plan = solved(p).placements
    assert plan[1] == (1, 2)
    assert {plan[2], plan[3]} == {(1, 0), (1, 1)}
    result = solve(p, time_limit_seconds=0)
    assert result.status == "unknown"
    assert result.reasons == ["No plan found within 0 s; try a longer time limit."]
    assert result.placements == {}


def medium(seed: int) -> Problem:
    """24 sessions in 3 rooms over 2 days of 6 slots, with shared experts and topics."""
    rng = random.Random(seed)
    sessions = [
        session(
            i,
            rng.sample(range(1, 13), rng.randint(1, 3)),
            slots=rng.choice([1, 1, 2]),
            topics=rng.sample(range(1, 5), rng.randint(1, 2)),
            audience=rng.choice([None, 30, 80]),
            format="plenary" if i <= 2 else "panel",
        )
        for i in range(1, 25)
    ]
    rooms = [room(1, 40), room(2, 100), room(3, 100)]
    return problem(sessions, rooms=rooms, days=2, per_day=6)


def test_when_time_runs_out_before_the_search_the_first_fit_plan_is_returned():
    p = medium(seed=1)  # the first fit places all 24 sessions
    result = solve(p, time_limit_seconds=0)
    assert result.status == "feasible"
    assert check(p, result.placements) == []
    assert len(result.placements) == 24
    assert result.objective == result.first_objective == sum(result.penalties.values())


@pytest.mark.parametrize("seed", [1, 2])  # with 2 the first fit strands two sessions
def test_the_search_improves_on_the_first_plan(seed):
    result = solved(medium(seed), time_limit_seconds=2.0)
    assert len(result.placements) == 24
    assert result.objective < result.first_objective
    assert result.objective == sum(result.penalties.values())


# ---------------------------------------------------------------- property


def soft_costs(p: Problem, plan: dict[int, tuple[int | None, int]]) -> dict[str, int]:
    """The soft goals computed afresh from a whole plan (fixed sessions included)."""
    by_id = {s.id: s for s in p.sessions}
    country = {e.id: e.country for e in p.experts}
    spd, costs = p.slots_per_day, Counter()
    for a, b in itertools.combinations(p.sessions, 2):
        (_, sa), (_, sb) = plan[a.id], plan[b.id]
        if a.topic_ids & b.topic_ids and sa < sb + b.slots and sb < sa + a.slots:
            costs["topic_overlap"] += 1
    per_day = Counter()
    for sid, (_, start) in plan.items():
        s, day = by_id[sid], start // spd
        if s.format == "plenary":
            costs["plenary_offset"] += start % spd
        for person in dict.fromkeys(s.expert_ids + s.moderator_ids):
            per_day[(person, day)] += 1
        if s.moderator_ids and country[s.moderator_ids[0]] in ("RU", "KZ"):
            per_day[(country[s.moderator_ids[0]], day)] += 1
    for (who, day), n in per_day.items():
        if isinstance(who, int) and day < p.days:
            costs["expert_same_day"] += max(0, n - 1)
    for day in range(p.days):
        costs["moderator_imbalance"] += abs(per_day[("RU", day)] - per_day[("KZ", day)])
    return {goal: WEIGHTS[goal] * costs[goal] for goal in WEIGHTS}


def best_by_brute_force(p: Problem) -> float | None:
    """The lowest objective over every valid plan, or None when there is none."""
    fixed = {s.id: s.fixed for s in p.sessions if s.fixed}
    choices = {s.id: options(p, s, fixed) for s in p.sessions if not s.fixed}
    best = None
    for combo in itertools.product(*choices.values()):
        placements = dict(zip(choices, combo, strict=True))
        if not check(p, placements):
            value = sum(soft_costs(p, {**placements, **fixed}).values())
            best = value if best is None else min(best, value)
    return best


def options(p: Problem, s: SessionSpec, fixed: dict) -> list[tuple[int, int]]:
    """Places where ``s`` alone (with the fixed sessions) breaks no hard constraint."""
    alone = Problem(p.days, p.slots_per_day, p.rooms, p.experts, (s,))
    grid = range(p.days * p.slots_per_day)
    return [(r.id, t) for r in p.rooms for t in grid if not check(alone, {s.id: (r.id, t)})]


def sometimes(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """``strategy`` one time in four, else None: most experts and rooms are unrestricted."""
    return st.integers(0, 3).flatmap(lambda n: strategy if n == 0 else st.none())


@st.composite
def small_problems(draw) -> Problem:
    days, per_day = draw(st.integers(1, 2)), draw(st.integers(2, 4))
    grid = list(range(days * per_day))
    few = st.frozensets(st.sampled_from(grid), min_size=1, max_size=2)
    most = few.map(lambda gaps: frozenset(grid) - gaps)
    rooms = [
        room(i, draw(st.sampled_from([20, 60, 100])), draw(sometimes(most)))
        for i in range(1, draw(st.integers(1, 2)) + 1)
    ]
    people = [
        expert(
            i,
            draw(st.sampled_from(["RU", "KZ"])),
            available=draw(sometimes(most)),
            busy=draw(sometimes(few)) or (),
        )
        for i in range(1, draw(st.integers(2, 4)) + 1)
    ]
    ids = [e.id for e in people]
    places = st.tuples(st.sampled_from([-1] + [r.id for r in rooms]), st.sampled_from(grid))
    sessions = []
    for sid in range(1, draw(st.integers(2, 3)) + 1):
        names = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True))
        sessions.append(
            session(
                sid,
                names,
                slots=draw(st.integers(1, 2)),
                audience=draw(st.sampled_from([None, 10, 50])),
                topics=draw(st.frozensets(st.sampled_from([1, 2]))),
                format=draw(st.sampled_from(["plenary", "panel"])),
                moderator_ids=tuple(draw(st.lists(st.sampled_from(names), max_size=1))),
                fixed=draw(sometimes(places)),
            )
        )
    return Problem(days, per_day, tuple(rooms), tuple(people), tuple(sessions))


# The autouse rate-limit fixture of tests/conftest.py is function-scoped; it does not touch
# the solver.
@settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(small_problems())
def test_random_small_problems_agree_with_brute_force(p):
    result = solve(p, time_limit_seconds=10.0, workers=2)
    best = best_by_brute_force(p)
    if best is None:
        assert result.status == "infeasible"
        assert result.reasons and result.placements == {}
        return
    assert result.status == "optimal"
    assert check(p, result.placements) == []
    assert result.objective == best
    fixed = {s.id: (s.fixed[0], s.fixed[1]) for s in p.sessions if s.fixed}
    assert result.penalties == soft_costs(p, {**result.placements, **fixed})


# ---------------------------------------------------------------- time limit and jobs


@pytest.mark.parametrize(("p", "reasons"), CORES)
def test_the_time_limit_covers_the_runs_that_explain_an_infeasibility(p, reasons, monkeypatch):
    """Each CP-SAT run gets only what is left of the one limit, explanations included."""
    from app.forums.solver import search

    runs = []
    make = search._solver

    def recorded(deadline, workers):
        started = time.perf_counter()
        made = make(deadline, workers)
        runs.append((deadline, started, made.parameters.max_time_in_seconds))
        return made

    monkeypatch.setattr(search, "_solver", recorded)
    before = time.perf_counter()
    result = solve(p, time_limit_seconds=5, workers=2)
    assert result.reasons == reasons
    assert len(runs) == 4  # the search, the core, and one run per kind of clash
    [deadline] = {d for d, _, _ in runs}  # one deadline: 5 s after the solve began
    assert before <= deadline - 5 <= runs[0][1]
    assert all(started + limit <= deadline for _, started, limit in runs)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_problem_survives_json_unchanged(seed):
    """A job carries the problem as JSON from the request to its worker."""
    p = medium(seed)
    with_sets = Problem(
        p.days,
        p.slots_per_day,
        (*p.rooms, room(9, open_slots={0, 3})),
        (*p.experts, expert(99, available={1, 2}, busy={4})),
        (*p.sessions, session(99, [99], fixed=(9, 0), moderator_ids=(99,))),
    )
    assert problem_from_json(json.loads(json.dumps(problem_to_json(with_sets)))) == with_sets


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
@pytest.mark.parametrize(("p", "reasons"), CORES)
def test_an_idle_solve_runs_every_search_idle_and_answers_alike(p, reasons, monkeypatch):
    """A job's solve searches at the idle priority, the explaining runs too; the rest of
    the solve, and the caller, keep theirs."""
    from app.core.priority import idle_policy
    from app.forums.solver import search

    policies = []
    make = search._solver

    def recorded(deadline, workers):
        made = make(deadline, workers)
        run = made.solve
        made.solve = lambda *args: policies.append(idle_policy()) or run(*args)
        return made

    monkeypatch.setattr(search, "_solver", recorded)
    # A long limit: on a machine busy with the rest of the suite an idle run may wait for a
    # core, and these stop as soon as they prove the problem infeasible.
    result = solve(p, time_limit_seconds=60, workers=2, idle=True)
    assert result.reasons == reasons
    assert policies == [True] * 4  # the search, the core, and one run per kind of clash
    assert not idle_policy()
    policies.clear()
    assert solve(p, time_limit_seconds=60, workers=2).reasons == reasons
    assert policies == [False] * 4
