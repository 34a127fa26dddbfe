"""A job's state, and cancelling it."""

from __future__ import annotations

from flask.views import MethodView

from app.core.api import Blueprint
from app.core.permissions import require_user
from app.jobs import files, queue, runner, services
from app.jobs.models import JobStatus
from app.jobs.schemas import JobSchema

blp = Blueprint(
    "jobs", __name__, url_prefix="/api/v1", description="Background jobs: their state, cancel."
)


@blp.route("/jobs/<uuid:job_id>")
class JobItem(MethodView):
    @blp.response(200, JobSchema)
    def get(self, job_id):
        """A job: status, progress and message, then its result or error (its owner,
        organisers and admins; 404 to anyone else). A job whose worker died is retried
        or failed here."""
        actor = require_user()
        job = services.visible_job(actor, job_id)
        if job.status == JobStatus.RUNNING:
            queue.redispatch(runner.sweep(job.id))
            job = services.visible_job(actor, job_id)
        return job

    @blp.response(200, JobSchema)
    @blp.alt_response(202, schema=JobSchema, description="Running: it stops at its next step.")
    @blp.alt_response(409, description="It has finished: nothing to cancel.")
    def delete(self, job_id):
        """Cancel a job: a queued one at once; a running one stops at its next progress
        point (202). 409 once it has finished."""
        job = services.cancel(services.visible_job(require_user(), job_id))
        return job, 202 if job.status == JobStatus.RUNNING else 200


@blp.route("/jobs/<uuid:job_id>/result")
class JobResult(MethodView):
    @blp.response(200)
    @blp.alt_response(404, description="No such job, or its file expired.")
    @blp.alt_response(409, description="The job has not succeeded: it has no file.")
    @blp.doc(
        responses={
            "200": {
                "description": "The file, with its type and `Content-Disposition`.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    )
    def get(self, job_id):
        """The file a finished export job made (its owner, organisers and admins), streamed
        with its type and name; kept ``JOBS_RESULT_HOURS`` (24), then 404."""
        return files.download(services.visible_job(require_user(), job_id))
