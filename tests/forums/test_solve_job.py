"""The solve as a job: 202 with ``Location``, ``Prefer: wait``, and the refusal to apply
a plan to a forum that changed while it was being solved."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forums import solve_job
from app.forums.schemas import SolveSchema
from app.jobs import runner, services
from app.models import AuditEntry, Job, JobStatus
from tests import factories as f


def solve_url(forum) -> str:
    return f"/api/v1/forums/{forum.id}/schedule/solve"


@pytest.fixture
def panels(forum, db_session):
    """Three panels sharing a Russian and a Kazakh speaker, and a room."""
    f.RoomFactory(forum=forum, capacity=100)
    ru, kz = f.ExpertFactory(country_code="RU"), f.ExpertFactory(country_code="KZ")
    sessions = [f.SessionFactory(forum=forum) for _ in range(3)]
    for session in sessions:
        for expert in (ru, kz):
            f.ParticipationFactory(session=session, expert=expert, status="accepted")
    db_session.flush()
    return sessions


def test_a_solve_answers_202_with_the_job_and_its_location(organiser, forum, panels):
    answer = organiser.post(solve_url(forum), json={"apply": False})
    assert answer.status_code == 202
    body = answer.get_json()
    assert answer.headers["Location"] == f"/api/v1/jobs/{body['id']}"
    assert body["kind"] == "forums.solve"
    assert "Preference-Applied" not in answer.headers
    # Run at once in the tests; a client polls the Location for the same.
    polled = organiser.get(answer.headers["Location"]).get_json()
    assert polled["status"] == "succeeded" and polled["progress"] == 1.0
    placed = sorted(p["session_id"] for p in polled["result"]["placements"])
    assert placed == sorted(s.id for s in panels)
    assert polled["result"]["applied"] is False


@pytest.mark.parametrize(
    ("prefer", "applied"),
    [
        ("wait=10", "wait=10"),
        ("respond-async, wait=5", "wait=5"),
        ('wait="7"', "wait=7"),
        ("wait=3600", "wait=60"),  # capped at JOBS_MAX_WAIT_SECONDS
    ],
)
def test_prefer_wait_answers_the_plan_itself(organiser, forum, panels, prefer, applied):
    answer = organiser.post(solve_url(forum), json={"apply": True}, headers={"Prefer": prefer})
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["Preference-Applied"] == applied
    assert "Location" not in answer.headers
    body = answer.get_json()
    assert body["status"] == "optimal" and body["applied"] is True
    db.session.expire_all()
    assert all(s.starts_at is not None for s in panels)


@pytest.mark.parametrize("prefer", ["wait=soon", "handling=lenient", "", "wait=-1"])
def test_a_prefer_without_a_wait_answers_202(organiser, forum, panels, prefer):
    answer = organiser.post(solve_url(forum), json={}, headers={"Prefer": prefer})
    assert answer.status_code == 202
    assert "Preference-Applied" not in answer.headers


def test_an_infeasible_forum_is_422_waited_for_or_the_job_s_error(organiser, forum, db_session):
    f.RoomFactory(forum=forum, capacity=10)
    f.SessionFactory(forum=forum, expected_audience=500)
    db_session.flush()
    waited = organiser.post(solve_url(forum), json={}, headers={"Prefer": "wait=30"})
    assert waited.status_code == 422
    assert waited.get_json()["message"].startswith("No timetable fits")
    polled = organiser.post(solve_url(forum), json={}).get_json()
    assert polled["status"] == "failed"
    assert polled["error"] == waited.get_json()


def test_the_plan_is_written_on_behalf_of_the_organiser(organiser, forum, panels):
    organiser.post(solve_url(forum), json={"apply": True}, headers={"Prefer": "wait=30"})
    actors = db.session.scalars(
        sa.select(AuditEntry.actor_id).where(
            AuditEntry.entity_type == "session", AuditEntry.entity_id == panels[0].id
        )
    ).all()
    assert organiser.user.id in actors


def _edit_title(forum, sessions):
    sessions[0].title = "Renamed while solving"


def _invite(forum, sessions):
    f.ParticipationFactory(session=sessions[1], expert=f.ExpertFactory(country_code="KZ"))


def _shrink_room(forum, sessions):
    forum.rooms[0].capacity = 5


def _new_availability(forum, sessions):
    expert = sessions[0].participations[0].expert
    start = dt.datetime(2027, 9, 14, 4, tzinfo=dt.UTC)
    f.AvailabilityFactory(
        forum=forum, expert=expert, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )


def _move_forum(forum, sessions):
    forum.city = "Aktau"


@pytest.mark.parametrize(
    ("change", "changed"),
    [
        (_edit_title, ["sessions"]),
        (_invite, ["participations"]),
        (_shrink_room, ["rooms"]),
        (_new_availability, ["availability"]),
        (_move_forum, ["forum"]),
    ],
)
def test_a_plan_for_a_forum_changed_meanwhile_is_refused(
    organiser, forum, panels, db_session, change, changed
):
    job = _submitted(organiser, forum, db_session)
    change(forum, panels)  # someone else's write, committed while the worker solves
    db_session.commit()
    runner.run(job.id, eager=True)
    db_session.refresh(job)
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == 409 and job.error["errors"] == {"changed": changed}
    assert job.error["message"] == (
        "The forum changed while its timetable was being solved; solve it again."
    )
    db_session.expire_all()
    assert all(s.starts_at is None for s in panels)


def test_a_plan_for_an_unchanged_forum_is_applied(organiser, forum, panels, db_session):
    job = _submitted(organiser, forum, db_session)
    runner.run(job.id, eager=True)
    job = db_session.get(Job, job.id, populate_existing=True)
    assert job.status == JobStatus.SUCCEEDED and job.result["applied"] is True
    db_session.expire_all()
    assert all(s.starts_at is not None for s in panels)


def test_a_forum_deleted_meanwhile_is_404(organiser, forum, panels, db_session):
    job = _submitted(organiser, forum, db_session)
    db_session.delete(forum)
    db_session.commit()
    runner.run(job.id, eager=True)
    db_session.refresh(job)
    assert job.status == JobStatus.FAILED and job.error["code"] == 404


def _submitted(organiser, forum, db_session) -> Job:
    """A solve job as the request leaves it: its inputs read, queued, committed."""
    db_session.commit()
    db_session.expire_all()  # read from the database, as a request does
    params = solve_job.params(forum, SolveSchema().load({"apply": True}))
    job = services.submit(solve_job.KIND, organiser.user, params)
    db_session.commit()
    return job


def test_an_unreachable_queue_is_503_and_the_job_failed(
    organiser, forum, panels, app, monkeypatch, db_session
):
    monkeypatch.setitem(app.config, "JOBS_MODE", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens
    monkeypatch.delitem(app.extensions, "jobs_queue", raising=False)
    answer = organiser.post(solve_url(forum), json={}, headers={"Prefer": "wait=5"})
    monkeypatch.delitem(app.extensions, "jobs_queue")  # not to be used with the real URL
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.get_json()["errors"] == {"queue": ["unavailable"]}
    job = db_session.scalars(sa.select(Job).filter_by(owner_id=organiser.user.id)).one()
    assert job.status == JobStatus.FAILED and job.error["code"] == 503


@pytest.mark.parametrize(
    ("idle", "mode", "searched_idle"),
    [(True, "rq", True), (False, "rq", False), (True, "thread", False), (True, "eager", False)],
)
def test_only_a_worker_s_search_runs_idle(idle, mode, searched_idle):
    """An idle thread holding the GIL would hold up requests in the app's own process."""
    config = {"JOBS_SOLVER_IDLE": idle, "JOBS_MODE": mode}
    assert solve_job.idle_search(config) is searched_idle


def test_the_job_asks_the_solver_for_the_priority_its_config_gives(
    organiser, forum, panels, app, monkeypatch
):
    asked = []
    real = solve_job.solver.solve
    monkeypatch.setattr(
        solve_job.solver, "solve", lambda *a, **kw: asked.append(kw["idle"]) or real(*a, **kw)
    )
    monkeypatch.setattr(solve_job, "idle_search", lambda config: config is app.config)
    answer = organiser.post(solve_url(forum), json={"apply": False})
    assert answer.status_code == 202
    assert asked == [True]
