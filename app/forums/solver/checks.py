"""Checks without search: ``explain`` gives cheap necessary conditions before solving,
``check`` verifies a finished plan against every hard constraint. Both word what they find
for the organiser."""

from __future__ import annotations

import itertools
from collections import defaultdict

from app.forums.solver.facts import Facts, fixed_room, people_of, span
from app.forums.solver.specs import Problem, SessionSpec


def explain(problem: Problem) -> list[str]:
    """Cheap necessary conditions for a plan; each message names what is in the way."""
    return obstacles(Facts(problem))


def obstacles(facts: Facts) -> list[str]:
    """``explain`` on a problem already indexed."""
    fixed_plan = {s.id: (fixed_room(s), s.fixed[1]) for s in facts.fixed}
    return [
        *_clashes(facts, fixed_plan, "Fixed session"),
        *_audiences_too_large(facts),
        *_overcommitted_experts(facts),
        *_sessions_without_start(facts),
        *_room_slot_shortages(facts),
    ]


def _clashes(facts: Facts, plan: dict, label: str = "Session") -> list[str]:
    """Two sessions in one room or with one person at once, or a person booked elsewhere."""
    taken: dict[tuple, int] = {}
    found: dict[tuple, str] = {}  # keyed to report each clash once, in plan order
    for sid, (room_id, start) in plan.items():
        s = facts.sessions[sid]
        keys = [("room", room_id)] if room_id is not None else []
        keys += [("person", p) for p in people_of(s)]
        for slot, key in itertools.product(span(start, s.slots), keys):
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


def _clash(facts: Facts, key: tuple, a: int, b: int, label: str) -> str:
    pair = f"{label}s '{facts.sessions[a].title}' and '{facts.sessions[b].title}' overlap"
    if key[0] == "room":
        return f"{pair} in room {facts.rooms[key[1]].name}."
    return f"{pair} and share Expert {facts.experts[key[1]].name}."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _audiences_too_large(facts: Facts) -> list[str]:
    largest = facts.largest_room()
    return [
        f"Session '{s.title}' expects {s.audience} people but the largest room holds {largest}."
        for s in facts.open
        if s.audience is not None and s.audience > largest
    ]


def _overcommitted_experts(facts: Facts) -> list[str]:
    needs: dict[int, list[int]] = defaultdict(list)
    for s in facts.open:
        for p in people_of(s):
            needs[p].append(s.slots)
    return [
        f"Expert {facts.experts[p].name} is in {_count(len(lengths), 'session')} needing "
        f"{_count(sum(lengths), 'slot')} but is available for "
        f"{_count(len(facts.person_free[p]), 'slot')}."
        for p, lengths in needs.items()
        if sum(lengths) > len(facts.person_free[p])
    ]


def _sessions_without_start(facts: Facts) -> list[str]:
    largest = facts.largest_room()
    return [
        f"Session '{s.title}' ({_count(s.slots, 'slot')}) has no start where all its experts "
        "and a large enough room are free."
        for s in facts.open
        if (s.audience or 0) <= largest and not any(facts.starts[s.id].values())
    ]


def _room_slot_shortages(facts: Facts) -> list[str]:
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
    facts = Facts(problem)
    errors = [f"Placement for unknown session {sid}." for sid in placements.keys() - facts.sessions]
    plan: dict[int, tuple[int | None, int]] = {}
    for s in problem.sessions:
        if s.fixed is not None:
            if tuple(placements.get(s.id, s.fixed)) != tuple(s.fixed):
                errors.append(f"Fixed session '{s.title}' was moved.")
            plan[s.id] = (fixed_room(s), s.fixed[1])
        elif s.id not in placements:
            errors.append(f"Session '{s.title}' is not placed.")
        elif placements[s.id][0] not in facts.rooms:
            errors.append(f"Session '{s.title}' is in unknown room {placements[s.id][0]}.")
        else:
            errors += _placement_errors(facts, s, *placements[s.id])
            plan[s.id] = placements[s.id]
    return errors + _clashes(facts, plan)


def _placement_errors(facts: Facts, s: SessionSpec, room_id: int, start: int) -> list[str]:
    room, (day, offset) = facts.rooms[room_id], divmod(start, facts.spd)
    run, errors = set(span(start, s.slots)), []
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
    for p in people_of(s):
        expert = facts.experts[p]
        if expert.available is not None and not run <= expert.available:
            errors.append(f"Expert {expert.name} is not available during session '{s.title}'.")
    return errors
