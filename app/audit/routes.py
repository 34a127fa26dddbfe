"""Reading the audit log (admins)."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import validate

from app.audit.models import AuditEntry
from app.core.api import Blueprint
from app.core.fields import Id
from app.core.pagination import SelectPage
from app.core.permissions import require_admin

blp = Blueprint(
    "audit", __name__, url_prefix="/api/v1/audit", description="Who changed what, and when."
)


class AuditQuerySchema(ma.Schema):
    entity_type = ma.fields.String(validate=validate.Length(min=1, max=40))
    entity_id = Id()
    actor_id = Id()
    action = ma.fields.String(validate=validate.Length(min=1, max=40))


class AuditEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    entity_type = ma.fields.String()
    entity_id = ma.fields.Integer(allow_none=True)
    changes = ma.fields.Dict()
    remote_addr = ma.fields.String(allow_none=True)


@blp.route("")
class Audit(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, filters):
        """The audit log, newest first."""
        require_admin()
        stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
        for key, value in filters.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        return stmt
