"""A CP-SAT timetable for the sessions of a bilateral forum, on integer slot indices.

Pure: no Flask, no database. Slot ``k`` of day ``d`` has the global index
``d * slots_per_day + k``; a session occupies ``[start, start + slots)`` and never crosses
a day boundary. Hard constraints hold in every returned plan (``check`` verifies them
independently); the soft goals are a weighted sum, minimised. A session's moderators are
people too: they are held to the same constraints as its experts.

``specs`` holds what goes in and comes out, ``checks`` the pre-checks and the verifier,
``greedy`` the first plan, ``model`` the CP-SAT model and ``search`` the solving.
"""

from app.forums.solver.checks import check, explain
from app.forums.solver.search import RANDOM_SEED, STATUSES, solve
from app.forums.solver.specs import (
    EXPERT_SAME_DAY_WEIGHT,
    MODERATOR_IMBALANCE_WEIGHT,
    PLENARY_OFFSET_WEIGHT,
    SIDES,
    TOPIC_OVERLAP_WEIGHT,
    WEIGHTS,
    ExpertSpec,
    Problem,
    Result,
    RoomSpec,
    SessionSpec,
    problem_from_json,
    problem_to_json,
)

__all__ = [
    "EXPERT_SAME_DAY_WEIGHT",
    "MODERATOR_IMBALANCE_WEIGHT",
    "PLENARY_OFFSET_WEIGHT",
    "RANDOM_SEED",
    "SIDES",
    "STATUSES",
    "TOPIC_OVERLAP_WEIGHT",
    "WEIGHTS",
    "ExpertSpec",
    "Problem",
    "Result",
    "RoomSpec",
    "SessionSpec",
    "check",
    "explain",
    "problem_from_json",
    "problem_to_json",
    "solve",
]
