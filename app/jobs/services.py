"""Starting, reading and cancelling jobs. Like every service, these never commit."""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.core.errors import Conflict, NotFound
from app.core.models import utcnow
from app.extensions import db
from app.jobs.models import Job, JobStatus
from app.jobs.registry import Kind

if TYPE_CHECKING:
    from app.accounts.models import User

POLL_SECONDS = 0.2


def error_body(status: int, message: str, errors: dict[str, Any] | None = None) -> dict:
    """The API's error shape, as the endpoint would have answered."""
    return {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message,
        "errors": errors or {},
    }


CANCELLED = error_body(409, "The job was cancelled.")


def submit(kind: Kind, owner: User, params: dict[str, Any]) -> Job:
    """A queued job of ``kind`` for ``owner``; it runs once the transaction commits."""
    job = Job(id=uuid.uuid4(), kind=kind.name, owner_id=owner.id, params=params)
    db.session.add(job)
    db.session.flush()
    return job


def pending(kind: Kind, owner: User, params: dict[str, Any]) -> Job | None:
    """The owner's queued or running job of ``kind`` with these very ``params``, if any."""
    unfinished = db.session.scalars(
        sa.select(Job)
        .options(orm.undefer(Job.params))  # compared below: not one more read per job
        .where(
            Job.owner_id == owner.id,
            Job.kind == kind.name,
            Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )
    return next((job for job in unfinished if job.params == params), None)


def can_see(actor: User, job: Job) -> bool:
    """The job's owner, organisers and admins."""
    return actor.id == job.owner_id or actor.is_organiser


def visible_job(actor: User, job_id: uuid.UUID) -> Job:
    """The job, or 404 for anyone who may not see it (as for an id nobody uses)."""
    job = db.session.get(Job, job_id, populate_existing=True)
    if job is None or not can_see(actor, job):
        raise NotFound("No such job.")
    return job


def cancel(job: Job) -> Job:
    """Cancel a queued job; ask a running one to stop at its next progress point; 409 when
    it has finished."""
    moved = _end(job, JobStatus.CANCELLED, CANCELLED)
    moved = moved or _move(job, JobStatus.RUNNING, cancel_requested=True)
    db.session.refresh(job)
    if not moved:
        raise Conflict(f"The job has already {job.status}; there is nothing to cancel.")
    return job


def fail(job: Job, error: dict[str, Any]) -> None:
    """Fail a job that never started (its queue could not be reached)."""
    _end(job, JobStatus.FAILED, error)


def _end(job: Job, status: JobStatus, error: dict[str, Any]) -> bool:
    """End a job still queued, with ``error``."""
    values = {"error": error, "message": error["message"], "finished_at": utcnow()}
    return _move(job, JobStatus.QUEUED, status=status, **values)


def _move(job: Job, expected: JobStatus, **values: Any) -> bool:
    """Change the job only if it is still ``expected`` (a worker may be claiming it)."""
    done = db.session.execute(
        sa.update(Job).where(Job.id == job.id, Job.status == expected).values(**values)
    )
    return done.rowcount == 1


def wait_for(job_id: uuid.UUID, seconds: float) -> Job:
    """The job once it has finished, or as it stands after ``seconds``.

    Each look is its own transaction, so it sees what the worker committed since."""
    deadline = time.monotonic() + seconds
    while True:
        job = db.session.get(Job, job_id, populate_existing=True)
        if job is None or job.finished or time.monotonic() >= deadline:
            return job
        db.session.rollback()  # hold no transaction (nor SQLite's lock) while waiting
        time.sleep(POLL_SECONDS)
