"""Liveness, and whether the database and Redis answer."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest.error_handler import ErrorSchema
from sqlalchemy.exc import SQLAlchemyError

from app.core.api import Blueprint
from app.core.errors import ServiceUnavailable
from app.core.redis_client import status as redis_status
from app.extensions import db

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Service health")


class HealthSchema(ma.Schema):
    status = ma.fields.String(
        required=True,
        metadata={
            "enum": ["ok", "degraded"],
            "description": "`degraded`: Redis is down; the service answers, uncached.",
        },
    )
    database = ma.fields.String(required=True, metadata={"enum": ["ok"]})
    redis = ma.fields.String(
        required=True,
        metadata={
            "enum": ["ok", "down", "not configured"],
            "description": "`not configured` when `REDIS_URL` is unset.",
        },
    )


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(
        503,
        schema=ErrorSchema,
        description="The database cannot be reached (with `Retry-After`).",
        headers={"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    )
    def get(self):
        """Report whether the service, its database and its Redis answer.

        Redis down degrades the service (caches are bypassed, rate limits are counted per
        process) but does not stop it: 200 with ``"status": "degraded"``. The database down
        stops it: 503.
        """
        try:
            db.session.execute(db.text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise ServiceUnavailable(
                "The database cannot be reached.", {"database": ["unavailable"]}
            ) from exc
        redis = redis_status(current_app)
        return {"status": "degraded" if redis == "down" else "ok", "database": "ok", "redis": redis}
