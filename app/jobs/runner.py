"""Running one job: claim it, keep its heartbeat, call its kind's handler, record how it
ended; and the sweeper, which retries or fails jobs whose worker died.

Every change of a job's state is a conditional UPDATE naming the state it expects
(``running``, this attempt), so a worker, a cancel and the sweeper never both win.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from app.core.db import begin_as_writer
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.jobs.models import Job, JobStatus
from app.jobs.registry import EXTENSION, kind_named
from app.jobs.services import CANCELLED, error_body

log = logging.getLogger(__name__)


class Stopped(Exception):
    """The job was cancelled, or another party (the sweeper) took it over."""


class JobContext:
    """What a handler gets: its ``params``, its ``owner_id``, and ``progress``."""

    def __init__(self, row: Any, eager: bool) -> None:
        self.id, self.attempt = row.id, row.attempts
        self.params, self.owner_id = row.params, row.owner_id
        self.eager = eager

    def mine(self) -> sa.ColumnElement[bool]:
        """This run of the job, while it is still running."""
        return sa.and_(
            Job.id == self.id, Job.status == JobStatus.RUNNING, Job.attempts == self.attempt
        )

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Record how far the job got (0–1); raise ``Stopped`` if a cancel was asked for.

        Written on a connection of its own, so a handler's open transaction is neither
        committed nor seen (on SQLite, whose writer holds the whole database, report it
        between a handler's writes); run eagerly (tests), in the caller's session."""
        stmt = (
            sa.update(Job)
            .where(self.mine())
            .values(progress=min(max(fraction, 0.0), 1.0), message=message, heartbeat_at=utcnow())
            .returning(Job.cancel_requested)
        )
        if self.eager:
            cancel = db.session.execute(stmt).scalar_one_or_none()
        else:
            with db.engine.begin() as conn:
                cancel = conn.execute(stmt).scalar_one_or_none()
        if cancel is None or cancel:
            raise Stopped


def run(job_id: uuid.UUID, *, eager: bool = False) -> None:
    """Run the job if it is still queued; its handler's writes commit with its outcome."""
    row = _claim(job_id)
    if row is None:
        return  # cancelled meanwhile, or another worker took it
    job = JobContext(row, eager)
    g.audit_actor_id = row.owner_id  # what the job writes, its owner did (app.audit)
    begin_as_writer()  # on SQLite, read-then-write must not lose to a heartbeat's commit
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    beating = contextlib.nullcontext() if eager else heartbeat(app, job)
    with beating:
        status, result, error = _outcome(row.kind, job)
    _finish(job, status, result, error)


def _claim(job_id: uuid.UUID) -> Any:
    now = utcnow()
    row = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0.0,
            message=None,
        )
        .returning(Job.id, Job.kind, Job.attempts, Job.params, Job.owner_id)
    ).one_or_none()
    db.session.commit()
    return row


def _outcome(kind: str, job: JobContext) -> tuple[JobStatus, Any, dict | None]:
    try:
        result = kind_named(kind).handler(job)
        db.session.flush()  # a stale write shows here, not in _finish
    except Stopped:
        db.session.rollback()
        return JobStatus.CANCELLED, None, CANCELLED
    except DomainError as error:
        db.session.rollback()
        return JobStatus.FAILED, None, error_body(error.status, error.message, error.errors)
    except StaleDataError:
        db.session.rollback()
        message = "What the job was writing changed meanwhile; start it again."
        return JobStatus.FAILED, None, error_body(409, message)
    except Exception:
        db.session.rollback()
        log.exception("Job %s (%s) failed", job.id, kind)
        return JobStatus.FAILED, None, error_body(500, "The job failed unexpectedly.")
    return JobStatus.SUCCEEDED, result, None


def _finish(job: JobContext, status: JobStatus, result: Any, error: dict | None) -> None:
    values: dict[str, Any] = {"status": status, "result": result, "error": error}
    values |= {"finished_at": utcnow(), "message": error["message"] if error else None}
    if status == JobStatus.SUCCEEDED:
        values["progress"] = 1.0
    done = db.session.execute(sa.update(Job).where(job.mine()).values(**values))
    if done.rowcount != 1:  # the sweeper gave up on this run: nothing it wrote stays
        db.session.rollback()
        return
    db.session.commit()


@contextlib.contextmanager
def heartbeat(app: Flask, job: JobContext) -> Iterator[None]:
    """Touch the job's ``heartbeat_at`` every ``JOBS_HEARTBEAT_SECONDS`` from a thread,
    so a handler busy in C (the solver) still shows its worker alive."""
    stop = threading.Event()
    seconds = app.config["JOBS_HEARTBEAT_SECONDS"]

    def beat() -> None:
        with app.app_context():
            while not stop.wait(seconds):
                try:
                    with db.engine.begin() as conn:
                        conn.execute(sa.update(Job).where(job.mine()).values(heartbeat_at=utcnow()))
                except SQLAlchemyError:
                    log.warning("Job %s: heartbeat not written", job.id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"job-heartbeat-{job.id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def sweep(job_id: uuid.UUID | None = None) -> list[tuple[uuid.UUID, str]]:
    """Settle running jobs (or only ``job_id``) whose worker is gone: past their time limit
    they fail; with their heartbeat lapsed they run again (``Kind.retries``) or fail.
    Commits, and answers the jobs (id and kind) to hand to a worker again."""
    now = utcnow()
    lapse = dt.timedelta(seconds=current_app.config["JOBS_HEARTBEAT_LAPSE_SECONDS"])
    query = sa.select(Job.id, Job.kind, Job.attempts, Job.started_at, Job.heartbeat_at).where(
        Job.status == JobStatus.RUNNING
    )
    if job_id is not None:
        query = query.where(Job.id == job_id)
    jobs = db.session.execute(query).all()
    # End the read: each change is a conditional UPDATE of its own (on SQLite a write
    # after a read loses to any commit in between).
    db.session.commit()
    again = []
    for job in jobs:
        kind = current_app.extensions[EXTENSION].get(job.kind)
        limit = dt.timedelta(seconds=kind.time_limit if kind else 0)
        if job.started_at + limit + lapse < now:
            message = f"The job ran past its time limit of {limit.total_seconds():g} s."
            _settle(job, now, error_body(503, message))  # beating or not
        elif job.heartbeat_at + lapse < now:
            if job.attempts <= (kind.retries if kind else 0):
                again += _settle(job, now - lapse, None)
            else:
                message = (
                    f"The worker running this job stopped (no heartbeat since "
                    f"{job.heartbeat_at.isoformat(timespec='seconds')}), {job.attempts} times."
                )
                _settle(job, now - lapse, error_body(503, message))
    return again


def _settle(job: Any, lapsed: dt.datetime, error: dict | None) -> list[tuple[uuid.UUID, str]]:
    """Fail the run (``error``), or queue it again (None), unless it beat since ``lapsed``."""
    values: dict[str, Any] = {"status": JobStatus.QUEUED, "message": "Its worker stopped."}
    if error:
        values = {"status": JobStatus.FAILED, "error": error, "message": error["message"]}
        values["finished_at"] = utcnow()
    done = db.session.execute(
        sa.update(Job)
        .where(
            Job.id == job.id,
            Job.status == JobStatus.RUNNING,
            Job.attempts == job.attempts,
            Job.heartbeat_at < lapsed,
        )
        .values(**values)
    )
    db.session.commit()
    return [(job.id, job.kind)] if done.rowcount == 1 and not error else []
