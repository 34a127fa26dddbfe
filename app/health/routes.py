"""Health checks: the service's own report, and liveness and readiness for a proxy."""

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


class LiveSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"enum": ["ok"]})


def _unavailable(description: str):
    """The documented 503 of a check, with ``Retry-After``."""
    headers = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
    return blp.alt_response(503, schema=ErrorSchema, description=description, headers=headers)


def _redis_after_database() -> str:
    """Redis's status (``app.core.redis_client.status``) once the database answered; 503
    when it does not."""
    try:
        db.session.execute(db.text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(
            "The database cannot be reached.", {"database": ["unavailable"]}
        ) from exc
    return redis_status(current_app)


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @_unavailable("The database cannot be reached (with `Retry-After`).")
    def get(self):
        """Report whether the service, its database and its Redis answer.

        Redis down degrades the service (caches are bypassed, rate limits are counted per
        process) but does not stop it: 200 with ``"status": "degraded"``. The database down
        stops it: 503.
        """
        redis = _redis_after_database()
        return {"status": "degraded" if redis == "down" else "ok", "database": "ok", "redis": redis}


@blp.route("/live")
class Live(MethodView):
    @blp.response(200, LiveSchema)
    def get(self):
        """Liveness: the process answers. Touches neither the database nor Redis, so a
        proxy or supervisor may ask often; restart the process when it stops answering."""
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.response(200, HealthSchema)
    @_unavailable("The database, or the configured Redis, cannot be reached.")
    def get(self):
        """Readiness: whether this host should get requests. 503 when its database, or
        the Redis it is configured with, does not answer: a host that cannot reach Redis
        counts rate limits alone and cannot retire the other hosts' cached answers."""
        redis = _redis_after_database()
        if redis == "down":
            raise ServiceUnavailable("Redis cannot be reached.", {"redis": ["unavailable"]})
        return {"status": "ok", "database": "ok", "redis": redis}
