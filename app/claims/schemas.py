import marshmallow as ma
from marshmallow import validate

from app.accounts.models import ClaimStatus
from app.core.fields import EnumField


class ClaimCreateSchema(ma.Schema):
    message = ma.fields.String(
        validate=validate.Length(max=2_000), metadata={"description": "Why this profile is yours."}
    )


class ClaimDecisionSchema(ma.Schema):
    note = ma.fields.String(validate=validate.Length(max=2_000))


class ClaimQuerySchema(ma.Schema):
    status = EnumField(ClaimStatus)


class ClaimSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    expert_id = ma.fields.Integer(dump_only=True)
    user_id = ma.fields.Integer(dump_only=True)
    status = EnumField(ClaimStatus, dump_only=True)
    message = ma.fields.String(dump_only=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    decided_by_id = ma.fields.Integer(dump_only=True, allow_none=True)
    decided_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    decision_note = ma.fields.String(dump_only=True, allow_none=True)
