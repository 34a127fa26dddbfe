"""Jobs in the tests' eager mode: who sees them, progress, cancel, and the sweeper that
settles jobs whose worker died."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.jobs import queue, runner
from app.jobs.models import Job, JobStatus
from app.jobs.runner import JobContext, Stopped


def url(job) -> str:
    return f"/api/v1/jobs/{job.id}"


def test_a_job_runs_reporting_its_progress(submit, caller, make_user, monkeypatch):
    seen = []
    report = JobContext.progress

    def watched(self, fraction, message=None):
        report(self, fraction, message)
        row = db.session.get(Job, self.id, populate_existing=True)
        seen.append((row.status, row.progress, row.message))

    monkeypatch.setattr(JobContext, "progress", watched)
    owner = make_user()
    job = submit(owner, to=4)
    runner.run(job.id, eager=True)
    assert seen == [
        (JobStatus.RUNNING, 0.0, "Counted 0 of 4."),
        (JobStatus.RUNNING, 0.25, "Counted 1 of 4."),
        (JobStatus.RUNNING, 0.5, "Counted 2 of 4."),
        (JobStatus.RUNNING, 0.75, "Counted 3 of 4."),
    ]
    body = caller(owner).get(url(job)).get_json()
    assert body["status"] == "succeeded" and body["progress"] == 1.0
    assert body["result"] == {"counted": 4, "attempt": 1} and body["error"] is None
    assert body["attempts"] == 1 and body["started_at"] <= body["finished_at"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("organiser", 200), ("admin", 200), ("other", 404), ("anonymous", 401)],
)
def test_who_sees_a_job(submit, caller, make_user, who, status):
    owner = make_user()
    job = submit(owner)
    roles = {"other": "expert", "organiser": "organiser", "admin": "admin"}
    actor = owner if who == "owner" else make_user(roles[who]) if who in roles else None
    assert caller(actor).get(url(job)).status_code == status


def test_an_unknown_job_is_404(caller, make_user):
    answer = caller(make_user("admin")).get("/api/v1/jobs/6f1c1d3e-0000-4000-8000-000000000000")
    assert answer.status_code == 404 and answer.get_json()["message"] == "No such job."


def test_a_queued_job_is_cancelled_and_never_runs(submit, caller, make_user):
    owner = make_user()
    job = submit(owner)
    answer = caller(owner).delete(url(job))
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "cancelled"
    assert answer.get_json()["error"]["code"] == 409
    runner.run(job.id, eager=True)
    db.session.refresh(job)
    assert job.status == JobStatus.CANCELLED and job.attempts == 0


def test_a_running_job_is_asked_to_stop_and_stops_at_its_next_step(submit, caller, make_user):
    owner = make_user()
    job = submit(owner)
    row = runner._claim(job.id)  # as a worker does when it takes the job
    answer = caller(owner).delete(url(job))
    assert answer.status_code == 202
    assert answer.get_json()["status"] == "running"
    assert answer.get_json()["cancel_requested"] is True
    with pytest.raises(Stopped):
        JobContext(row, eager=True).progress(0.5, "Half-way.")


def test_a_finished_job_cannot_be_cancelled(submit, caller, make_user):
    owner = make_user()
    job = submit(owner)
    runner.run(job.id, eager=True)
    answer = caller(owner).delete(url(job))
    assert answer.status_code == 409
    assert answer.get_json()["message"] == (
        "The job has already succeeded; there is nothing to cancel."
    )


def test_a_failing_handler_fails_the_job_without_its_traceback(submit, caller, make_user):
    owner = make_user()
    job = submit(owner, fail=True)
    runner.run(job.id, eager=True)
    body = caller(owner).get(url(job)).get_json()
    assert body["status"] == "failed"
    assert body["error"] == {
        "code": 500,
        "status": "Internal Server Error",
        "message": "The job failed unexpectedly.",
        "errors": {},
    }


def _lapse(job, app, *, attempts=1, seconds=None, started_seconds=None):
    """Make ``job`` look as if its worker died ``seconds`` ago (default: past the lapse)."""
    now = dt.datetime.now(dt.UTC)
    lapse = app.config["JOBS_HEARTBEAT_LAPSE_SECONDS"]
    job.status, job.attempts = JobStatus.RUNNING, attempts
    job.heartbeat_at = now - dt.timedelta(seconds=seconds or lapse + 1)
    job.started_at = now - dt.timedelta(seconds=started_seconds or lapse + 1)
    db.session.commit()


def test_a_job_whose_worker_died_runs_again_once(submit, app, caller, make_user):
    owner = make_user()
    job = submit(owner)
    _lapse(job, app)
    # Anyone reading the job settles it: here it runs again, at once (eager).
    body = caller(owner).get(url(job)).get_json()
    assert body["status"] == "succeeded" and body["attempts"] == 2
    assert body["result"] == {"counted": 3, "attempt": 2}


def test_a_job_whose_worker_died_twice_fails_saying_so(submit, app, caller, make_user):
    owner = make_user()
    job = submit(owner)
    _lapse(job, app, attempts=2)
    body = caller(owner).get(url(job)).get_json()
    assert body["status"] == "failed" and body["error"]["code"] == 503
    assert body["error"]["message"].startswith("The worker running this job stopped")
    assert body["error"]["message"].endswith("2 times.")


def test_a_beating_job_is_left_alone(submit, app, caller, make_user):
    owner = make_user()
    job = submit(owner)
    _lapse(job, app, seconds=1)
    assert runner.sweep() == []
    assert caller(owner).get(url(job)).get_json()["status"] == "running"


def test_a_job_past_its_time_limit_fails_even_while_it_beats(submit, app, count_kind):
    job = submit()
    _lapse(job, app, seconds=1, started_seconds=count_kind.time_limit + 3600)
    assert runner.sweep() == []
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED
    assert job.error["message"] == "The job ran past its time limit of 60 s."


def test_a_late_finish_of_a_settled_run_is_dropped(submit, app):
    """A worker that was given up on, yet finishes, writes nothing."""
    job = submit()
    row = runner._claim(job.id)
    _lapse(job, app, attempts=1)
    queue.redispatch(runner.sweep())  # queued again: attempt 2 ran (eager) and succeeded
    runner._finish(JobContext(row, eager=True), JobStatus.FAILED, None, {"message": "late"})
    db.session.refresh(job)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2


@pytest.mark.parametrize(("option", "niceness"), [([], 19), (["--nice", "3"], 3)])
def test_a_worker_yields_the_cpu_to_requests(app, runner, monkeypatch, option, niceness):
    """``flask jobs worker`` lowers its priority (JOBS_WORKER_NICE, else ``--nice``)
    before it takes a job: its solves and imports run on hosts that serve requests."""
    taken: list[int] = []
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr("os.nice", taken.append)
    monkeypatch.setattr(queue, "work", lambda *_args, **_kwargs: taken.append(-1))
    out = runner.invoke(args=["jobs", "worker", "--burst", *option])
    assert out.exit_code == 0, out.output
    assert taken == [niceness, -1]
