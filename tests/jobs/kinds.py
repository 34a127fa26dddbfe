"""A job kind for the tests: it counts, a step at a time, reporting each step, so a test
can watch its progress, cancel it, or kill its worker half-way."""

from __future__ import annotations

import time

from flask import Flask

from app.jobs.registry import EXTENSION, Kind, register
from app.jobs.runner import JobContext


def count(job: JobContext) -> dict:
    """Count to ``params["to"]``, ``params["step_seconds"]`` a step."""
    to = job.params["to"]
    for done in range(to):
        job.progress(done / to, f"Counted {done} of {to}.")
        time.sleep(job.params.get("step_seconds", 0))
    if job.params.get("fail"):
        raise RuntimeError("Counting went wrong.")
    return {"counted": to, "attempt": job.attempt}


COUNT = Kind("tests.count", count, time_limit=60)


def install(app: Flask) -> None:
    register(app, COUNT)


def uninstall(app: Flask) -> None:
    app.extensions[EXTENSION].pop(COUNT.name, None)
