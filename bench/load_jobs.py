"""The jobs of issue #12's "jobs under load": a 60 s timetable solve and a 50,000-entry
publication import, each submitted over HTTP as a job and polled until it ends.

``bench.load`` runs :func:`run_jobs` in a thread while its mixed load runs a third time,
with a ``flask jobs worker`` (:func:`start_worker`) beside gunicorn. The forum to solve
(:func:`build_forum`) and the imported works (DOIs under :data:`DOI_PREFIX`) are removed
afterwards (:func:`clean_up`), so the benchmark can be repeated on the same database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import sqlalchemy as sa

from bench.common import vacuum
from bench.import_speed import records

SOLVE_SECONDS = 60
IMPORT_RECORDS = 50_000
FORUM_TITLE = "Bench load forum"
DOI_PREFIX = "10.5555/bench.load."
# bench.solver's forum, whose plan CP-SAT keeps improving for minutes.
SOLVER_SEED = 1
POLL_SECONDS = 1.0
WORKERS = 2


def job_limits() -> dict[str, str]:
    """The server's settings that let one request carry the 50,000 records (the defaults
    bound an import to 2,000 records in 2 MiB; an operator raises them for a big one)."""
    return {"IMPORT_MAX_RECORDS": str(IMPORT_RECORDS), "IMPORT_MAX_BYTES": str(64 * 1024 * 1024)}


def start_workers(env: dict[str, str]) -> list[subprocess.Popen]:
    """:data:`WORKERS` ``flask jobs worker`` processes on the app's queue, as an operator
    runs them beside the hosts: one for each job, so that both run at once."""
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
    return [
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(WORKERS)
    ]


def build_forum(url: str) -> int:
    """``bench.solver``'s synthetic forum (200 sessions of 30-90 minutes, 2-5 experts
    each, a tenth of them in demand, topics, 8 rooms of 40-400 seats; 3 days) stored as a
    forum of unscheduled sessions, its experts and topics mapped onto stored ones."""
    from app.experts.models import Expert
    from app.extensions import db
    from app.forums.models import Forum, ForumSession, Participation, Room
    from app.reference.models import Topic
    from bench import solver as solver_bench  # imports the app: after DATABASE_URL is set

    problem = solver_bench.synthetic(SOLVER_SEED)
    with app_context(url):
        forum = Forum(
            title=FORUM_TITLE,
            year=2031,
            host_country="KZ",
            start_date=dt.date(2031, 9, 9),
            end_date=dt.date(2031, 9, 8 + problem.days),
            timezone="Asia/Almaty",
        )
        rooms = [Room(forum=forum, name=r.name, capacity=r.capacity) for r in problem.rooms]
        stored = db.session.scalars(sa.select(Expert.id).order_by(Expert.id)).all()
        experts = dict(zip(sorted({e.id for e in problem.experts}), stored, strict=False))
        topics = db.session.scalars(sa.select(Topic).order_by(Topic.id)).all()
        sessions = [
            ForumSession(
                forum=forum,
                title=f"Bench {spec.title}",
                format=spec.format,
                expected_audience=spec.audience,
                duration_minutes=spec.slots * 30,
                topics=[topics[(t - 1) % len(topics)] for t in sorted(spec.topic_ids)],
                participations=[
                    Participation(
                        expert_id=experts[e],
                        role="moderator" if e in spec.moderator_ids else "speaker",
                        status="accepted",
                    )
                    for e in spec.expert_ids
                ],
            )
            for spec in problem.sessions
        ]
        db.session.add_all([forum, *rooms, *sessions])
        db.session.commit()
        return forum.id


@contextlib.contextmanager
def app_context(url: str) -> Iterator[None]:
    os.environ.update(DATABASE_URL=url, FLASK_CONFIG="development")
    from app import create_app

    with create_app().app_context():
        yield


def clean_up(url: str) -> None:
    """Remove the forum and the imported works, and vacuum: the database as it was before
    the run, autovacuum not left to run into the next one."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM forums WHERE title = :t"), {"t": FORUM_TITLE})
        conn.execute(sa.text("DELETE FROM publications WHERE doi LIKE :p"), {"p": DOI_PREFIX + "%"})
    engine.dispose()
    vacuum(url)


def import_body(url: str) -> bytes:
    """:data:`IMPORT_RECORDS` CSL-JSON works, half their authors known experts."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        known = conn.scalars(sa.text("SELECT full_name FROM experts ORDER BY id LIMIT 2000")).all()
    engine.dispose()
    items = records(list(known), IMPORT_RECORDS)
    for n, item in enumerate(items):
        item["DOI"] = f"{DOI_PREFIX}{n}"
    return json.dumps(items).encode()


def submit(base: str, token: str, path: str, body: bytes, content_type: str) -> tuple[str, float]:
    """POST ``body``; the job's URL from the 202's ``Location``, and the seconds the 202
    took."""
    request = urllib.request.Request(
        base + path,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 202:
            raise RuntimeError(f"{path}: {response.status}, not 202")
        return base + response.headers["Location"], time.monotonic() - started


def poll(url: str, token: str) -> dict:
    """The job once it has ended."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    while True:
        with urllib.request.urlopen(request, timeout=30) as response:
            job = json.load(response)
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(POLL_SECONDS)


KINDS = ("solve", "import")


def run_jobs(
    base: str, token: str, forum_id: int | None, body: bytes | None, kinds=KINDS
) -> list[str]:
    """Submit the solve and the import (or those of ``kinds``), wait for each; a line on
    each."""
    started = time.monotonic()
    options = {"apply": False, "time_limit_seconds": SOLVE_SECONDS, "day_end": "19:00:00"}
    solve = json.dumps(options).encode()
    urls = {}
    if "solve" in kinds:
        urls["solve"] = submit(
            base, token, f"/api/v1/forums/{forum_id}/schedule/solve", solve, "application/json"
        )
    if "import" in kinds:
        urls["import"] = submit(
            base,
            token,
            "/api/v1/publications/import?format=csl-json",
            body,
            "application/vnd.citationstyles.csl+json",
        )
    lines = []
    for name, (url, accepted) in urls.items():
        job = poll(url, token)
        took = (dt.datetime.fromisoformat(job["finished_at"]) - started_at(job)).total_seconds()
        outcome = job["status"] if job["status"] == "succeeded" else f"{job['status']}: {job}"
        lines.append(
            f"  {name} job: 202 in {accepted:.2f} s; {outcome} in {took:.0f} s of work, "
            f"{time.monotonic() - started:.0f} s after submitting"
        )
    return lines


def started_at(job: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(job["started_at"] or job["created_at"])
