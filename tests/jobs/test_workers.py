"""Jobs run for real, on a scratch database both processes see: by ``flask jobs worker``
subprocesses on Redis (killed with SIGKILL half-way through a job, too), and in the
app's own threads without Redis (``make run``).

The worker tests need ``REDIS_URL`` (CI's PostgreSQL run sets it): without it they are
skipped; with it, a Redis that does not answer fails them."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import psutil
import pytest
import redis
from flask import Flask

from app import create_app
from app.accounts.services import create_token
from app.extensions import db
from app.jobs import queue, services
from app.jobs.models import Job, JobStatus
from app.models import TokenScope, User
from config import TestingConfig
from seeds.loader import load_report
from tests import factories as f
from tests.conftest import scratch_database
from tests.directory.test_import import BIBTEX
from tests.jobs import kinds

ROOT = Path(__file__).resolve().parents[2]
# Short beats, so a dead worker shows within seconds.
TIMING = {
    "JOBS_HEARTBEAT_SECONDS": 0.2,
    "JOBS_HEARTBEAT_LAPSE_SECONDS": 1.5,
    "JOBS_SWEEP_SECONDS": 0.3,
}
PATIENCE = 60  # seconds any one wait may take on a busy machine before the test fails


@pytest.fixture(scope="module")
def scratch_url(app, tmp_path_factory) -> Iterator[str]:
    """A database of the module's own, with the schema: workers read what tests commit."""
    with app.app_context():
        base_url = db.engine.url
    with scratch_database(base_url, tmp_path_factory.mktemp("jobs"), "jobs") as url:
        made = live_app(url, "eager")
        with made.app_context():
            flask_migrate.upgrade()
            load_report()  # countries and topics, which forums and experts refer to
            db.session.commit()
        _close(made)
        yield url


def live_app(url: str, mode: str, jobs_queue: str = "unused") -> Flask:
    config = type(
        "LiveJobsConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": url, "JOBS_MODE": mode, "JOBS_QUEUE": jobs_queue, **TIMING},
    )
    made = create_app(config)
    kinds.install(made)
    return made


def _close(made: Flask) -> None:
    if queue.SWEEPER_STOP in made.extensions:  # thread mode: its sweeper thread ends
        made.extensions[queue.SWEEPER_STOP].set()
    with made.app_context():
        db.session.remove()
        db.engine.dispose()


class Live:
    """An app on the scratch database, an organiser's token, and calls to its API."""

    def __init__(self, made: Flask) -> None:
        self.app, self.client = made, made.test_client()
        with made.app_context():
            self.user_id = f.UserFactory(role="organiser").id
            owner = db.session.get(User, self.user_id)
            _, self.token = create_token(owner, "t", [TokenScope.READ, TokenScope.WRITE], 1)
            db.session.commit()
            db.session.remove()

    def call(self, method: str, url: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def job(self, job_id) -> dict:
        answer = self.call("GET", f"/api/v1/jobs/{job_id}")
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def until(self, job_id, test, what: str) -> dict:
        """The job once ``test(job)`` holds; fails after PATIENCE seconds."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if test(job):
                return job
            time.sleep(0.1)
        raise AssertionError(f"Job never {what}: {job}")

    def count(self, to: int, step_seconds: float) -> uuid.UUID:
        """Start the counting job, as an endpoint would."""
        with self.app.app_context():
            owner = db.session.get(User, self.user_id)
            job = services.submit(kinds.COUNT, owner, {"to": to, "step_seconds": step_seconds})
            db.session.commit()
            queue.dispatch(job.id, job.kind)
            job_id = job.id
            db.session.remove()
        return job_id

    def forum_with_panels(self) -> int:
        """A forum with a room and three panels sharing two speakers (committed)."""
        with self.app.app_context():
            forum = f.ForumFactory()
            f.RoomFactory(forum=forum, capacity=100)
            ru, kz = f.ExpertFactory(country_code="RU"), f.ExpertFactory(country_code="KZ")
            for _ in range(3):
                session = f.SessionFactory(forum=forum)
                for expert in (ru, kz):
                    f.ParticipationFactory(session=session, expert=expert, status="accepted")
            db.session.commit()
            forum_id = forum.id
            db.session.remove()
        return forum_id


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (CI's PostgreSQL run sets it)")
    redis.Redis.from_url(url).ping()  # set but unreachable: fail here, plainly
    return url


@pytest.fixture
def on_redis(scratch_url, redis_url, tmp_path) -> Iterator[tuple[Live, Workers]]:
    """An app handing jobs to RQ on a queue of this test's own, and its workers."""
    name = f"test-jobs-{uuid.uuid4().hex[:8]}"
    made = live_app(scratch_url, "rq", name)
    with Workers(scratch_url, name, tmp_path) as workers:
        yield Live(made), workers
    queue.queue(made).delete(delete_jobs=True)
    _close(made)


class Workers:
    """``flask jobs worker`` subprocesses (with the tests' job kinds), each in a process
    group of its own, so SIGKILL takes its forked work horse too."""

    def __init__(self, url: str, name: str, logs: Path) -> None:
        self.logs = logs
        self.env = {
            **os.environ,
            "FLASK_CONFIG": "testing",
            "TEST_DATABASE_URL": url,
            "JOBS_MODE": "rq",
            "JOBS_QUEUE": name,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in TIMING.items()},
        }
        self.running: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = self.logs / f"worker-{len(self.running)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.jobs.worker"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc) -> None:
        for process in self.running:
            kill(process)
        for log in sorted(self.logs.glob("worker-*.log")):  # shown when the test fails
            print(f"--- {log.name}", log.read_text(errors="replace")[-3000:], sep="\n")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its work horse (RQ gives it a session of its own): nothing
    gets to clean up."""
    with contextlib.suppress(psutil.NoSuchProcess):
        for child in psutil.Process(process.pid).children(recursive=True):
            child.kill()
    if process.poll() is None:
        process.kill()
    process.wait()


def running(job: dict) -> bool:
    return job["status"] == "running" and job["progress"] > 0


@pytest.mark.redis
def test_a_solve_runs_in_a_worker_waited_for_or_polled(on_redis):
    live, workers = on_redis
    workers.start()
    forum = live.forum_with_panels()
    url = f"/api/v1/forums/{forum}/schedule/solve"
    waited = live.call("POST", url, json={"apply": False}, headers={"Prefer": "wait=60"})
    assert waited.status_code == 200, waited.get_json()
    assert waited.headers["Preference-Applied"] == "wait=60"
    assert len(waited.get_json()["placements"]) == 3

    accepted = live.call("POST", url, json={"apply": True})
    assert accepted.status_code == 202
    job_id = accepted.get_json()["id"]
    assert accepted.headers["Location"] == f"/api/v1/jobs/{job_id}"
    done = live.until(job_id, lambda j: j["status"] == "succeeded", "succeeded")
    assert done["result"]["applied"] is True and len(done["result"]["placements"]) == 3


@pytest.mark.redis
def test_progress_shows_while_it_runs_and_a_cancel_stops_it(on_redis):
    live, workers = on_redis
    workers.start()
    job_id = live.count(to=200, step_seconds=0.1)
    seen = live.until(job_id, running, "ran")
    assert seen["message"].startswith("Counted ") and seen["heartbeat_at"]
    later = live.until(job_id, lambda j: j["progress"] > seen["progress"], "progressed")
    assert later["status"] == "running"
    cancel = live.call("DELETE", f"/api/v1/jobs/{job_id}")
    assert cancel.status_code == 202 and cancel.get_json()["cancel_requested"] is True
    stopped = live.until(job_id, lambda j: j["status"] != "running", "stopped")
    assert stopped["status"] == "cancelled" and stopped["progress"] < 1
    assert stopped["error"]["message"] == "The job was cancelled."


def killed_mid_job(live: Live, workers: Workers, to: int) -> uuid.UUID:
    """A counting job whose worker was SIGKILLed half-way; another worker is running."""
    first = workers.start()
    job_id = live.count(to=to, step_seconds=0.1)
    live.until(job_id, running, "ran")
    kill(first)
    workers.start()  # its sweeper finds the lapsed heartbeat and queues the job again
    return job_id


@pytest.mark.redis
def test_a_job_whose_worker_is_killed_runs_again_on_another(on_redis):
    live, workers = on_redis
    job_id = killed_mid_job(live, workers, to=100)
    done = live.until(job_id, lambda j: j["status"] not in {"queued", "running"}, "ended")
    assert done["status"] == "succeeded", done
    assert done["attempts"] == 2 and done["result"] == {"counted": 100, "attempt": 2}


@pytest.mark.redis
def test_a_job_whose_worker_is_killed_twice_fails_saying_so(on_redis):
    live, workers = on_redis
    job_id = killed_mid_job(live, workers, to=300)
    live.until(job_id, lambda j: j["attempts"] == 2 and running(j), "ran again")
    kill(workers.running[-1])
    # No worker is left: reading the job settles it once its heartbeat has lapsed.
    failed = live.until(job_id, lambda j: j["status"] != "running", "failed")
    assert failed["status"] == "failed" and failed["error"]["code"] == 503
    assert failed["error"]["message"].startswith("The worker running this job stopped")
    assert failed["error"]["message"].endswith("2 times.")


@pytest.mark.redis
def test_a_full_export_is_written_by_a_worker_and_served_by_any_host(on_redis, scratch_url):
    live, workers = on_redis
    workers.start()
    live.app.config["JOBS_EXPORT_INLINE_ROWS"] = 1
    accepted = live.call("GET", "/api/v1/experts?format=csv")
    assert accepted.status_code == 202, accepted.get_data(as_text=True)[:300]
    done = live.until(accepted.get_json()["id"], lambda j: j["finished_at"], "finished")
    assert done["status"] == "succeeded", done
    assert done["result"]["filename"] == "experts.csv"
    other = live_app(scratch_url, "rq")  # another host: the file is in the database
    try:
        auth = {"Authorization": f"Bearer {live.token}"}
        answer = other.test_client().get(done["result"]["url"], headers=auth)
        assert answer.status_code == 200
        assert answer.headers["Content-Disposition"] == 'attachment; filename="experts.csv"'
        live.app.config["JOBS_EXPORT_INLINE_ROWS"] = 1_000_000
        assert answer.data == live.call("GET", "/api/v1/experts?format=csv").data
    finally:
        _close(other)


@pytest.mark.redis
def test_a_large_import_runs_in_a_worker(on_redis):
    live, workers = on_redis
    workers.start()
    live.app.config["JOBS_IMPORT_INLINE_BYTES"] = 100
    answer = live.call(
        "POST",
        "/api/v1/publications/import?format=bibtex",
        data=BIBTEX.encode(),
        content_type="application/x-bibtex",
        headers={"Prefer": "wait=60"},
    )
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    assert report["dry_run"] is False and report["created"] + len(report["skipped"]) == 2
    again = live.call(
        "POST",
        "/api/v1/publications/import?format=bibtex",
        data=BIBTEX.encode(),
        content_type="application/x-bibtex",
    )
    assert again.status_code == 202
    done = live.until(again.get_json()["id"], lambda j: j["finished_at"], "finished")
    assert done["result"]["created"] == 0 and len(done["result"]["skipped"]) == 2


def test_without_redis_jobs_run_in_the_app_s_own_threads(scratch_url):
    made = live_app(scratch_url, "thread")
    try:
        live = Live(made)
        forum = live.forum_with_panels()
        url = f"/api/v1/forums/{forum}/schedule/solve"
        waited = live.call("POST", url, json={"apply": True}, headers={"Prefer": "wait=60"})
        assert waited.status_code == 200, waited.get_json()
        assert waited.get_json()["applied"] is True

        job_id = live.count(to=20, step_seconds=0.05)
        done = live.until(job_id, lambda j: j["status"] == "succeeded", "succeeded")
        assert done["result"] == {"counted": 20, "attempt": 1}

        made.config["JOBS_EXPORT_INLINE_ROWS"] = 1
        report = "/api/v1/reports/gaps?format=xlsx"
        waited = live.call("GET", report, headers={"Prefer": "wait=60"})
        assert waited.status_code == 200, waited.get_data(as_text=True)[:300]
        assert waited.headers["Content-Disposition"] == 'attachment; filename="gaps.xlsx"'
        assert waited.data.startswith(b"PK")  # a zip: the workbook
    finally:
        _close(made)


def test_without_redis_a_job_whose_process_died_is_settled_by_the_sweeper(scratch_url):
    """A job left running by a process that died is retried by the next process's sweeper
    thread, though nobody reads it."""
    made = live_app(scratch_url, "thread")
    try:
        live = Live(made)
        with made.app_context():
            owner = db.session.get(User, live.user_id)
            job = services.submit(kinds.COUNT, owner, {"to": 3})
            lapsed = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)
            job.status, job.attempts = JobStatus.RUNNING, 1
            job.started_at = job.heartbeat_at = lapsed
            db.session.commit()
            job_id = job.id
            db.session.remove()
        assert live.call("GET", "/api/v1/health/live").status_code == 200  # starts it
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            with made.app_context():
                row = db.session.get(Job, job_id)
                status, attempts, result = row.status, row.attempts, row.result
                db.session.remove()
            if status == JobStatus.SUCCEEDED:
                break
            time.sleep(0.1)
        assert (status, attempts, result) == (
            JobStatus.SUCCEEDED,
            2,
            {"counted": 3, "attempt": 2},
        )
    finally:
        _close(made)
