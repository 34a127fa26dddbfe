"""Joint project schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.core.exports import format_field
from app.core.fields import EnumField, Id, Trimmed, YearsInOrder
from app.core.listing import q_field, sort_field
from app.core.provenance import kind_field, source_field
from app.projects.models import ProjectKind
from app.reference.schemas import COUNTRY_CODE


class ProjectSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    title = ma.fields.String(dump_only=True)
    kind = EnumField(ProjectKind, dump_only=True)
    description = ma.fields.String(dump_only=True, allow_none=True)
    start_date = ma.fields.Date(dump_only=True)
    end_date = ma.fields.Date(dump_only=True, allow_none=True)
    url = ma.fields.String(dump_only=True, allow_none=True)
    topic_ids = ma.fields.Function(lambda p: [t.id for t in p.topics], dump_only=True)
    centre_ids = ma.fields.Function(
        lambda p: sorted(c.centre_id for c in p.participants), dump_only=True
    )
    provenance = kind_field()
    source = source_field()
    topics_provenance = kind_field()
    topics_source = source_field()


class ProjectWriteSchema(ma.Schema):
    title = Trimmed(required=True, validate=validate.Length(min=1, max=500))
    kind = EnumField(ProjectKind, required=True)
    description = ma.fields.String(allow_none=True, validate=validate.Length(max=20_000))
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(allow_none=True)
    url = ma.fields.Url(allow_none=True, validate=validate.Length(max=1000))
    topic_ids = ma.fields.List(Id(), validate=validate.Length(max=30))
    centre_ids = ma.fields.List(
        Id(),
        validate=validate.Length(min=2, max=50),
        metadata={"description": "The centres taking part (two or more)."},
    )

    @ma.validates_schema
    def _ends_after_start(self, data, **_kwargs):
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ma.ValidationError("The end comes before the start.", "end_date")


class ProjectQuerySchema(YearsInOrder, ma.Schema):
    kind = EnumField(ProjectKind)
    centre = Id()
    country = ma.fields.String(validate=COUNTRY_CODE)
    topic = Id()
    year_from = ma.fields.Integer(validate=validate.Range(min=1900, max=2100))
    year_to = ma.fields.Integer(validate=validate.Range(min=1900, max=2100))
    q = q_field()
    sort = sort_field("start_date", "title", "id", default="-start_date")
    format = format_field()
