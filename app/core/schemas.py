"""Small request schemas that several features share."""

from __future__ import annotations

import marshmallow as ma

from app.core.fields import Id


class ForceSchema(ma.Schema):
    force = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Create even when the name matches an existing record."},
    )


class MergeSchema(ma.Schema):
    into = Id(required=True, metadata={"description": "The record that survives."})
