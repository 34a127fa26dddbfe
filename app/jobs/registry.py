"""Job kinds, registered by the features that own them (the factory calls their
``register``), looked up by name when a job runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from app.jobs.runner import JobContext

EXTENSION = "job_kinds"


@dataclass(frozen=True)
class Kind:
    """``handler(job)`` does the work, reporting ``job.progress(...)``, and returns the
    result (JSON); a ``DomainError`` it raises becomes the job's error, with its status.
    A run past ``time_limit`` seconds is stopped (by RQ) and failed (by the sweeper)."""

    name: str
    handler: Callable[[JobContext], Any]
    time_limit: float
    # Runs after the first whose worker died (heartbeat lapsed) before the job fails.
    retries: int = 1
    # The handler stores a file (``app.jobs.files``): a client that waited gets the file.
    makes_file: bool = False


def register(app: Flask, kind: Kind) -> None:
    app.extensions.setdefault(EXTENSION, {})[kind.name] = kind


def kind_named(name: str) -> Kind:
    return current_app.extensions[EXTENSION][name]
