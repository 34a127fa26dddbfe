"""What the solver takes and gives: rooms, experts and sessions on integer slots, the
problem, the result, and the weights of the soft goals."""

from __future__ import annotations

from dataclasses import dataclass, fields

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


def problem_to_json(problem: Problem) -> dict:
    """The problem as JSON (sets as sorted lists), for a job to solve elsewhere."""

    def plain(value):
        if isinstance(value, frozenset):
            return sorted(value)
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return value

    def spec(obj) -> dict:
        return {f.name: plain(getattr(obj, f.name)) for f in fields(obj)}

    return {
        "days": problem.days,
        "slots_per_day": problem.slots_per_day,
        "rooms": [spec(r) for r in problem.rooms],
        "experts": [spec(e) for e in problem.experts],
        "sessions": [spec(s) for s in problem.sessions],
    }


def problem_from_json(data: dict) -> Problem:
    """The problem ``problem_to_json`` wrote, equal to the one it was given."""

    def spec(cls, values: dict):
        # The annotations are strings here (``from __future__ import annotations``).
        return cls(
            **{
                f.name: (frozenset if f.type.startswith("frozenset") else tuple)(values[f.name])
                if isinstance(values[f.name], list)
                else values[f.name]
                for f in fields(cls)
            }
        )

    return Problem(
        days=data["days"],
        slots_per_day=data["slots_per_day"],
        rooms=tuple(spec(RoomSpec, r) for r in data["rooms"]),
        experts=tuple(spec(ExpertSpec, e) for e in data["experts"]),
        sessions=tuple(spec(SessionSpec, s) for s in data["sessions"]),
    )
