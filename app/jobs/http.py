"""How an endpoint that starts a job answers: ``202 Accepted`` with ``Location`` and the
job, or, when the client sent ``Prefer: wait=N`` (RFC 7240) and the job finished within
N seconds, what the endpoint answered when it did the work itself."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import redis
from flask import Response, current_app, request

from app.core.errors import ServiceUnavailable
from app.core.openapi import EXTRA_PARAMETERS
from app.extensions import db
from app.jobs import files, queue, services
from app.jobs.models import Job, JobStatus
from app.jobs.registry import Kind, kind_named
from app.jobs.schemas import JobSchema

if TYPE_CHECKING:
    from app.accounts.models import User

# ``wait=N`` among the preferences (at most 9 digits: the cap applies anyway).
WAIT = re.compile(r"(?:^|[,;])\s*wait\s*=\s*\"?(\d{1,9})\"?\s*(?=$|[,;])", re.IGNORECASE)

PREFER_DOC = {
    "in": "header",
    "name": "Prefer",
    "required": False,
    "schema": {"type": "string", "example": "wait=10"},
    "description": "`wait=N` (RFC 7240): answer the finished result if it comes within N "
    "seconds (at most `JOBS_MAX_WAIT_SECONDS`, 60), else 202 with the job.",
}
# Added to the view's other parameters (app.core.openapi.EXTRA_PARAMETERS), not in place of them.
PREFER_PARAMETER = {EXTRA_PARAMETERS: [PREFER_DOC]}
ACCEPTED_DOC = {
    "description": "The job, queued or running: poll `Location`. (Finished already when "
    "it was quick; with `Prefer: wait`, an unfinished one.)",
    "headers": {"Location": {"description": "/api/v1/jobs/ID", "schema": {"type": "string"}}},
}


EXPORT_ACCEPTED = (
    "A large export: the job writing its file (poll `Location`; its `result.url` serves "
    "the file). With `Prefer: wait=N`, the file itself when it comes within N seconds."
)


def may_answer_a_job(blp: Any, description: str = EXPORT_ACCEPTED) -> Any:
    """OpenAPI for an endpoint that answers a job when the work is large (a full export,
    a large import): the 202 with its ``Location``, and the ``Prefer`` header."""

    def decorate(view: Any) -> Any:
        view = blp.alt_response(
            202,
            schema=JobSchema,
            description=description,
            headers=ACCEPTED_DOC["headers"],
        )(view)
        return blp.doc(**PREFER_PARAMETER)(view)

    return decorate


def requested_wait() -> int | None:
    """Seconds the client's ``Prefer: wait=N`` asks for, capped; None without one."""
    match = WAIT.search(request.headers.get("Prefer", ""))
    if match is None:
        return None
    return min(int(match[1]), current_app.config["JOBS_MAX_WAIT_SECONDS"])


def start(kind: Kind, owner: User, params: dict[str, Any], *, reuse: bool = False) -> Response:
    """Store a job, end the request's transaction (a worker reads the job in its own),
    hand it over, and answer: the request edge, so it commits here. With ``reuse`` (a GET
    that starts one: an export), the owner's unfinished job with the same ``params`` is
    answered instead of starting another."""
    job = services.pending(kind, owner, params) if reuse else None
    if job is None:
        job = _submit(kind, owner, params)
    job_id = job.id
    wait = requested_wait()
    job = services.wait_for(job_id, wait or 0)
    answer = outcome(job) if wait is not None and job.finished else accepted(job)
    if wait is not None:
        answer.headers["Preference-Applied"] = f"wait={wait}"
    return answer


def _submit(kind: Kind, owner: User, params: dict[str, Any]) -> Job:
    job = services.submit(kind, owner, params)
    db.session.commit()
    try:
        queue.dispatch(job.id, kind.name)
    except redis.RedisError as exc:
        _refuse(job)
        raise ServiceUnavailable(
            "The job queue cannot be reached; try again shortly.", {"queue": ["unavailable"]}
        ) from exc
    return job


def accepted(job: Job) -> Response:
    response = current_app.json.response(JobSchema().dump(job))
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return response


def outcome(job: Job) -> Response:
    """A finished job's result (200; its file, for a kind that makes one), or the error the
    endpoint would have answered."""
    if job.status == JobStatus.SUCCEEDED:
        if kind_named(job.kind).makes_file:
            return files.download(job)
        return current_app.json.response(job.result)
    response = current_app.json.response(job.error)
    response.status_code = job.error["code"]
    return response


def _refuse(job: Job) -> None:
    message = "The job queue could not be reached."
    services.fail(job, services.error_body(503, message))
    db.session.commit()
