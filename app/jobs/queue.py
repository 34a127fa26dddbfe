"""Handing a job to whoever runs it: RQ on Redis (``flask jobs worker``), a thread of
this process (no ``REDIS_URL``: ``make run`` needs nothing else), or at once, in the
caller (``JOBS_MODE=eager``: the tests)."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid

import rq
from flask import Flask, current_app

from app.core.redis_client import connect
from app.extensions import db
from app.jobs import files, runner
from app.jobs.registry import kind_named

EAGER, THREAD, RQ = "eager", "thread", "rq"
log = logging.getLogger(__name__)
SWEEPER_STOP = "jobs_sweeper_stop"


def dispatch(job_id: uuid.UUID, kind: str) -> None:
    """Run the (committed, queued) job as ``JOBS_MODE`` says. RQ errors propagate."""
    mode = current_app.config["JOBS_MODE"]
    if mode == EAGER:
        runner.run(job_id, eager=True)
    elif mode == THREAD:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        threading.Thread(target=_in_thread, args=(app, job_id), daemon=True).start()
    else:
        # RQ stops the work horse a little after the kind's limit; the sweeper fails the job.
        limit = int(kind_named(kind).time_limit) + 5
        queue(current_app).enqueue(perform, str(job_id), job_timeout=limit, result_ttl=0)


def queue(app: Flask) -> rq.Queue:
    if "jobs_queue" not in app.extensions:
        app.extensions["jobs_queue"] = rq.Queue(app.config["JOBS_QUEUE"], connection=connect(app))
    return app.extensions["jobs_queue"]


def _in_thread(app: Flask, job_id: uuid.UUID) -> None:
    with app.app_context():
        try:
            runner.run(job_id)
        finally:
            db.session.remove()


_worker_app: Flask | None = None


def perform(job_id: str) -> None:
    """What RQ runs, in a work horse forked from ``flask jobs worker``."""
    assert _worker_app is not None, "perform runs under `flask jobs worker`"
    with _worker_app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections are not ours
        try:
            runner.run(uuid.UUID(job_id))
        finally:
            db.session.remove()


def sweep_once() -> None:
    """Settle the jobs whose worker died (handing the retried ones over again) and delete
    expired files; commits."""
    redispatch(runner.sweep())
    files.sweep_expired()
    db.session.commit()


def sweep_in_threads(app: Flask) -> None:
    """In thread mode, a thread of each serving process sweeps every
    ``JOBS_SWEEP_SECONDS``, so a job whose process died (its thread with it) is retried
    or failed when the app runs again, though nobody reads it. It starts with the
    process's first request: a thread started before gunicorn forks its workers would
    not survive the fork, and CLI commands need none."""
    if app.config["JOBS_MODE"] != THREAD:
        return
    lock, started = threading.Lock(), threading.Event()
    app.extensions[SWEEPER_STOP] = threading.Event()  # set, it ends (the tests' apps)

    @app.before_request
    def _start_sweeper() -> None:
        if started.is_set():
            return
        with lock:
            if not started.is_set():
                started.set()
                threading.Thread(
                    target=_sweep_forever, args=(app,), name="jobs-sweeper", daemon=True
                ).start()


def _sweep_forever(app: Flask) -> None:
    while not app.extensions[SWEEPER_STOP].wait(app.config["JOBS_SWEEP_SECONDS"]):
        with app.app_context():
            try:
                sweep_once()
            except Exception:
                log.exception("Sweeping jobs failed")
            finally:
                db.session.remove()


def redispatch(jobs: list[tuple[uuid.UUID, str]]) -> None:
    """Hand the jobs (id and kind) the sweeper queued again back to a worker."""
    for job_id, kind in jobs:
        dispatch(job_id, kind)


class Worker(rq.Worker):
    """RQ's forking worker that also sweeps (``runner.sweep``) every
    ``JOBS_SWEEP_SECONDS``, whether idle or watching a job."""

    def __init__(self, *args, app: Flask, **kwargs) -> None:
        self.app, self.parent_pid, self.swept_at = app, os.getpid(), 0.0
        self.sweep_seconds = app.config["JOBS_SWEEP_SECONDS"]
        super().__init__(*args, **kwargs)  # reads dequeue_timeout

    @property
    def dequeue_timeout(self) -> int:
        # Wake up this often without a job, so the sweep runs.
        return max(1, int(self.sweep_seconds))

    def heartbeat(self, *args, **kwargs) -> None:
        super().heartbeat(*args, **kwargs)
        if os.getpid() != self.parent_pid or time.monotonic() - self.swept_at < self.sweep_seconds:
            return  # a work horse never sweeps: its connections are its own job's
        self.swept_at = time.monotonic()
        with self.app.app_context():
            try:
                sweep_once()
            except Exception:
                self.log.exception("Sweeping jobs failed")
            finally:
                db.session.remove()


def work(app: Flask, *, burst: bool = False) -> None:
    """Run a worker on the app's queue until stopped (or, ``burst``, until it is empty)."""
    global _worker_app  # noqa: PLW0603 - the forked work horse finds its app here
    _worker_app = app
    jobs = queue(app)
    worker = Worker([jobs], app=app, connection=jobs.connection)
    worker.work(burst=burst, with_scheduler=False)
