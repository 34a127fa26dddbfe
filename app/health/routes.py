"""Liveness and database reachability."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy.exc import SQLAlchemyError

from app.core.api import Blueprint
from app.core.errors import DomainError
from app.extensions import db

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Service health")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True)
    database = ma.fields.String(required=True)


class ServiceUnavailable(DomainError):
    status = 503


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="The database cannot be reached.")
    def get(self):
        """Report whether the service and its database answer."""
        try:
            db.session.execute(db.text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise ServiceUnavailable(
                "The database cannot be reached.", {"database": ["unavailable"]}
            ) from exc
        return {"status": "ok", "database": "ok"}
