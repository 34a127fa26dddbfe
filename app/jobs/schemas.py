"""What the API answers about a job."""

from __future__ import annotations

import marshmallow as ma

from app.core.fields import EnumField
from app.jobs.models import JobStatus


class JobSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    kind = ma.fields.String(metadata={"description": "What runs, e.g. `forums.solve`."})
    status = EnumField(JobStatus)
    progress = ma.fields.Float(metadata={"description": "0 to 1."})
    message = ma.fields.String(allow_none=True, metadata={"description": "What it is doing."})
    result = ma.fields.Raw(
        allow_none=True,
        metadata={"description": "When succeeded: what the endpoint that started it answers."},
    )
    error = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "When failed or cancelled: the error the endpoint would have "
            "answered, `{code, status, message, errors}`."
        },
    )
    attempts = ma.fields.Integer()
    cancel_requested = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    heartbeat_at = ma.fields.DateTime(
        allow_none=True, metadata={"description": "Last sign of life from its worker."}
    )
