"""The timetable solve as a background job.

The request reads the forum into the solver's problem and the versions it was read
from (``params``), and ends its transaction; the worker solves, then applies the plan in
a new transaction that refuses (409) if the forum changed meanwhile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from app.core.errors import DomainError
from app.forums import scheduling, solver
from app.forums.models import Forum
from app.forums.schemas import MAX_SOLVE_SECONDS, SolveResultSchema, SolveSchema
from app.jobs import queue
from app.jobs.registry import Kind
from app.jobs.registry import register as register_kind
from app.jobs.runner import JobContext

NAME = "forums.solve"
# The solver stops at the request's time_limit_seconds (at most MAX_SOLVE_SECONDS,
# explanations included); writing the plan takes a few seconds more at most.
TIME_LIMIT_SECONDS = MAX_SOLVE_SECONDS + 60


def params(forum: Forum, options: dict[str, Any]) -> dict[str, Any]:
    """What the job needs, read in the request."""
    grid = scheduling.Grid.for_forum(
        forum, options["day_start"], options["day_end"], options["slot_minutes"]
    )
    return {
        "forum_id": forum.id,
        "options": SolveSchema().dump(options),
        "problem": solver.problem_to_json(scheduling.build(forum, grid).problem),
        "snapshot": scheduling.snapshot(forum),
    }


def run(job: JobContext) -> dict[str, Any]:
    """Solve, then apply (or preview) in this job's one transaction."""
    options = SolveSchema().load(job.params["options"])
    problem = solver.problem_from_json(job.params["problem"])
    job.progress(0.05, "Solving the timetable.")
    result = solver.solve(
        problem,
        time_limit_seconds=options["time_limit_seconds"],
        workers=scheduling.WORKERS,
        idle=idle_search(current_app.config),
    )
    if result.status not in ("optimal", "feasible"):
        raise DomainError(
            "No timetable fits: " + "; ".join(result.reasons[:5]), {"reasons": result.reasons}
        )
    job.progress(0.9, "Writing the plan." if options["apply"] else "Checking the plan.")
    answer = scheduling.apply(job.params["forum_id"], job.params["snapshot"], options, result)
    return SolveResultSchema().dump(answer)


def idle_search(config: Mapping[str, Any]) -> bool:
    """Whether the search runs at the idle priority: only in a worker's process of its own,
    where an idle thread holding the GIL holds up no request (app.core.priority)."""
    return config["JOBS_SOLVER_IDLE"] and config["JOBS_MODE"] == queue.RQ


KIND = Kind(NAME, run, time_limit=TIME_LIMIT_SECONDS)


def register(app: Flask) -> None:
    register_kind(app, KIND)
