"""Files that jobs make (exports), kept in the database so that every host serves them,
until they expire. Like every service, these never commit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import Response, current_app, stream_with_context

from app.core.errors import Conflict, NotFound
from app.core.models import utcnow
from app.extensions import db
from app.jobs.models import Job, JobFile, JobStatus

if TYPE_CHECKING:
    from app.jobs.runner import JobContext

# A download reads the body this many bytes a statement, so a large file is never whole
# in the server's memory.
CHUNK = 1 << 20


def url(job_id: uuid.UUID) -> str:
    return f"/api/v1/jobs/{job_id}/result"


def store(job: JobContext, body: bytes, content_type: str, filename: str) -> dict[str, Any]:
    """Keep ``body`` as the job's file for ``JOBS_RESULT_HOURS``, and answer the job's
    result: where to fetch the file and what it is. Expired files are deleted first."""
    sweep_expired()
    expires_at = utcnow() + dt.timedelta(hours=current_app.config["JOBS_RESULT_HOURS"])
    db.session.add(
        JobFile(
            job_id=job.id,
            content_type=content_type,
            filename=filename,
            size=len(body),
            body=body,
            expires_at=expires_at,
        )
    )
    db.session.flush()
    return {
        "url": url(job.id),
        "filename": filename,
        "content_type": content_type,
        "size": len(body),
        "expires_at": expires_at.isoformat(timespec="seconds"),
    }


def sweep_expired() -> int:
    """Delete the files past their expiry; answers how many."""
    done = db.session.execute(sa.delete(JobFile).where(JobFile.expires_at <= utcnow()))
    return done.rowcount


def download(job: Job) -> Response:
    """The job's file, streamed with its type and name; 409 while the job has none yet,
    404 once it expired."""
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(f"The job's status is {job.status}: it has no file.")
    file = db.session.get(JobFile, job.id)
    if file is None or file.expires_at <= utcnow():
        expired = (job.result or {}).get("expires_at") if isinstance(job.result, dict) else None
        if expired is None:
            raise NotFound("This job made no file.")
        raise NotFound(
            f"The job's file expired at {expired} and was deleted; start the export again."
        )
    response = Response(stream_with_context(_chunks(job.id, file.size)), mimetype=file.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response.headers["Content-Length"] = str(file.size)
    return response


def _chunks(job_id: uuid.UUID, size: int) -> Iterator[bytes]:
    # substr counts from 1, in bytes for a blob (SQLite) and bytea (PostgreSQL).
    for start in range(0, size, CHUNK):
        part = db.session.scalar(
            sa.select(sa.func.substr(JobFile.body, start + 1, CHUNK, type_=sa.LargeBinary)).where(
                JobFile.job_id == job_id
            )
        )
        if part is None:  # swept in the middle of the download: end short, not with a 500
            return
        yield bytes(part)
